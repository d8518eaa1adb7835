//! What the running emulator remembers, shared by every connection: the
//! scenario, the directory it changes ([`Directory`]), how often each fault
//! fired, the request log, the signing keys. Locks are held only for short
//! updates, never across an await.

use super::scenario::{Fault, Scenario};
use super::{RequestRecord, Route};
use crate::directory::Directory;
use crate::jwt::SigningKey;
use crate::reqlog::RequestLog;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

pub struct State {
    pub scenario: Scenario,
    pub base_url: String,
    /// `https://localhost:PORT`: the certificate covers it, so accept it too.
    pub alt_base_url: String,
    /// HS256 key for the emulated GitHub OIDC tokens; fresh per start.
    pub github_key: [u8; 32],
    /// RS256 key for Entra ID's tokens; kept in the state directory.
    pub signing: SigningKey,
    /// App Service's `IDENTITY_HEADER`: the scenario's, else random.
    pub identity_header: crate::secret::Secret,
    directory: Mutex<Directory>,
    fault_uses: Mutex<Vec<u32>>,
    log: Mutex<Vec<RequestRecord>>,
    pub request_log: Option<RequestLog>,
}

/// A poisoned lock only means another request panicked; the data (a map, a
/// counter, a log) is still usable.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub fn new(
        scenario: Scenario,
        port: u16,
        signing: SigningKey,
        request_log: Option<RequestLog>,
    ) -> anyhow::Result<State> {
        let mut github_key = [0u8; 32];
        getrandom::fill(&mut github_key)
            .map_err(|e| anyhow::anyhow!("no randomness for the emulator's signing key: {e}"))?;
        let faults = scenario.faults.len();
        let identity_header = scenario
            .identity_header
            .clone()
            .unwrap_or_else(|| crate::secret::Secret::new(random_b64(24)));
        Ok(State {
            identity_header,
            directory: Mutex::new(Directory::seed(&scenario)),
            scenario,
            base_url: format!("https://127.0.0.1:{port}"),
            alt_base_url: format!("https://localhost:{port}"),
            github_key,
            signing,
            fault_uses: Mutex::new(vec![0; faults]),
            log: Mutex::new(Vec::new()),
            request_log,
        })
    }

    /// The directory, locked: keep the guard short and never across an await.
    pub fn directory(&self) -> MutexGuard<'_, Directory> {
        lock(&self.directory)
    }

    /// `https://127.0.0.1:PORT/{tenant}/`: the issuer of the tokens this
    /// emulator signs for `tenant` (Entra's v1 shape).
    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/{tenant}/", self.base_url)
    }

    /// The first fault for `route` with budget left, its use counted.
    pub fn take_fault(&self, route: Route) -> Option<Fault> {
        let mut uses = lock(&self.fault_uses);
        for (i, f) in self.scenario.faults.iter().enumerate() {
            if !f.route.matches(route) {
                continue;
            }
            if f.times.is_some_and(|n| uses[i] >= n) {
                continue;
            }
            uses[i] += 1;
            return Some(f.clone());
        }
        None
    }

    /// Records a request on arrival (status 0 until it is answered) so the
    /// log keeps arrival order; returns its slot.
    pub fn log_arrival(&self, route: Route, method: &str, path: &str, started: Instant) -> usize {
        let mut log = lock(&self.log);
        log.push(RequestRecord {
            route,
            method: method.to_owned(),
            path: path.to_owned(),
            status: 0,
            started,
            finished: started,
            principal: None,
            error: None,
        });
        log.len() - 1
    }

    /// Marks the request answered (`status`), dropped or hung (0), with who
    /// made it and the error code it got, and appends it to `--log`.
    pub fn log_finish(
        &self,
        slot: usize,
        status: u16,
        principal: Option<String>,
        error: Option<String>,
        query: Option<&str>,
    ) {
        let record = {
            let mut log = lock(&self.log);
            let Some(r) = log.get_mut(slot) else { return };
            r.status = status;
            r.finished = Instant::now();
            r.principal = principal;
            r.error = error;
            r.clone()
        };
        if let Some(l) = &self.request_log {
            l.write(&record, query);
        }
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.log).clone()
    }
}

/// Random bytes; the emulator serves tests, so a failing RNG degrades to
/// zeros rather than taking the request down.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    let _ = getrandom::fill(&mut b);
    b
}

pub fn random_b64(n: usize) -> String {
    use base64::Engine as _;
    let mut b = vec![0u8; n];
    let _ = getrandom::fill(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A random version-4 GUID (trace and correlation ids, JWT ids).
pub fn random_guid() -> String {
    let mut b: [u8; 16] = random_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_guid(&b)
}

/// A stable GUID derived from a name (object ids the scenario leaves out):
/// FNV-1a, so it is the same in every run.
pub fn derived_guid(name: &str) -> String {
    let mut b = [0u8; 16];
    for (half, seed) in [
        (0usize, 0xcbf2_9ce4_8422_2325u64),
        (8, 0x8422_2325_cbf2_9ce4),
    ] {
        let mut h = seed;
        for byte in name.bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        b[half..half + 8].copy_from_slice(&h.to_be_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_guid(&b)
}

fn format_guid(b: &[u8; 16]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `2024-05-01 12:00:00Z`, the way Entra ID prints timestamps.
pub fn entra_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// `2024-05-01T12:00:00Z` (Graph and Resource Manager timestamps).
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Seconds since the epoch (JWT claims).
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::is_guid;

    #[test]
    fn guids_are_well_formed() {
        assert!(is_guid(&random_guid()));
        let d = derived_guid("dev@contoso.com");
        assert!(is_guid(&d));
        assert_eq!(d, derived_guid("dev@contoso.com"));
        assert_ne!(d, derived_guid("ops@contoso.com"));
    }
}
