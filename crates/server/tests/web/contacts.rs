//! The customer's contact page on both backends: consent recorded and withdrawn with the
//! history kept, preferences saved, a planned contact cancelled, every form behind the CSRF
//! token with hostile values refused, another manager's customer not found, and the page in
//! Russian without English.

use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{Channel, ContactState, NewContactLogEntry, Scope};
use reqwest::StatusCode;

use super::{Browser, after, assert_clean, on_both};

fn with(form: &[(&str, &str)], csrf: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    f.push(("csrf".into(), csrf.into()));
    f
}

async fn post(b: &Browser, path: &str, form: &[(String, String)]) -> super::Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &pairs).await
}

#[tokio::test]
async fn the_contact_page_records_consent_preferences_and_log_states() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("max", "/").await;
        let card = b.get(&format!("/customers/{}", f.alice)).await;
        assert!(
            card.body
                .contains(&format!("href=\"/customers/{}/contacts\"", f.alice)),
            "the card links to the page"
        );
        let path = format!("/customers/{}/contacts", f.alice);
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_clean(&page);
        assert!(page.body.contains("No consent has been recorded yet"));
        assert!(
            page.body
                .contains("Nothing has been planned, sent or exported")
        );

        let consents = format!("{path}/consents");
        let form = |granted: &'static str, day: &'static str| {
            [
                ("channel", "email"),
                ("granted", granted),
                ("day", day),
                ("source", "shop <form>"),
            ]
        };
        assert_eq!(
            b.post(&consents, &form("yes", "2025-01-10")).await.status,
            StatusCode::FORBIDDEN
        );
        let csrf = b.csrf().await;
        let saved = post(&b, &consents, &with(&form("yes", "2025-01-10"), &csrf)).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        assert_eq!(
            saved.location,
            Some(format!("{path}?done=consent#consents"))
        );
        post(&b, &consents, &with(&form("no", "2025-02-01"), &csrf)).await;
        for bad in [
            form("maybe", "2025-01-10"),
            form("yes", "2999-01-01"),
            form("yes", "10/01/2025"),
        ] {
            let r = post(&b, &consents, &with(&bad, &csrf)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        }
        let bad_channel = [
            ("channel", "pigeon"),
            ("granted", "yes"),
            ("day", "2025-01-10"),
        ];
        let r = post(&b, &consents, &with(&bad_channel, &csrf)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = b.get(&format!("{path}?done=consent")).await;
        assert!(page.body.contains("The consent was recorded."));
        let history = after(
            &page.body,
            "<table id=\"consent-history\">",
            "<tbody>",
            "</tbody>",
        )
        .unwrap();
        assert_eq!(
            history.matches("<tr").count(),
            2,
            "the withdrawal is kept beside the grant"
        );
        assert!(
            history.contains("shop &#60;form&#62;"),
            "escaped: {history}"
        );
        let in_force = after(
            &page.body,
            "<table id=\"consent-in-force\">",
            "<tbody>",
            "</tbody>",
        )
        .unwrap();
        assert!(
            in_force.contains("<td>E-mail</td><td class=\"state\">withdrawn</td>"),
            "{in_force}"
        );

        let prefs = format!("{path}/preferences");
        let good = [
            ("preferred", "sms"),
            ("time_zone", "Asia/Vladivostok"),
            ("quiet_start", "20:00"),
            ("quiet_end", "12:00"),
        ];
        assert_eq!(
            post(&b, &prefs, &with(&good, &csrf)).await.status,
            StatusCode::SEE_OTHER
        );
        for bad in [
            vec![("time_zone", "Mars/Olympus")],
            vec![("quiet_start", "20:00")],
            vec![("quiet_start", "24:00"), ("quiet_end", "08:00")],
            vec![("preferred", "fax")],
        ] {
            let r = post(&b, &prefs, &with(&bad, &csrf)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        }
        let stored = app
            .store
            .contact_preferences(Scope::All, f.alice)
            .await
            .unwrap();
        assert_eq!(stored.preferred_channel, Some(Channel::Sms));
        assert_eq!(stored.quiet_hours, Some((1200, 720)));

        let ids = app
            .store
            .record_contacts(&[NewContactLogEntry {
                customer_id: f.alice,
                channel: Channel::Sms,
                kind: MessageKind::Greeting,
                module: Module::Calendar,
                state: ContactState::Planned,
                planned_for: Some(1_741_590_000),
                subject: "birthday".into(),
                reason: Some("preferred channel".into()),
                user_id: None,
                author: Some("calendar".into()),
            }])
            .await
            .unwrap();
        let page = b.get(&path).await;
        let log = after(
            &page.body,
            "<table id=\"contact-log\"",
            "<tbody>",
            "</tbody>",
        )
        .unwrap();
        assert!(
            log.contains("greeting") && log.contains("calendar") && log.contains("planned"),
            "{log}"
        );
        let state = format!("{path}/log/{}", ids[0]);
        let done = post(&b, &state, &with(&[("state", "cancelled")], &csrf)).await;
        assert_eq!(done.location, Some(format!("{path}?done=cancelled#log")));
        let r = post(&b, &state, &with(&[("state", "lost")], &csrf)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let log = app
            .store
            .contact_log(
                Scope::All,
                &clientele_store::ContactLogFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(log[0].state, ContactState::Cancelled);

        // Another manager's customer: not found, to read or to write.
        let other = format!("/customers/{}/contacts", f.vera);
        assert_eq!(b.get(&other).await.status, StatusCode::NOT_FOUND);
        let r = post(
            &b,
            &format!("{other}/consents"),
            &with(&form("yes", "2025-01-10"), &csrf),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // In Russian, no English words.
        let ru = Browser {
            language: Some("ru-RU,ru;q=0.9"),
            ..Browser::new(&app)
        };
        ru.login("max", "/").await;
        let page = ru.get(&path).await;
        assert_clean(&page);
        for word in [
            "Consent in force",
            "withdrawn",
            "Contact log",
            "planned",
            "Save preferences",
        ] {
            assert!(
                !page.body.contains(word),
                "English '{word}' on the Russian page"
            );
        }
        assert!(page.body.contains("Действующие согласия") && page.body.contains("отозвано"));
        app
    })
    .await;
}
