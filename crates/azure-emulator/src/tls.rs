//! The emulator's PKI: a CA kept in the state directory (`ca.pem`,
//! `ca-key.pem`) so a client trusts it once across restarts, and a leaf
//! certificate for `127.0.0.1` and `localhost` signed by it on every start;
//! plus the rustls server config (aws-lc-rs, ALPN `http/1.1`).
//!
//! The CA is name-constrained to loopback (`localhost`, 127.0.0.0/8, ::1):
//! even if its key leaked, it could not vouch for any real host.

use crate::store;
use anyhow::{Context as _, bail};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};
use std::path::Path;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tokio_rustls::rustls::{
    self,
    client::WebPkiServerVerifier,
    client::danger::ServerCertVerifier as _,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime},
};

pub const CA_FILE: &str = "ca.pem";
pub const CA_KEY_FILE: &str = "ca-key.pem";
const CA_NAME: &str = "cloudstudio-azure emulator CA";

pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
    /// The CA came from the state directory rather than being made now.
    pub reused: bool,
}

/// Loads the CA from `dir` (or makes one there), then issues this start's
/// server certificate and checks that the CA vouches for it.
pub fn load_or_create(dir: &Path) -> anyhow::Result<Pki> {
    let (cert_path, key_path) = (dir.join(CA_FILE), dir.join(CA_KEY_FILE));
    let (ca_pem, ca_key, reused) = match (store::read(&cert_path)?, store::read(&key_path)?) {
        (Some(cert), Some(key)) => {
            let key = KeyPair::from_pem(&String::from_utf8_lossy(&key)).with_context(|| {
                format!(
                    "{} is not a private key the emulator wrote; remove it and {} to make a new CA",
                    key_path.display(),
                    cert_path.display()
                )
            })?;
            (String::from_utf8_lossy(&cert).into_owned(), key, true)
        }
        (None, None) => {
            let key = KeyPair::generate().context("could not generate the emulator CA key")?;
            let cert = ca_params()?
                .self_signed(&key)
                .context("could not sign the emulator CA")?;
            // The key first: a CA certificate without its key is useless.
            store::write(&key_path, key.serialize_pem().as_bytes(), true)?;
            store::write(&cert_path, cert.pem().as_bytes(), false)?;
            (cert.pem(), key, false)
        }
        (Some(_), None) => bail!(
            "{} exists but {} does not: remove {} to make a new CA (and trust the new one)",
            cert_path.display(),
            key_path.display(),
            cert_path.display()
        ),
        (None, Some(_)) => bail!(
            "{} exists but {} does not: remove {} to make a new CA",
            key_path.display(),
            cert_path.display(),
            key_path.display()
        ),
    };
    let ca_der = store::pem_decode("CERTIFICATE", &ca_pem)
        .map(CertificateDer::from)
        .with_context(|| format!("{} holds no PEM certificate", cert_path.display()))?;
    // Same subject and key identifier as the stored certificate, so the leaf
    // chains to it; `check_chain` proves that it does.
    let issuer = Issuer::new(ca_params()?, ca_key);

    let not_before = OffsetDateTime::now_utc() - Duration::days(1);
    let mut leaf_params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])?;
    // A host name as CN: name-constraint checks that look at the CN see one
    // the CA permits.
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.not_before = not_before;
    leaf_params.not_after = not_before + Duration::days(31);
    let leaf_key = KeyPair::generate().context("could not generate the emulator server key")?;
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .context("could not sign the emulator server certificate")?;

    check_chain(&ca_der, leaf.der()).map_err(|e| {
        anyhow::anyhow!(
            "the CA in {} cannot vouch for the emulator ({e}): it has expired or does not match {}; remove both files to make a new CA (and trust the new {})",
            dir.display(),
            CA_KEY_FILE,
            CA_FILE
        )
    })?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca_der],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .context("could not configure TLS for the emulator")?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];

    Ok(Pki {
        ca_pem,
        server: Arc::new(server),
        reused,
    })
}

/// The CA's parameters. Validity matters only when the certificate is made;
/// subject and extensions must stay the same forever, or stored CAs stop
/// matching (which `check_chain` would report).
fn ca_params() -> anyhow::Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.distinguished_name.push(DnType::CommonName, CA_NAME);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(
                std::net::Ipv6Addr::LOCALHOST.octets(),
                [0xff; 16],
            )),
        ],
        excluded_subtrees: vec![],
    });
    // Backdated a day so clock skew between processes never matters; ten
    // years, so a trusted state directory keeps working.
    p.not_before = OffsetDateTime::now_utc() - Duration::days(1);
    p.not_after = p.not_before + Duration::days(3650);
    Ok(p)
}

/// Verifies `leaf` against `ca` for both names, as a client would, now.
fn check_chain(ca: &CertificateDer<'_>, leaf: &CertificateDer<'_>) -> anyhow::Result<()> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone())?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build()?;
    for name in ["127.0.0.1", "localhost"] {
        verifier.verify_server_cert(
            leaf,
            &[],
            &ServerName::try_from(name)?,
            &[],
            UnixTime::now(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_the_ca_and_refuses_a_mismatched_pair() {
        let dir = std::env::temp_dir().join(format!("emu-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let first = load_or_create(&dir).expect("new CA");
        assert!(!first.reused);
        let second = load_or_create(&dir).expect("stored CA");
        assert!(second.reused);
        assert_eq!(first.ca_pem, second.ca_pem);

        // Another CA's certificate with this key: the self-check catches it.
        let other = std::env::temp_dir().join(format!("emu-tls-other-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&other);
        std::fs::create_dir_all(&other).expect("dir");
        let foreign = load_or_create(&other).expect("other CA");
        std::fs::write(dir.join(CA_FILE), foreign.ca_pem).expect("swap");
        let err = load_or_create(&dir).err().expect("mismatch refused");
        assert!(format!("{err:#}").contains("cannot vouch"), "{err:#}");

        std::fs::remove_file(dir.join(CA_FILE)).expect("rm");
        let err = load_or_create(&dir).err().expect("half a pair refused");
        assert!(format!("{err:#}").contains("ca-key.pem exists"), "{err:#}");
        for d in [dir, other] {
            std::fs::remove_dir_all(d).expect("cleanup");
        }
    }
}
