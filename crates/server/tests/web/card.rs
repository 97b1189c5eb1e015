//! The card a manager works from (issue 24, items 6 and 8) on both backends: a prospect's card
//! explains instead of showing empty sections; a buyer's card shows the named RFM segment, the
//! contact history, win-back attempts, survey answers, complaints, touches, who referred them
//! and whom they referred, whether they are an image client; an overdue expected purchase is
//! said as such; namesakes are told apart in the lists; another manager's customer shows
//! nothing; the Russian card has no English catalogue words of its own.

use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{
    CaseSource, Channel, ContactState, CustomerProfileUpdate, FeedbackRecord, NewAttempt, NewCase,
    NewContactLogEntry, Scope, Store, SurveyRecord, TouchKind, TouchRecord,
};
use reqwest::StatusCode;

use super::{Browser, D2, after, assert_clean, day, on_both};

/// The card's `<dd>` after the `<dt>` whose text is `key`.
fn pair<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    after(html, &format!("<dt>{key}</dt>"), "<dd", "</dd>").map(|s| &s[s.find('>').unwrap() + 1..])
}

/// The rows of the card's activity table `id` (cells of each row, as text).
fn table(html: &str, id: &str) -> Vec<Vec<String>> {
    let Some(body) = after(html, &format!("<table id=\"{id}\">"), "<tbody>", "</tbody>") else {
        return Vec::new();
    };
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|c| c[..c.find("</td>").unwrap()].to_string())
                .collect()
        })
        .collect()
}

