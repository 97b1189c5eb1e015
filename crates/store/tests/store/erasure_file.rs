//! Issue 23, item 6: after an erasure the SQLite database's files — the main file and its
//! write-ahead log — hold no readable copy of the customer's personal data. The bytes of both
//! are scanned for the name, the e-mail address, the phone number and a note's text; the same
//! scan before the erasure finds each of them, so it is able to fail (and it does fail when
//! `Store::scrub` is skipped: the old pages stay in the log and the main file).

use std::path::{Path, PathBuf};

use clientele_store::{Channel, NewCustomer, Store};
use clientele_testdb::{Backend, TestDb};

const NAME: &str = "Zinaida Quetzalcoatlova";
const EMAIL: &str = "zinaida.quetzal@example.org";
const PHONE: &str = "+79155550199";
const NOTE: &str = "Prefers the blue Xylophonia teapots";

/// The database file and the files SQLite keeps beside it (those that exist).
fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|p| p.exists())
        .collect()
}

/// Which of `needles` occur in the bytes of `files`.
fn found_in(files: &[PathBuf], needles: &[&str]) -> Vec<String> {
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    needles
        .iter()
        .filter(|n| {
            bytes
                .iter()
                .any(|b| b.windows(n.len()).any(|w| w == n.as_bytes()))
        })
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn an_erased_customer_leaves_no_readable_copy_in_the_sqlite_file_or_its_log() {
    let db = TestDb::new(Backend::Sqlite);
    let path = PathBuf::from(db.url.strip_prefix("sqlite://").unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::connect(&db.url).await.unwrap();
        // A second customer whose data must stay.
        let kept = store
            .upsert_customer(&NewCustomer {
                external_id: "kept-1".into(),
                name: Some("Boris Keptovich".into()),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        let id = store
            .upsert_customer(&NewCustomer {
                external_id: "zq-2041".into(),
                name: Some(NAME.into()),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        store.add_contact(id, Channel::Email, EMAIL).await.unwrap();
        store.add_contact(id, Channel::Phone, PHONE).await.unwrap();
        store.add_note(id, "anna", None, NOTE).await.unwrap();
        assert_ne!(kept, id);
        let needles = [NAME, EMAIL, PHONE, NOTE];
        let files = database_files(&path);
        assert_eq!(
            found_in(&files, &needles),
            needles.to_vec(),
            "before the erasure every value is in {files:?}"
        );

        store.erase_customer(id, "admin").await.unwrap();

        let files = database_files(&path);
        assert!(files.iter().any(|f| f == &path), "{files:?}");
        let left = found_in(&files, &needles);
        assert!(
            left.is_empty(),
            "still readable after the erasure: {left:?} in {files:?}"
        );
        // The other customer is intact (the scan is not passing on an emptied file).
        assert_eq!(found_in(&files, &["Boris Keptovich"]).len(), 1);
        store.close().await;
        let files = database_files(&path);
        assert!(
            found_in(&files, &needles).is_empty(),
            "after closing: {files:?}"
        );
    });
}
