//! The small HTTP vocabulary the handlers share: a fully read request
//! ([`Req`]: query and form decoding, the bearer token) and a reply
//! ([`Reply`]: status, extra headers, JSON body).

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};

/// Token requests and the like are tiny; anything bigger is not a client we
/// emulate for.
const MAX_BODY: usize = 64 * 1024;

pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Req {
    /// Reads the whole request; `None` when the body is unreadable or too big.
    pub async fn read(req: Request<Incoming>) -> Option<Req> {
        let (parts, body) = req.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .ok()?
            .to_bytes();
        Some(Req {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(decode_pairs).unwrap_or_default(),
            headers: parts.headers,
            body: body.to_vec(),
        })
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Vec<(String, String)> {
        decode_pairs(&String::from_utf8_lossy(&self.body))
    }

    /// `Authorization: Bearer <token>`, if present and well-formed.
    pub fn bearer(&self) -> Option<&str> {
        let v = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

/// First value of `name` in decoded pairs.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `a=1&b=x%20y` -> pairs; `+` is a space, bad escapes stay as written.
pub fn decode_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response, before it becomes a hyper one; `principal` and `error`
/// are for the request log only.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Who made the request (client id or user name), when known.
    pub principal: Option<String>,
    /// The error code sent (ARM or Graph code, `AADSTS...`).
    pub error: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            principal: None,
            error: None,
        }
    }

    /// No body (204, HEAD, a finished DELETE).
    pub fn empty(status: u16) -> Reply {
        Reply {
            body: String::new(),
            ..Reply::json(status, &serde_json::Value::Null)
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    pub fn principal(mut self, who: impl Into<String>) -> Reply {
        self.principal = Some(who.into());
        self
    }

    pub fn error_code(mut self, code: impl Into<String>) -> Reply {
        self.error = Some(code.into());
        self
    }

    pub fn into_response(self) -> Response<Full<Bytes>> {
        let has_body = !self.body.is_empty();
        let mut resp = Response::new(Full::new(Bytes::from(self.body)));
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = resp.headers_mut();
        if has_body {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
        // Real Entra ID and ARM responses are never cached.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.append(name, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let p = decode_pairs("scope=https%3A%2F%2Fx%2F.default&a=b+c&bad=%zz&end=%4");
        assert_eq!(field(&p, "scope"), Some("https://x/.default"));
        assert_eq!(field(&p, "a"), Some("b c"));
        assert_eq!(field(&p, "bad"), Some("%zz"));
        assert_eq!(field(&p, "end"), Some("%4"));
    }
}