async fn set_referrer(store: &Store, customer: i64, referrer: &str) {
    store
        .update_profile(
            customer,
            &CustomerProfileUpdate {
                referrer: Some(referrer.into()),
                ..CustomerProfileUpdate::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_card_shows_activity_relations_and_explains_a_prospect() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let store = &app.store;
        let d = |m, dd| day(2024, m, dd);
        // Boris: a touch, an NPS answer of 6 (a detractor), a complaint, a
        // planned reminder in the contact log, a win-back case with one attempt; he referred
        // Alice and Vera; he is an image client.
        store
            .add_touch(
                f.boris,
                &TouchRecord {
                    day: d(3, 2),
                    kind: TouchKind::Visit,
                    channel: Some("visit".into()),
                    note: Some("came to <the> shop".into()),
                },
            )
            .await
            .unwrap();
        store
            .add_survey_response(
                f.boris,
                &SurveyRecord {
                    day: d(5, 6),
                    nps: Some(6),
                    comment: Some("slow delivery".into()),
                    source: "survey".into(),
                },
            )
            .await
            .unwrap();
        store
            .add_feedback(
                f.boris,
                &FeedbackRecord {
                    day: d(5, 7),
                    kind: "complaint".into(),
                    body: "the parcel was late".into(),
                    resolved_at: None,
                },
            )
            .await
            .unwrap();
        store
            .record_contacts(&[NewContactLogEntry {
                customer_id: f.boris,
                channel: Channel::Phone,
                kind: MessageKind::Reminder,
                module: Module::Manual,
                state: ContactState::Planned,
                planned_for: Some(1_727_000_000),
                subject: "reminder about the order".into(),
                reason: None,
                user_id: None,
                author: Some("ada".into()),
            }])
            .await
            .unwrap();
        let ada = store.user_by_name("ada").await.unwrap();
        let opened = store
            .open_cases(
                Scope::All,
                &ada,
                &[NewCase {
                    customer_id: f.boris,
                    day: d(9, 20),
                    source: CaseSource::Manual,
                    reason: None,
                    reason_text: None,
                    offer: None,
                    channel: Some(Channel::Phone),
                    window_days: 60,
                }],
            )
            .await
            .unwrap();
        store
            .add_attempt(
                Scope::All,
                &ada,
                &NewAttempt {
                    case_id: opened[0].case_id,
                    day: d(9, 21),
                    channel: Channel::Phone,
                    outcome: "promised".into(),
                    note: Some("will call back".into()),
                },
            )
            .await
            .unwrap();
        set_referrer(store, f.alice, "C3").await;
        set_referrer(store, f.vera, "C3").await;
        store
            .update_profile(
                f.boris,
                &CustomerProfileUpdate {
                    image_client: Some(true),
                    ..CustomerProfileUpdate::default()
                },
            )
            .await
            .unwrap();
        store
            .add_contact(f.boris, Channel::Phone, "+7 (903) 446-96-27")
            .await
            .unwrap();

        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let page = b.get(&format!("/customers/{}", f.boris)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_clean(&page);
        let html = &page.body;
        // The named segment (issue 24 item 8): A and 555, the champions' cell.
        assert_eq!(pair(html, "Segment"), Some("A · Champions (RFM 555)"));
        assert_eq!(pair(html, "Image client"), Some("yes"));
        let referrals = pair(html, "Referred customers").expect("referrals");
        assert!(
            referrals.contains(&format!("href=\"/customers/{}\">Alice</a>", f.alice))
                && referrals.contains(&format!("href=\"/customers/{}\">Vera</a>", f.vera))
                && referrals.contains("<span class=\"mark\">C1</span>"),
            "{referrals}"
        );
        // The activity, newest first, each row what was stored.
        // The planned reminder and the contact the win-back attempt logged.
        let log = table(html, "contact-history");
        assert_eq!(log.len(), 2, "{html}");
        let reminder = log
            .iter()
            .find(|r| r[4] == "reminder about the order")
            .unwrap_or_else(|| panic!("{log:?}"));
        assert_eq!(reminder[1], "Phone");
        assert_eq!(reminder[3], "planned");
        assert_eq!(reminder[6], "ada");
        assert!(
            log.iter().any(|r| r[5] == "Promised to come back"
                && r[4] == format!("win-back case {}", opened[0].case_id)),
            "{log:?}"
        );
        assert_eq!(
            table(html, "winback-attempts"),
            vec![vec![
                "2024-09-21".to_string(),
                "Phone".into(),
                "Promised to come back".into(),
                "will call back".into(),
                "ada".into()
            ]]
        );
        assert_eq!(
            table(html, "answers"),
            vec![vec![
                "2024-05-06".to_string(),
                "NPS".into(),
                "6/10 · detractor".into(),
                "slow delivery".into()
            ]]
        );
        assert_eq!(
            table(html, "feedback"),
            vec![vec![
                "2024-05-07".to_string(),
                "complaint".into(),
                "the parcel was late".into(),
                "open".into()
            ]]
        );
        assert_eq!(
            table(html, "touches"),
            vec![vec![
                "2024-03-02".to_string(),
                "Visit".into(),
                "Visit".into(),
                "came to &#60;the&#62; shop".into()
            ]]
        );
        assert!(!html.contains("id=\"prospect-note\""));

        // Alice names her referrer, with his mark (number and phone tail).
        let alice = b.get(&format!("/customers/{}", f.alice)).await.body;
        let referrer = pair(&alice, "Referred by").expect("referrer");
        assert!(
            referrer.contains(&format!("href=\"/customers/{}\">Boris</a>", f.boris))
                && referrer.contains("C3 · …9627"),
            "{referrer}"
        );
        assert!(alice.contains("id=\"activity-empty\""), "{alice}");
        assert_eq!(pair(&alice, "Image client"), Some("no"));

        // Gleb never bought: the card explains, with no status, value or segment rows, no
        // empty order table and no status columns in the history.
        let gleb = b.get(&format!("/customers/{}", f.gleb)).await;
        assert_clean(&gleb);
        let gleb = gleb.body;
        assert!(gleb.contains("id=\"prospect-note\""), "{gleb}");
        assert!(gleb.contains("id=\"no-orders\""));
        assert!(!gleb.contains("id=\"order-list\""));
        for key in ["Status", "Revenue", "Profit", "Segment", "Sub-group"] {
            assert_eq!(pair(&gleb, key), None, "{key} on a prospect's card");
        }
        assert!(!gleb.contains("id=\"status-rule\""));

        // A manager sees only their customers: Vera is not max's.
        let m = Browser::new(&app);
        m.login("max", "/").await;
        let other = m.get(&format!("/customers/{}", f.vera)).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert!(!other.body.contains("Boris"));

        // The Russian card: the catalogue's words, not the English ones.
        let mut r = Browser::new(&app);
        r.language = Some("ru");
        r.login("ada", "/").await;
        let ru = r.get(&format!("/customers/{}", f.boris)).await.body;
        assert!(ru.contains("Чемпионы (RFM 555)"), "{ru}");
        assert!(ru.contains("6/10 · критик"));
        // The contact the attempt logged, in Russian words: its subject and outcome.
        let log = table(&ru, "contact-history");
        let attempt = log
            .iter()
            .find(|r| r[5] == "Обещал вернуться")
            .unwrap_or_else(|| panic!("{log:?}"));
        assert_eq!(
            attempt[4],
            format!("возврат клиента, случай {}", opened[0].case_id)
        );
        for english in [
            "Champions",
            "detractor",
            "Complaint",
            "Contact history",
            "win-back case",
            "promised",
        ] {
            assert!(!ru.contains(english), "'{english}' on the Russian card");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn an_expected_purchase_already_past_at_the_snapshot_is_called_overdue() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let (next, d2) = (day(2024, 8, 1), day(D2.0, D2.1, D2.2));
        let sql =
            "UPDATE score_snapshots SET next_purchase = $1 WHERE customer_id = $2 AND as_of = $3";
        macro_rules! set_next {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(i64::from(next.days_since_epoch()))
                    .bind(f.vera)
                    .bind(i64::from(d2.days_since_epoch()))
                    .execute($pool)
                    .await
                    .map(|_| ())
                    .unwrap()
            };
        }
        match &app.store {
            Store::Sqlite(p) => set_next!(p),
            Store::Postgres(p) => set_next!(p),
        };
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let html = b.get(&format!("/customers/{}", f.vera)).await.body;
        // 2024-08-01 to the snapshot of 2024-10-01: 61 days.
        assert_eq!(
            pair(&html, "Next purchase expected"),
            Some("was expected on 2024-08-01 (61 days ago)")
        );
        app
    })
    .await;
}

#[tokio::test]
async fn namesakes_are_told_apart_on_every_list() {
    on_both(|app| async move {
        let f = app.fixture().await;
        // A second "Boris", with a phone: the lists show each one's number (and phone tail).
        let twin = app.customer("C9", "Boris", None).await;
        app.store
            .add_contact(twin, Channel::Sms, "8-916-000-12-34")
            .await
            .unwrap();
        let marks = app
            .store
            .customer_marks(&[f.boris, twin, 999_999])
            .await
            .unwrap();
        assert_eq!(marks.len(), 2, "an unknown id has no mark");
        assert_eq!(marks[&twin].phone_tail.as_deref(), Some("1234"));
        assert_eq!(marks[&f.boris].phone_tail, None);
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let today = b.get("/today").await.body;
        assert!(
            today.contains(&format!(
                "<a href=\"/customers/{}\">Boris</a> <span class=\"mark\">C3</span>",
                f.boris
            )),
            "{today}"
        );
        let customers = b.get("/customers?q=Boris").await.body;
        assert!(customers.contains("<td class=\"external-id\">C3</td>"));
        assert!(customers.contains("<td class=\"external-id\">C9</td>"));
        app
    })
    .await;
}

/// Sets a snapshot column of one customer on both backends.
async fn set_column(
    store: &Store,
    column: &str,
    value: f64,
    customer: i64,
    as_of: clientele_core::Day,
) {
    let sql =
        format!("UPDATE score_snapshots SET {column} = $1 WHERE customer_id = $2 AND as_of = $3");
    macro_rules! run {
        ($pool:expr) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(value)
                .bind(customer)
                .bind(i64::from(as_of.days_since_epoch()))
                .execute($pool)
                .await
                .map(|_| ())
                .unwrap()
        };
    }
    match store {
        Store::Sqlite(p) => run!(p),
        Store::Postgres(p) => run!(p),
    }
}

