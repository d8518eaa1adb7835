//! The emulator's throwaway PKI: a fresh CA per start and a leaf certificate
//! for `127.0.0.1` and `localhost`, plus the rustls server config (aws-lc-rs,
//! ALPN `http/1.1`).

use anyhow::Context as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tokio_rustls::rustls::{
    self,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
};

pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

pub fn generate() -> anyhow::Result<Pki> {
    // Backdated a day so clock skew between test processes never matters.
    let not_before = OffsetDateTime::now_utc() - Duration::days(1);
    let not_after = OffsetDateTime::now_utc() + Duration::days(30);

    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "cloudstudio-azure emulator CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    ca_params.not_before = not_before;
    ca_params.not_after = not_after;
    let ca_key = KeyPair::generate().context("could not generate the emulator CA key")?;
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .context("could not sign the emulator CA")?;
    let issuer = Issuer::new(ca_params, ca_key);

    let mut leaf_params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.not_before = not_before;
    leaf_params.not_after = not_after;
    let leaf_key = KeyPair::generate().context("could not generate the emulator server key")?;
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .context("could not sign the emulator server certificate")?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                leaf.der().clone(),
                CertificateDer::from(ca_cert.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .context("could not configure TLS for the emulator")?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];

    Ok(Pki {
        ca_pem: ca_cert.pem(),
        server: Arc::new(server),
    })
}
