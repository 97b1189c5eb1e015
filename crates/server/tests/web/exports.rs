//! Today's and the lost list as downloads on both backends (issue 24 items 1 and 7): every
//! channel and contact a `.csv` or `.xlsx` exports is held to the customer's consent history,
//! read independently of the store's `reach`; Excel's CSV for Russian readers and `?excel=1`;
//! a manager's file holds only their customers.

use clientele_store::{Channel, ConsentRecord};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};

use super::{Browser, TestApp, day, on_both, today};

/// The plain CSV's rows (header first).
fn plain_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// What the consent history says of `channel` on `day`, read by hand: the latest consent
/// recorded on or before that day (by day, then as recorded) decides; none means no.
fn in_force(history: &[ConsentRecord], channel: Channel, on: clientele_core::Day) -> bool {
    history
        .iter()
        .rfind(|c| c.channel == channel && c.day <= on)
        .is_some_and(|c| c.granted)
}

/// Every row of a plain export against the store's consent history and contact details.
async fn check_against_history(app: &TestApp, rows: &[Vec<String>]) {
    assert_eq!(
        rows[0],
        [
            "customer_id",
            "external_id",
            "name",
            "rung",
            "revenue",
            "last_purchase",
            "days_since_last",
            "reason",
            "action",
            "channel",
            "contact"
        ]
    );
    let on = today();
    for row in &rows[1..] {
        let id: i64 = row[0].parse().unwrap();
        let history = app.store.consents(id).await.unwrap();
        let contacts = app.store.contacts(id).await.unwrap();
        let consented: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|&c| in_force(&history, c, on))
            .collect();
        let channel = row[9].as_str();
        // CSV guards a value a spreadsheet would run (`+7…` included) with an apostrophe.
        let contact = match row[10].strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
            _ => row[10].as_str(),
        };
        match Channel::parse(channel) {
            Some(c) => {
                assert!(
                    consented.contains(&c),
                    "customer {id}: {c:?} without consent"
                );
                assert!(
                    contacts
                        .iter()
                        .any(|k| k.channel == c && k.value == contact),
                    "customer {id}: {contact:?} is not a {c:?} contact of theirs"
                );
            }
            None => {
                assert_eq!(contact, "", "customer {id}: a contact without a channel");
                let reachable = consented
                    .iter()
                    .any(|c| contacts.iter().any(|k| k.channel == *c));
                assert!(
                    !reachable,
                    "customer {id}: a consented channel was not offered"
                );
                let want = if consented.is_empty() {
                    "no_consented_channel"
                } else {
                    "no_contact_details"
                };
                assert_eq!(channel, want, "customer {id}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_downloads_export_only_consented_contacts() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let store = &app.store;
        let consent = |channel, granted, d| ConsentRecord {
            channel,
            granted,
            day: d,
            source: "test".into(),
        };
        // Boris prefers e-mail: the withdrawal is recorded before the older grant it overrides;
        // the phone is consented. → phone, his number, never his address.
        store
            .add_contact(f.boris, Channel::Email, "boris@example.com")
            .await
            .unwrap();
        store
            .add_contact(f.boris, Channel::Phone, "+70000000001")
            .await
            .unwrap();
        for c in [
            consent(Channel::Email, false, day(2024, 5, 1)),
            consent(Channel::Email, true, day(2024, 1, 1)),
            consent(Channel::Phone, true, day(2024, 5, 1)),
        ] {
            store.record_consent(f.boris, &c).await.unwrap();
        }
        // <script> has a number and a phone consent that starts next month: not yet in force.
        store
            .add_contact(f.hostile, Channel::Phone, "=HYPERLINK(\"x\")")
            .await
            .unwrap();
        store
            .record_consent(
                f.hostile,
                &consent(Channel::Phone, true, today().plus_days(30)),
            )
            .await
            .unwrap();
        // Vera consented to e-mail but has no address, and has a phone without consent.
        store
            .add_contact(f.vera, Channel::Phone, "+70000000004")
            .await
            .unwrap();
        store
            .record_consent(f.vera, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();

        let b = Browser::new(&app);
        b.login("ada", "/today").await;
        let page = b.get("/today").await;
        assert!(page.body.contains("href=\"/today.csv\""), "{}", page.body);
        assert!(page.body.contains("href=\"/today.xlsx\""));
        let today_csv = b.get("/today.csv").await;
        assert_eq!(today_csv.status, StatusCode::OK);
        assert!(today_csv.content_type.starts_with("text/csv"));
        assert!(!today_csv.body.starts_with('\u{feff}'), "plain for English");
        let rows = plain_rows(&today_csv.body);
        check_against_history(&app, &rows).await;
        // The page's order (revenue descending): exactly who, and exactly what.
        let ids: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(ids, vec![f.boris, f.hostile], "{}", today_csv.body);
        assert_eq!(rows[1][9..], ["phone", "'+70000000001"]);
        assert_eq!(rows[2][9..], ["no_consented_channel", ""]);
        assert!(!today_csv.body.contains("boris@example.com"));
        assert!(!today_csv.body.contains("HYPERLINK"));

        let lost_csv = b.get("/lost.csv").await.body;
        let rows = plain_rows(&lost_csv);
        check_against_history(&app, &rows).await;
        assert_eq!(rows.len(), 2, "{lost_csv}");
        assert_eq!(rows[1][0], f.vera.to_string());
        assert_eq!(rows[1][9..], ["no_contact_details", ""]);
        // Last purchase 2023-08-27; the list's snapshot is 2024-10-01.
        assert_eq!(rows[1][5..7], ["2023-08-27", "401"]);
        assert_eq!(rows[1][8], "win back");
        assert!(!lost_csv.contains("+70000000004"));

        // Excel's style on request in English: a byte-order mark and `;`.
        let excel = b.get("/today.csv?excel=1").await.body;
        assert!(excel.starts_with('\u{feff}'));
        let first = excel.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert!(
            first.starts_with("Number;Number in your system;Name;"),
            "{first}"
        );
        assert!(
            first.ends_with(";Channel;Contact (consented channel only)"),
            "{first}"
        );

        // A Russian reader gets Excel's style by default: words and the decimal comma.
        let ru = Browser {
            language: Some("ru-RU,ru;q=0.9"),
            ..Browser::new(&app)
        };
        ru.login("ana", "/").await;
        let body = ru.get("/today.csv").await.body;
        assert!(body.starts_with('\u{feff}'), "{body}");
        let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
        assert!(
            lines[0].starts_with("Номер;Номер в вашей системе;Имя;"),
            "{}",
            lines[0]
        );
        let boris = lines
            .iter()
            .find(|l| l.starts_with(&format!("{};", f.boris)))
            .expect("Boris's line");
        assert!(boris.ends_with(";Телефон;'+70000000001"), "{boris}");
        assert!(boris.contains(";2000,00;"), "{boris}");
        let hostile = lines
            .iter()
            .find(|l| l.starts_with(&format!("{};", f.hostile)))
            .expect("<script>'s line");
        assert!(hostile.ends_with(";Нет канала с согласием;"), "{hostile}");

        // The lost list as .xlsx: the same decision, words in the reader's language.
        let resp = ru
            .client
            .get(format!("{}/lost.xlsx", ru.base))
            .header(ACCEPT_LANGUAGE, "ru")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()[CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = resp.bytes().await.unwrap();
        use calamine::{Data, Reader as _};
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let name = book.sheet_names()[0].clone();
        let sheet = book.worksheet_range(&name).unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0][10],
            Data::String("Контакт (только канал с согласием)".into())
        );
        assert_eq!(rows[1][0], Data::Float(f.vera as f64));
        assert_eq!(rows[1][4], Data::Float(100.0));
        assert_eq!(rows[1][6], Data::Float(401.0));
        assert!(matches!(rows[1][10], Data::Empty), "{:?}", rows[1]);

        // The manager's file holds only their customers.
        let manager = Browser::new(&app);
        manager.login("max", "/").await;
        let rows = plain_rows(&manager.get("/today.csv").await.body);
        let ids: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(ids, vec![f.boris]);
        assert_eq!(plain_rows(&manager.get("/lost.csv").await.body).len(), 1);
        // Without a session, a redirect to the sign-in page, not a file.
        let anonymous = Browser::new(&app);
        assert_eq!(
            anonymous.get("/today.csv").await.status,
            StatusCode::SEE_OTHER
        );
        app
    })
    .await;
}
