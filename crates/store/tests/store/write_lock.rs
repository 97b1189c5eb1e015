//! Issue 23, item 3: transactions that read before they write start with `BEGIN IMMEDIATE` on
//! SQLite, so two writers at once wait their turn under the busy timeout instead of one failing
//! with "database is locked" (a deferred transaction's read snapshot cannot be upgraded to a
//! write once another writer has committed, and SQLite does not wait on that).

use clientele_core::Money;
use clientele_store::{Channel, NewCustomer, QueueOutcomeRecord, Role, Scope, Store};

use crate::{day, on_both};

/// Rounds each writer makes.
const ROUNDS: i64 = 40;

async fn outcomes(store: &Store, user: &clientele_store::User, customer: i64, first_day: i32) {
    for i in 0..ROUNDS {
        let record = QueueOutcomeRecord {
            day: day(2026, 1, 1).plus_days(first_day + i as i32),
            customer_id: customer,
            action: "call".into(),
            channel: Some(Channel::Phone),
            outcome: "answered".into(),
            cost: Money::from_major(1),
            snooze_until: None,
            note: None,
        };
        store
            .record_queue_outcome(Scope::All, user, &record)
            .await
            .unwrap_or_else(|e| panic!("{:?}: queue outcome {i}: {e}", store.backend()));
    }
}

async fn notes(store: &Store, user: &clientele_store::User, customer: i64) {
    for i in 0..ROUNDS {
        store
            .add_note_audited(Scope::All, customer, user, &format!("note {i}"))
            .await
            .unwrap_or_else(|e| panic!("{:?}: note {i}: {e}", store.backend()));
    }
}

#[test]
fn queue_outcomes_and_notes_written_at_once_all_commit() {
    on_both(|store| async move {
        let user = store.add_user("max", Role::Manager).await.unwrap().user;
        let mut ids = Vec::new();
        for n in 0..2 {
            ids.push(
                store
                    .upsert_customer(&NewCustomer {
                        external_id: format!("C-{n}"),
                        ..NewCustomer::default()
                    })
                    .await
                    .unwrap(),
            );
        }
        // Two writers of each kind at once, each on its own pool connection.
        tokio::join!(
            outcomes(&store, &user, ids[0], 0),
            outcomes(&store, &user, ids[1], 0),
            notes(&store, &user, ids[0]),
            notes(&store, &user, ids[1]),
        );
        for &c in &ids {
            assert_eq!(store.notes(c).await.unwrap().len(), ROUNDS as usize);
        }
        // Every write left its audit entry: 2 x 40 outcomes and 2 x 40 notes.
        assert_eq!(
            store.audit_entries(None, 1000).await.unwrap().len(),
            4 * ROUNDS as usize
        );
    });
}
