//! The contact-log page on both backends: every filter (customer, module, channel, state,
//! outcome, days) narrows the rows to the ones written by hand below, pages of two rows cover
//! the log once, a manager sees only their customers' rows, hostile filters get a clear error,
//! the CSV (plain and Excel's) and the .xlsx carry the filtered rows, and the page reads in
//! Russian.

use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{Channel, ContactState, NewContactLogEntry};
use reqwest::StatusCode;

use super::{Browser, after, assert_clean, on_both};

/// 2024-10-01 00:00 UTC.
const OCT_1: i64 = 1_727_740_800;
const HOUR: i64 = 3_600;

fn entry(
    customer: i64,
    at: i64,
    channel: Channel,
    module: Module,
    state: ContactState,
    subject: &str,
) -> NewContactLogEntry {
    NewContactLogEntry {
        customer_id: customer,
        channel,
        kind: MessageKind::Offer,
        module,
        state,
        planned_for: Some(at),
        subject: subject.into(),
        reason: Some("preferred channel".into()),
        user_id: None,
        author: Some("test".into()),
    }
}

/// The rows of the page's table.
fn rows(body: &str) -> usize {
    after(body, "<table id=\"contact-log\">", "<tbody>", "</tbody>")
        .map_or(0, |t| t.matches("<tr").count())
}

