//! `GET /api/v1/contact-log` with the filters the contact-log page uses (channel, outcome) and
//! paging by offset, on both backends: each filter narrows to the rows logged below, pages
//! cover the log once, hostile values are refused naming the parameter.

use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{Channel, ContactState, NewContactLogEntry, Role};
use reqwest::StatusCode;

use super::{error_field, on_both};

#[tokio::test]
async fn the_log_filters_by_channel_and_outcome_and_pages_by_offset() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let anna = app.customer("anna", "Anna").await;
        // Five planned e-mails and two SMS at distinct times, and a call answered by hand.
        let entries: Vec<NewContactLogEntry> = (0..7i64)
            .map(|n| NewContactLogEntry {
                customer_id: anna,
                channel: if n < 5 { Channel::Email } else { Channel::Sms },
                kind: MessageKind::Offer,
                module: Module::Campaigns,
                state: ContactState::Planned,
                planned_for: Some(1_700_000_000 + n * 60),
                subject: format!("offer {n}"),
                reason: None,
                user_id: None,
                author: Some("test".into()),
            })
            .collect();
        app.store.record_contacts(&entries).await.unwrap();
        app.store
            .log_contact(anna, Channel::Phone, true, None, "call", Some("answered"))
            .await
            .unwrap();
        let items = |body: &serde_json::Value| body["items"].as_array().unwrap().clone();

        let (s, sms) = app.get("/api/v1/contact-log?channel=sms", &admin).await;
        assert_eq!(s, StatusCode::OK, "{sms}");
        let sms = items(&sms);
        assert_eq!(sms.len(), 2);
        assert!(sms.iter().all(|r| r["channel"] == "sms"));
        let (_, answered) = app
            .get("/api/v1/contact-log?outcome=answered", &admin)
            .await;
        let answered = items(&answered);
        assert_eq!(answered.len(), 1);
        assert_eq!(answered[0]["channel"], "phone");

        // Pages of three over the seven planned rows: offer 6..4, 3..1, 0.
        let mut seen = Vec::new();
        for offset in [0, 3, 6, 9] {
            let (s, page) = app
                .get(
                    &format!("/api/v1/contact-log?state=planned&limit=3&offset={offset}"),
                    &admin,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{page}");
            seen.extend(
                items(&page)
                    .iter()
                    .map(|r| r["subject"].as_str().unwrap().to_string()),
            );
        }
        let expected: Vec<String> = (0..7).rev().map(|n| format!("offer {n}")).collect();
        assert_eq!(seen, expected, "newest first, each row once");

        for (q, field) in [
            ("channel=fax", "channel"),
            ("outcome=maybe", "outcome"),
            ("offset=10000001", "offset"),
            ("offset=-1", "offset"),
        ] {
            let (s, body) = app.get(&format!("/api/v1/contact-log?{q}"), &admin).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
            assert_eq!(error_field(&body), field, "{q}: {body}");
        }
        app
    })
    .await;
}
