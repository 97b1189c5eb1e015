//! The contact log's filters the `/contact-log` page reads: channel, outcome and paging, with
//! the older ones, on both backends.

use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{
    Channel, ContactLogFilter, ContactState, NewContactLogEntry, NewCustomer, Scope, StoreError,
};

use crate::on_both;

fn planned(customer: i64, at: i64, channel: Channel) -> NewContactLogEntry {
    NewContactLogEntry {
        customer_id: customer,
        channel,
        kind: MessageKind::Offer,
        module: Module::Campaigns,
        state: ContactState::Planned,
        planned_for: Some(at),
        subject: format!("offer {at}"),
        reason: None,
        user_id: None,
        author: Some("test".into()),
    }
}

#[test]
fn the_log_filters_by_channel_and_outcome_and_pages_without_gaps() {
    on_both(|store| async move {
        let anna = store
            .upsert_customer(&NewCustomer {
                external_id: "anna".into(),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        // 7 e-mails and 5 SMS planned at distinct times: 12 rows, newest first by time.
        let mut entries = Vec::new();
        for n in 0..12i64 {
            let channel = if n % 12 < 7 {
                Channel::Email
            } else {
                Channel::Sms
            };
            entries.push(planned(anna, 1_000_000 + n * 10, channel));
        }
        store.record_contacts(&entries).await.unwrap();
        // Two calls made by hand, one answered, one not.
        for outcome in ["answered", "no_answer"] {
            store
                .log_contact(anna, Channel::Phone, true, None, "call", Some(outcome))
                .await
                .unwrap();
        }
        let read = |filter: ContactLogFilter| {
            let store = store.clone();
            async move { store.contact_log(Scope::All, &filter).await.unwrap() }
        };
        let emails = read(ContactLogFilter {
            channel: Some(Channel::Email),
            limit: 100,
            ..ContactLogFilter::default()
        })
        .await;
        assert_eq!(emails.len(), 7);
        assert!(emails.iter().all(|e| e.channel == "email"));
        let answered = read(ContactLogFilter {
            outcome: Some("answered".into()),
            limit: 100,
            ..ContactLogFilter::default()
        })
        .await;
        assert_eq!(answered.len(), 1);
        assert_eq!(answered[0].outcome.as_deref(), Some("answered"));
        assert_eq!(answered[0].channel, "phone");
        // Pages of 5 over the 12 planned rows: 5, 5, 2, every row once, in order.
        let mut seen = Vec::new();
        for page in 0..4u64 {
            let rows = read(ContactLogFilter {
                state: Some(ContactState::Planned),
                limit: 5,
                offset: page * 5,
                ..ContactLogFilter::default()
            })
            .await;
            assert_eq!(rows.len(), [5, 5, 2, 0][page as usize], "page {page}");
            seen.extend(rows.into_iter().map(|r| r.planned_for.unwrap()));
        }
        let expected: Vec<i64> = (0..12).rev().map(|n| 1_000_000 + n * 10).collect();
        assert_eq!(seen, expected, "newest first, no row twice or missed");
        // An offset past what the database can count is refused, not wrapped.
        assert!(matches!(
            store
                .contact_log(
                    Scope::All,
                    &ContactLogFilter {
                        limit: 5,
                        offset: u64::MAX,
                        ..ContactLogFilter::default()
                    },
                )
                .await,
            Err(StoreError::Invalid {
                field: "offset",
                ..
            })
        ));
    });
}
