//! RS256 JSON Web Tokens: the key Entra ID signs access tokens with (kept
//! in the state directory beside the CA, so tokens and trust survive a
//! restart), its JWKS, and signature verification for the tokens Resource
//! Manager and Graph receive.

use crate::store;
use anyhow::Context as _;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::OnceLock;

pub const KEY_FILE: &str = "token-signing-key.pem";

#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url segments of JSON.
    Malformed,
    /// Wrong algorithm, unknown key or a signature that does not verify.
    BadSignature,
}

pub struct SigningKey {
    pair: KeyPair,
    /// RFC 7638 thumbprint: stable for the key, whatever the start.
    kid: String,
    n: String,
    e: String,
}

impl SigningKey {
    /// The key in `dir`, or a new one written there (mode 0600).
    pub fn load_or_create(dir: &Path) -> anyhow::Result<SigningKey> {
        let path = dir.join(KEY_FILE);
        let pair = match store::read(&path)? {
            Some(pem) => store::pem_decode("PRIVATE KEY", &String::from_utf8_lossy(&pem))
                .and_then(|der| KeyPair::from_pkcs8(&der).ok())
                .with_context(|| {
                    format!(
                        "{} is not an RSA key the emulator wrote; remove it to make a new one (tokens it signed stop verifying)",
                        path.display()
                    )
                })?,
            None => {
                let der = process_key()?;
                store::write(&path, store::pem_encode("PRIVATE KEY", der).as_bytes(), true)?;
                KeyPair::from_pkcs8(der)
                    .map_err(|_| anyhow::anyhow!("could not load the token-signing key"))?
            }
        };
        let public = pair.public_key();
        let n = B64.encode(public.modulus().big_endian_without_leading_zero());
        let e = B64.encode(public.exponent().big_endian_without_leading_zero());
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = B64.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            thumbprint.as_bytes(),
        ));
        Ok(SigningKey { pair, kid, n, e })
    }

    /// The JWKS document (`/discovery/v2.0/keys`).
    pub fn jwks(&self) -> Value {
        json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": self.n,
            "e": self.e,
        }]})
    }

    /// A compact RS256 JWT over `claims`.
    pub fn sign(&self, claims: &Value) -> String {
        // `x5t` as Entra sets it; here it is the key's thumbprint too.
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid });
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        // Signing with a valid key and a buffer of the modulus' size cannot
        // fail; an empty signature would only make the token unverifiable.
        if self
            .pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .is_err()
        {
            sig.clear();
        }
        format!("{input}.{}", B64.encode(sig))
    }

    /// Checks header and signature; returns the claims (not yet judged).
    pub fn verify(&self, jwt: &str) -> Result<Value, JwtError> {
        let (header, claims, input, sig) = split(jwt)?;
        if header["alg"] != "RS256" || header["kid"] != self.kid.as_str() {
            return Err(JwtError::BadSignature);
        }
        let public = self.pair.public_key();
        signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            public
                .as_der()
                .map_err(|_| JwtError::BadSignature)?
                .as_ref(),
        )
        .verify(input.as_bytes(), &sig)
        .map_err(|_| JwtError::BadSignature)?;
        Ok(claims)
    }
}

/// A key generated once per process (PKCS#8) for state directories that
/// have none: RSA key generation takes 100 ms or more, and tests start many
/// emulators. A directory's own key file always wins; `emulator serve` is
/// one process with one directory, so this changes nothing there.
fn process_key() -> anyhow::Result<&'static [u8]> {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(k) = KEY.get() {
        return Ok(k);
    }
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| anyhow::anyhow!("could not generate the token-signing key"))?;
    let der = pair
        .as_der()
        .map_err(|_| anyhow::anyhow!("could not encode the token-signing key"))?;
    // A concurrent first call may have won; either key is fine.
    Ok(KEY.get_or_init(|| der.as_ref().to_vec()))
}

/// Header, claims, signing input and signature of a compact JWT.
pub fn split(jwt: &str) -> Result<(Value, Value, &str, Vec<u8>), JwtError> {
    let mut parts = jwt.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode = |seg: &str| {
        B64.decode(seg.trim_end_matches('='))
            .map_err(|_| JwtError::Malformed)
    };
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| JwtError::Malformed)?;
    let claims: Value = serde_json::from_slice(&decode(c)?).map_err(|_| JwtError::Malformed)?;
    if !header.is_object() || !claims.is_object() {
        return Err(JwtError::Malformed);
    }
    let signature = decode(s)?;
    Ok((header, claims, &jwt[..h.len() + 1 + c.len()], signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_verifies_and_persists() {
        let dir = std::env::temp_dir().join(format!("emu-jwt-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let key = SigningKey::load_or_create(&dir).expect("new key");
        let jwt = key.sign(&json!({"oid": "x"}));
        assert_eq!(key.verify(&jwt).expect("valid")["oid"], "x");

        let again = SigningKey::load_or_create(&dir).expect("stored key");
        assert_eq!(again.kid, key.kid);
        assert_eq!(again.verify(&jwt).expect("still valid")["oid"], "x");
        assert_eq!(key.jwks()["keys"][0]["kid"], key.kid.as_str());

        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = B64.encode(r#"{"oid":"y"}"#);
        parts[1] = &forged;
        assert_eq!(key.verify(&parts.join(".")), Err(JwtError::BadSignature));
        assert_eq!(key.verify("a.b"), Err(JwtError::Malformed));
        let hs = format!(
            "{}.{}.eA",
            B64.encode(r#"{"alg":"HS256"}"#),
            B64.encode("{}")
        );
        assert_eq!(key.verify(&hs), Err(JwtError::BadSignature));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
