//! Tombstones of erased customers: the HMAC-SHA256 of the external id a customer had when their
//! personal data was erased, under a key kept in the database (`store_secrets`; see
//! `migrations/sqlite/0031_erasure.sql` for why there). Every path that creates customers (order
//! imports, the API, customers files) asks here first, so an erased person is never created again
//! from a re-imported export: their lines are refused with the reason.

use std::collections::HashSet;

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// The name of the tombstone key in `store_secrets`.
const KEY_NAME: &str = "tombstone_key";

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The tombstones of a store, read once (at the start of an import) and asked per line.
#[derive(Clone)]
pub(crate) struct Tombstones {
    key: Vec<u8>,
    erased: HashSet<String>,
}

impl std::fmt::Debug for Tombstones {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tombstones")
            .field("erased", &self.erased.len())
            .finish()
    }
}

impl Tombstones {
    /// The tombstone of an external id (hex).
    pub(crate) fn mark(&self, external_id: &str) -> String {
        hex(&hmac_sha256(&self.key, external_id.as_bytes()))
    }

    /// Whether the customer with this external id was erased.
    pub(crate) fn is_erased(&self, external_id: &str) -> bool {
        !self.erased.is_empty() && self.erased.contains(&self.mark(external_id))
    }
}

/// The reason given for a line or a row of an erased customer.
pub fn erased_reason(external_id: &str) -> String {
    format!(
        "customer '{external_id}' was erased on request: nothing about them is stored again \
         (their orders are not imported)"
    )
}

impl Store {
    /// The tombstone key, created (32 random bytes) on first use.
    async fn tombstone_key(&self) -> Result<Vec<u8>> {
        let sql = "SELECT value FROM store_secrets WHERE name = $1";
        let mut stored: Option<String> = dispatch!(self, pool => {
            sqlx::query_scalar(sql).bind(KEY_NAME).fetch_optional(pool).await?
        });
        if stored.is_none() {
            let mut fresh = [0u8; 32];
            rand::rng().fill_bytes(&mut fresh);
            // Two processes creating it at once: the first one's key is kept and read back.
            stored = Some(dispatch!(self, pool => {
                sqlx::query(
                    "INSERT INTO store_secrets (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(KEY_NAME)
                .bind(hex(&fresh))
                .execute(pool)
                .await?;
                sqlx::query_scalar(sql).bind(KEY_NAME).fetch_one(pool).await?
            }));
        }
        stored
            .as_deref()
            .and_then(unhex)
            .ok_or_else(|| StoreError::Unreadable {
                column: "store_secrets.value",
                value: "(the tombstone key, not shown)".into(),
            })
    }

    /// Every tombstone, with the key to test ids against them.
    pub(crate) async fn tombstones(&self) -> Result<Tombstones> {
        let key = self.tombstone_key().await?;
        let erased: Vec<String> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT id_hmac FROM erased_customers")
                .fetch_all(pool)
                .await?
        });
        Ok(Tombstones {
            key,
            erased: erased.into_iter().collect(),
        })
    }

    /// Whether the customer with this external id was erased (so must not be created again).
    pub async fn is_erased_id(&self, external_id: &str) -> Result<bool> {
        let key = self.tombstone_key().await?;
        let mark = hex(&hmac_sha256(&key, external_id.as_bytes()));
        let found: Option<String> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT id_hmac FROM erased_customers WHERE id_hmac = $1")
                .bind(&mark)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// Fails with `Invalid` on `field` if the customer with this external id was erased.
    pub(crate) async fn refuse_erased(&self, field: &'static str, external_id: &str) -> Result<()> {
        if self.is_erased_id(external_id).await? {
            return Err(StoreError::invalid(field, erased_reason(external_id)));
        }
        Ok(())
    }

    /// The tombstone to write when erasing the customer with this external id, stamped now.
    pub(crate) async fn tombstone_for(&self, external_id: &str) -> Result<(String, i64)> {
        let key = self.tombstone_key().await?;
        Ok((hex(&hmac_sha256(&key, external_id.as_bytes())), now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test cases 1, 2 and 6 (a key longer than the block).
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn hex_reads_back() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }
}