#[tokio::test]
async fn the_card_page_and_the_api_agree_and_the_value_page_names_segments() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let d2 = day(D2.0, D2.1, D2.2);
        set_column(&app.store, "p_alive", 0.42, f.boris, d2).await;
        set_column(&app.store, "clv", 1234.5, f.boris, d2).await;
        set_column(&app.store, "stability", 0.8, f.boris, d2).await;
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let html = b.get(&format!("/customers/{}", f.boris)).await.body;
        assert_eq!(pair(&html, "Still with us (chance)"), Some("0.42"));
        assert_eq!(
            pair(&html, "Regularity of purchases"),
            Some("0.80 (1 is like clockwork, 0 is erratic)")
        );
        let clv = after(&html, "<dt>Lifetime value", "<dd>", "</dd>").expect("the CLV");
        assert!(clv.starts_with("1,234.50"), "{clv}");
        assert_eq!(
            pair(&html, "Why this status"),
            Some("buys every 14 ± 2 days, 9 days late")
        );

        let token = app
            .store
            .add_user("api", clientele_store::Role::Analyst)
            .await
            .unwrap()
            .token;
        let card: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/v1/customers/{}", app.base, f.boris))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let latest = &card["scores"][0];
        assert_eq!(latest["rfm"], "555", "{card}");
        assert_eq!(latest["rfm_segment"], "champions");
        assert_eq!(latest["p_alive"], 0.42);
        assert_eq!(latest["clv"], "1234.50");
        assert_eq!(
            latest["status_reason"],
            "late_by_rhythm every=14 spread=2 late=9"
        );
        assert_eq!(card["scores"][1]["p_alive"], serde_json::Value::Null);
        // The OpenAPI document describes the new fields.
        let doc: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let score = &doc["components"]["schemas"]["Score"]["properties"];
        for field in [
            "rfm_segment",
            "p_alive",
            "clv",
            "status_reason",
            "next_purchase",
        ] {
            assert!(
                score.get(field).is_some(),
                "{field} not in the document: {score}"
            );
        }

        // The value page sums the RFM cells into named segments: 545 and 555 are champions
        // (Alice 1,000 and Boris 2,000), 335 needs attention (500), 111 hibernates (100).
        let value = b.get("/value").await;
        assert_clean(&value);
        let table = after(
            &value.body,
            "id=\"rfm-segment-table\"",
            "<tbody>",
            "</tbody>",
        )
        .expect("the named segments table");
        let rows: Vec<&str> = table.split("<tr ").skip(1).collect();
        assert_eq!(rows.len(), 3, "{table}");
        assert!(rows[0].starts_with("data-segment=\"champions\""), "{table}");
        assert!(rows[0].contains("<th scope=\"row\">Champions</th>"));
        assert!(rows[0].contains("<td class=\"customers num\">2</td>"));
        assert!(rows[0].contains("3,000.00"), "{}", rows[0]);
        assert!(
            rows[0].contains("50.0%") || rows[0].contains("50%"),
            "{}",
            rows[0]
        );
        assert!(table.contains("data-segment=\"need_attention\""));
        assert!(table.contains("data-segment=\"hibernating\""));
        app
    })
    .await;
}

