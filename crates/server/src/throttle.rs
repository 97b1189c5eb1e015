//! Sign-in throttling (issue 23, item 5): failed sign-ins are counted per user name and per
//! client address, and past a limit within the window that name or address is locked out for a
//! while — every sign-in with it answers 429 with `Retry-After`, even with the right password, so
//! guessing cannot go on by waiting for a lucky answer. Counted by name whether or not the user
//! exists (a lockout tells nothing about which names are real). Kept in memory: a restart
//! forgets the counts, which costs an attacker a restart they cannot cause; the table is bounded.
//!
//! Behind a reverse proxy every request comes from the proxy's address: the per-address limit
//! then counts everyone's failures together, so it is set well above the per-user one.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Names and addresses tracked at most; past this the records whose window is over go first,
/// then (an attack from very many addresses) all records.
const MAX_TRACKED: usize = 100_000;

/// How many failures lock a name or an address, and for how long.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failed sign-ins of one user name within the window that lock it.
    pub per_user: u32,
    /// Failed sign-ins from one address within the window that lock it.
    pub per_address: u32,
    /// The window failures are counted in, and how long a lockout lasts.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> ThrottlePolicy {
        ThrottlePolicy {
            per_user: 5,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum Key {
    User([u8; 32]),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

/// The failure counts of a server.
#[derive(Debug)]
pub struct SignInThrottle {
    policy: ThrottlePolicy,
    records: Mutex<HashMap<Key, Record>>,
}

/// The client's address, when the server was started with it (tests that build the app without
/// a listener have none: only the per-user limit applies to them).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

fn user_key(name: &str) -> Key {
    use sha2::{Digest, Sha256};
    // Names are compared as typed, trimmed and case-folded, so "Ada " counts for "ada".
    Key::User(Sha256::digest(name.trim().to_lowercase().as_bytes()).into())
}

impl SignInThrottle {
    pub fn new(policy: ThrottlePolicy) -> SignInThrottle {
        SignInThrottle {
            policy,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Record>> {
        // A panic while holding the lock leaves whole records only: keep going.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keys(name: &str, addr: ClientAddr) -> impl Iterator<Item = Key> {
        std::iter::once(user_key(name)).chain(addr.0.map(Key::Address))
    }

    /// `Err(wait)` if the name or the address is locked out: try again after `wait`.
    pub fn check(&self, name: &str, addr: ClientAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let records = self.records();
        let wait = Self::keys(name, addr)
            .filter_map(|k| records.get(&k)?.locked_until)
            .filter(|&until| until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(w) => Err(w),
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in; `Err(wait)` if it locked the name or the address.
    pub fn failed(&self, name: &str, addr: ClientAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let window = self.policy.window;
        let mut records = self.records();
        if records.len() >= MAX_TRACKED {
            records.retain(|_, r| {
                now.duration_since(r.since) < window || r.locked_until.is_some_and(|u| u > now)
            });
            if records.len() >= MAX_TRACKED {
                records.clear();
            }
        }
        let mut locked = None;
        for key in Self::keys(name, addr) {
            let limit = match key {
                Key::User(_) => self.policy.per_user,
                Key::Address(_) => self.policy.per_address,
            };
            let r = records.entry(key).or_insert(Record {
                failures: 0,
                since: now,
                locked_until: None,
            });
            if now.duration_since(r.since) >= window && r.locked_until.is_none_or(|u| u <= now) {
                *r = Record {
                    failures: 0,
                    since: now,
                    locked_until: None,
                };
            }
            r.failures += 1;
            if r.failures >= limit {
                r.locked_until = Some(now + window);
                locked = Some(window);
            }
        }
        match locked {
            Some(w) => Err(w),
            None => Ok(()),
        }
    }

    /// A successful sign-in clears the name's failures (not the address's: one's own account
    /// must not reset the count of guesses at others).
    pub fn succeeded(&self, name: &str) {
        self.records().remove(&user_key(name));
    }
}

/// Seconds to put in `Retry-After`: rounded up, at least one.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ip: [u8; 4]) -> ClientAddr {
        ClientAddr(Some(IpAddr::from(ip)))
    }

    #[test]
    fn a_name_is_locked_after_its_failures_and_a_success_clears_them() {
        let t = SignInThrottle::new(ThrottlePolicy {
            per_user: 3,
            per_address: 100,
            window: Duration::from_secs(60),
        });
        assert_eq!(t.failed("ada", at([10, 0, 0, 1])), Ok(()));
        assert_eq!(t.failed("Ada ", at([10, 0, 0, 2])), Ok(()));
        t.succeeded("ada");
        // Cleared: two more failures do not lock, the third does, from any address.
        assert_eq!(t.failed("ada", at([10, 0, 0, 3])), Ok(()));
        assert_eq!(t.failed("ada", at([10, 0, 0, 3])), Ok(()));
        assert_eq!(
            t.failed("ada", at([10, 0, 0, 4])),
            Err(Duration::from_secs(60))
        );
        let wait = t.check("ADA", at([10, 9, 9, 9])).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(59));
        assert_eq!(t.check("bo", at([10, 0, 0, 4])), Ok(()));
    }

    #[test]
    fn an_address_is_locked_after_failures_on_many_names() {
        let t = SignInThrottle::new(ThrottlePolicy {
            per_user: 100,
            per_address: 4,
            window: Duration::from_secs(60),
        });
        for name in ["a", "b", "c"] {
            assert_eq!(t.failed(name, at([192, 0, 2, 1])), Ok(()));
        }
        assert!(t.failed("d", at([192, 0, 2, 1])).is_err());
        assert!(t.check("e", at([192, 0, 2, 1])).is_err());
        assert_eq!(t.check("e", at([192, 0, 2, 2])), Ok(()));
        // Without an address only names count.
        assert_eq!(t.check("e", ClientAddr(None)), Ok(()));
    }

    #[test]
    fn a_lockout_ends_after_the_window() {
        let t = SignInThrottle::new(ThrottlePolicy {
            per_user: 1,
            per_address: 100,
            window: Duration::from_millis(100),
        });
        assert!(t.failed("ada", ClientAddr(None)).is_err());
        assert!(t.check("ada", ClientAddr(None)).is_err());
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(t.check("ada", ClientAddr(None)), Ok(()));
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(3)), 3);
    }
}