#[tokio::test]
async fn the_contact_log_filters_pages_scopes_and_exports() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let empty = b.get("/contact-log").await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert_clean(&empty);
        assert!(empty.body.contains("href=\"/contact-log\""), "in the navigation");
        assert!(
            empty
                .body
                .contains("Nothing has been planned, sent or exported yet."),
            "{}",
            empty.body
        );

        // Alice: three e-mails (Oct 1, 2, 3) and an SMS (Oct 3); Boris: an e-mail cancelled
        // (Oct 2); Vera (another manager's, or none): a call answered by hand.
        app.store
            .record_contacts(&[
                entry(f.alice, OCT_1 + 10 * HOUR, Channel::Email, Module::Calendar, ContactState::Planned, "birthday"),
                entry(f.alice, OCT_1 + 34 * HOUR, Channel::Email, Module::Campaigns, ContactState::Sent, "=1+1 autumn"),
                entry(f.alice, OCT_1 + 58 * HOUR, Channel::Email, Module::Queue, ContactState::Exported, "reminder"),
                entry(f.alice, OCT_1 + 59 * HOUR, Channel::Sms, Module::Queue, ContactState::Planned, "<b>sms</b>"),
                entry(f.boris, OCT_1 + 35 * HOUR, Channel::Email, Module::Campaigns, ContactState::Cancelled, "autumn"),
            ])
            .await
            .unwrap();
        app.store
            .log_contact(f.vera, Channel::Phone, true, None, "call", Some("answered"))
            .await
            .unwrap();

        let all = b.get("/contact-log").await;
        assert_clean(&all);
        assert_eq!(rows(&all.body), 2, "two rows a page in the test server");
        assert!(all.body.contains("rel=\"next\""), "{}", all.body);
        // Paging the October rows: 5 rows in pages of 2, 2, 1, newest first.
        let mut subjects = Vec::new();
        for page in 1..=3 {
            let p = b
                .get(&format!(
                    "/contact-log?from=2024-10-01&until=2024-10-03&page={page}"
                ))
                .await;
            assert_eq!(p.status, StatusCode::OK, "{}", p.body);
            assert_eq!(rows(&p.body), [2, 2, 1][page - 1], "page {page}");
            let table = after(&p.body, "<table id=\"contact-log\">", "<tbody>", "</tbody>").unwrap();
            for part in table.split("<td class=\"subject\">").skip(1) {
                subjects.push(part[..part.find("</td>").unwrap()].to_string());
            }
            if page < 3 {
                assert!(
                    p.body.contains(&format!(
                        "href=\"/contact-log?from=2024-10-01&#38;until=2024-10-03&#38;page={}\"",
                        page + 1
                    )),
                    "the next page keeps the filters"
                );
            } else {
                assert!(!p.body.contains("rel=\"next\""));
            }
        }
        assert_eq!(
            subjects,
            [
                "&#60;b&#62;sms&#60;/b&#62;",
                "reminder",
                "autumn",
                "=1+1 autumn",
                "birthday"
            ],
            "newest first, escaped, each once"
        );

        let count = |q: &'static str| {
            let b = &b;
            async move {
                let p = b.get(&format!("/contact-log?{q}")).await;
                assert_eq!(p.status, StatusCode::OK, "{q}: {}", p.body);
                // Pages of two: count across pages through the plain CSV instead.
                let csv = b.get(&format!("/contact-log.csv?excel=0&{q}")).await;
                assert_eq!(csv.status, StatusCode::OK, "{q}");
                csv.body.lines().count() - 1
            }
        };
        assert_eq!(count("channel=sms").await, 1);
        assert_eq!(count("channel=email").await, 4);
        assert_eq!(count("customer=C1").await, 4);
        assert_eq!(count("customer=+C1+").await, 4, "the number is trimmed");
        assert_eq!(count("customer=nobody").await, 0);
        assert_eq!(count("module=campaigns").await, 2);
        assert_eq!(count("state=planned").await, 2);
        assert_eq!(count("outcome=answered").await, 1);
        assert_eq!(count("outcome=no_answer").await, 0);
        assert_eq!(count("from=2024-10-02&until=2024-10-02").await, 2);
        assert_eq!(count("module=queue&channel=email&customer=C1").await, 1);
        let none = b.get("/contact-log?customer=nobody").await;
        assert!(none.body.contains("No contact matches these filters."));
        assert!(none.body.contains("id=\"contact-log-reset\""));

        // The plain CSV: codes, `,`, the formula guarded; Excel's: a mark, `;`, words.
        let plain = b.get("/contact-log.csv?excel=0&customer=C1&module=campaigns").await;
        assert!(plain.content_type.starts_with("text/csv"));
        let mut lines = plain.body.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,time,customer_id,external_id,name,channel,direction,kind,module,state,outcome,subject,reason,author"
        );
        let row = lines.next().unwrap();
        assert!(
            row.ends_with(&format!(
                ",2024-10-02 10:00:00,{},C1,Alice,email,out,offer,campaigns,sent,,'=1+1 autumn,preferred channel,test",
                f.alice
            )),
            "{row}"
        );
        assert!(lines.next().is_none());
        let excel = b.get("/contact-log.csv?excel=1&channel=sms").await;
        assert!(excel.body.starts_with('\u{feff}'), "a byte-order mark");
        assert!(excel.body.contains(";SMS;outgoing;offer;daily queue;planned;"), "{}", excel.body);
        let xlsx = b.get("/contact-log.xlsx?channel=email").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.content_type.contains("spreadsheetml"), "{}", xlsx.content_type);
        assert!(xlsx.body.starts_with("PK"), "a zip");

        // Hostile filters: a clear error naming the filter, nothing shown or exported.
        for (q, says) in [
            ("module=pigeon", "pigeon"),
            ("channel=fax", "fax"),
            ("state=lost", "lost"),
            ("outcome=maybe", "maybe"),
            ("from=2024-13-01", "2024-13-01"),
            ("from=01.10.2024", "01.10.2024"),
            ("from=3000-01-01", "3000-01-01"),
            ("from=2024-10-03&until=2024-10-01", "before the first"),
            ("page=0", "between 1 and 100000"),
            ("page=abc", "between 1 and 100000"),
            ("page=100001", "between 1 and 100000"),
        ] {
            for path in ["/contact-log", "/contact-log.csv", "/contact-log.xlsx"] {
                if path != "/contact-log" && q.starts_with("page") {
                    continue;
                }
                let r = b.get(&format!("{path}?{q}")).await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}?{q}");
                assert!(r.body.contains(says), "{path}?{q}: {}", r.body);
            }
        }
        let long = format!("/contact-log?customer={}", "x".repeat(201));
        let r = b.get(&long).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("at most 200 characters"), "{}", r.body);

        // A manager sees only their customers' rows: Alice's and Boris's, not Vera's call.
        let m = Browser::new(&app);
        m.login("max", "/").await;
        let csv = m.get("/contact-log.csv?excel=0").await;
        assert_eq!(csv.body.lines().count() - 1, 5, "{}", csv.body);
        assert!(!csv.body.contains(",C4,"));
        let vera = m.get("/contact-log?customer=C4").await;
        assert_eq!(rows(&vera.body), 0);
        assert!(vera.body.contains("No contact matches these filters."));

        // In Russian.
        let mut ru = Browser::new(&app);
        ru.language = Some("ru");
        ru.login("ada", "/").await;
        let page = ru.get("/contact-log?channel=sms").await;
        assert_clean(&page);
        assert!(page.body.contains("Журнал контактов"));
        assert!(page.body.contains("<td class=\"state\">запланирован</td>"), "{}", page.body);
        let ru_csv = ru.get("/contact-log.csv?channel=sms").await;
        assert!(ru_csv.body.starts_with('\u{feff}'), "Excel's CSV for Russian readers");
        assert!(ru_csv.body.contains(";исходящий;"), "{}", ru_csv.body);
        app
    })
    .await;
}