#[tokio::test]
async fn the_value_page_counts_image_clients_referrals_and_regularity() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let d2 = day(D2.0, D2.1, D2.2);
        app.store
            .update_profile(
                f.boris,
                &CustomerProfileUpdate {
                    image_client: Some(true),
                    ..CustomerProfileUpdate::default()
                },
            )
            .await
            .unwrap();
        set_referrer(&app.store, f.alice, "C3").await;
        set_column(&app.store, "stability", 0.8, f.boris, d2).await;
        set_column(&app.store, "stability", 0.5, f.alice, d2).await;
        let r = app.store.snapshot_relations(Scope::All, d2).await.unwrap();
        // Four buyers at D2 (Gleb never bought): Alice 1,000, <script> 500, Boris 2,000, Vera 100.
        assert_eq!(r.buyers.customers, 4);
        assert_eq!(r.image_clients.customers, 1);
        assert_eq!(r.image_clients.revenue.to_string(), "2000.00");
        assert_eq!(r.image_clients.profit.to_string(), "800.00");
        assert_eq!(r.referred.customers, 1);
        assert_eq!(r.referred.revenue.to_string(), "1000.00");
        assert_eq!(r.referrers.customers, 1);
        assert_eq!(r.referrers.revenue.to_string(), "2000.00");
        assert_eq!((r.steady, r.uneven, r.erratic, r.no_rhythm), (1, 1, 0, 2));
        // max manages Alice and Boris only.
        let max = app.store.user_by_name("max").await.unwrap();
        let mine = app
            .store
            .snapshot_relations(Scope::Manager(max.id), d2)
            .await
            .unwrap();
        assert_eq!(mine.buyers.customers, 2);

        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let page = b.get("/value").await;
        assert_clean(&page);
        let row = |group: &str| {
            after(&page.body, &format!("data-group=\"{group}\""), "", "</tr>")
                .unwrap_or_else(|| panic!("no row {group}: {}", page.body))
                .to_string()
        };
        let image = row("image-clients");
        assert!(
            image.contains("<td class=\"customers num\">1</td>")
                && image.contains("25.0%")
                && image.contains("2,000.00")
                && image.contains("800.00"),
            "{image}"
        );
        assert!(row("steady").contains("<td class=\"customers num\">1</td>"));
        assert!(row("no-rhythm").contains("<td class=\"customers num\">2</td>"));
        app
    })
    .await;
}
