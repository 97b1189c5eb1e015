//! Rate limits of the public survey links (no session, no login): each link takes a few submits
//! in a window (a person may change their mind, a script may not flood one invitation), and an
//! address that keeps asking for links that do not exist is locked out for a while, so secrets
//! cannot be guessed by trying (they are 128 random bits: this only stops a scanner from costing
//! the store a lookup per try). Kept in memory and bounded like the sign-in throttle.
//!
//! Answers from many people behind one proxy share its address: only unknown links count
//! against an address, never answers through real links, so a busy survey is never throttled.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at most per table; past this the stale go first, then all.
const MAX_TRACKED: usize = 100_000;

/// How often a link may be submitted and an address may miss.
#[derive(Clone, Copy, Debug)]
pub struct LinkLimitPolicy {
    /// Submits of one link within the window.
    pub submits_per_link: u32,
    /// Unknown or expired-shape links asked for from one address within the window.
    pub misses_per_address: u32,
    pub window: Duration,
}

impl Default for LinkLimitPolicy {
    fn default() -> LinkLimitPolicy {
        LinkLimitPolicy {
            submits_per_link: 10,
            misses_per_address: 30,
            window: Duration::from_secs(10 * 60),
        }
    }
}

#[derive(Debug)]
struct Counter {
    count: u32,
    since: Instant,
}

#[derive(Debug)]
struct Table<K>(HashMap<K, Counter>);

impl<K> Default for Table<K> {
    fn default() -> Table<K> {
        Table(HashMap::new())
    }
}

impl<K: std::hash::Hash + Eq> Table<K> {
    /// Counts one event of `key`; `Err(seconds to wait)` once past `limit` in the window.
    fn hit(&mut self, key: K, limit: u32, window: Duration, now: Instant) -> Result<(), u64> {
        self.make_room(window, now);
        let c = self.0.entry(key).or_insert(Counter {
            count: 0,
            since: now,
        });
        if now.duration_since(c.since) >= window {
            *c = Counter {
                count: 0,
                since: now,
            };
        }
        if c.count >= limit {
            return Err(wait(c.since, window, now));
        }
        c.count += 1;
        Ok(())
    }

    /// `Err(seconds to wait)` when `key` is past `limit` in the window (counts nothing).
    fn check(&self, key: &K, limit: u32, window: Duration, now: Instant) -> Result<(), u64> {
        match self.0.get(key) {
            Some(c) if c.count >= limit && now.duration_since(c.since) < window => {
                Err(wait(c.since, window, now))
            }
            _ => Ok(()),
        }
    }

    fn make_room(&mut self, window: Duration, now: Instant) {
        if self.0.len() >= MAX_TRACKED {
            self.0.retain(|_, c| now.duration_since(c.since) < window);
            if self.0.len() >= MAX_TRACKED {
                self.0.clear();
            }
        }
    }
}

fn wait(since: Instant, window: Duration, now: Instant) -> u64 {
    (since + window)
        .saturating_duration_since(now)
        .as_secs()
        .max(1)
}

/// The counts of a server's public links.
#[derive(Debug, Default)]
pub struct LinkLimits {
    policy: LinkLimitPolicy,
    links: Mutex<Table<[u8; 16]>>,
    misses: Mutex<Table<IpAddr>>,
}

impl LinkLimits {
    pub fn new(policy: LinkLimitPolicy) -> LinkLimits {
        LinkLimits {
            policy,
            ..LinkLimits::default()
        }
    }

    /// Counts a submit of the link with `secret`; `Err(seconds)` when it came too often.
    pub fn submit(&self, secret: &str) -> Result<(), u64> {
        let key = key_of(secret);
        let mut links = self.links.lock().unwrap_or_else(|e| e.into_inner());
        links.hit(
            key,
            self.policy.submits_per_link,
            self.policy.window,
            Instant::now(),
        )
    }

    /// Whether `addr` may ask for links now; `Err(seconds)` while it is locked out.
    pub fn allowed(&self, addr: Option<IpAddr>) -> Result<(), u64> {
        let Some(addr) = addr else { return Ok(()) };
        let misses = self.misses.lock().unwrap_or_else(|e| e.into_inner());
        misses.check(
            &addr,
            self.policy.misses_per_address,
            self.policy.window,
            Instant::now(),
        )
    }

    /// Counts a request for a link that does not exist from `addr`.
    pub fn missed(&self, addr: Option<IpAddr>) {
        let Some(addr) = addr else { return };
        let mut misses = self.misses.lock().unwrap_or_else(|e| e.into_inner());
        let _ = misses.hit(
            addr,
            self.policy.misses_per_address,
            self.policy.window,
            Instant::now(),
        );
    }
}

/// A fixed-size key of a secret (its first 16 bytes; the secrets are 32 characters).
fn key_of(secret: &str) -> [u8; 16] {
    let mut key = [0u8; 16];
    for (k, b) in key.iter_mut().zip(secret.bytes()) {
        *k = b.to_ascii_lowercase();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> LinkLimits {
        LinkLimits::new(LinkLimitPolicy {
            submits_per_link: 3,
            misses_per_address: 2,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn a_link_takes_its_submits_then_waits_and_others_are_untouched() {
        let limits = small();
        let a = "0123456789abcdef0123456789abcdef";
        let b = "fedcba9876543210fedcba9876543210";
        for _ in 0..3 {
            assert_eq!(limits.submit(a), Ok(()));
        }
        let wait = limits.submit(a).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(limits.submit(b), Ok(()));
    }

    #[test]
    fn an_address_that_misses_too_often_is_locked_out_and_answers_do_not_count() {
        let limits = small();
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        let there: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(limits.allowed(Some(here)), Ok(()));
        limits.missed(Some(here));
        assert_eq!(limits.allowed(Some(here)), Ok(()));
        limits.missed(Some(here));
        assert!(limits.allowed(Some(here)).is_err());
        assert_eq!(limits.allowed(Some(there)), Ok(()));
        // Without an address (no listener) nothing is counted or refused.
        limits.missed(None);
        assert_eq!(limits.allowed(None), Ok(()));
    }
}
