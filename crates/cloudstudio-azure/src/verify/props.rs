//! Properties of the reply parsers, for `crate::props` (proptest and cargo
//! fuzz): any body from Entra ID or Resource Manager gives a result or an
//! error, never a panic, and what is kept for messages stays bounded.

use super::arm::{self, Subscription};
use super::checks::other_tenant;
use super::http::Reply;
use super::rbac::{self, Permission};
use super::{fixes, jwt};
use crate::ids::is_guid;

pub fn replies(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some(code) = fixes::aadsts_code(&text) {
        assert!(text.contains(&format!("AADSTS{code}")) || text.contains("AADSTS0"));
    }
    // One line, at most `untrusted::text`'s cap and its `…`.
    let line = fixes::first_line(&text);
    assert!(
        !line.contains(['\n', '\r']) && line.chars().count() <= crate::untrusted::MAX_CHARS + 1
    );
    if let Some(t) = other_tenant(&text) {
        assert!(is_guid(&t));
    }
    let _ = jwt::claim(&text, "tid");
    if let Ok(perms) = serde_json::from_slice::<Vec<Permission>>(bytes) {
        let _ = rbac::level(&perms);
    }
    for status in [200, 403, 404, 429] {
        let reply = |status| Reply {
            status,
            headers: reqwest::header::HeaderMap::new(),
            body: azure_core::Bytes::copy_from_slice(bytes),
            attempts: 1,
            note: None,
        };
        let _ = arm::parse(reply(status), "the subscription read", |j| {
            serde_json::from_value::<Subscription>(j).ok()
        });
        let _ = arm::parse(reply(status), "the permissions read", |j| {
            serde_json::from_value::<Vec<Permission>>(j.get("value")?.clone()).ok()
        });
    }
}
