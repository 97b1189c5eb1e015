//! The complaints and wishes page in both languages, on both backends: the empty state, an
//! entry recorded from the page and from the card (CSRF-checked, answered with a message),
//! answered then resolved through the list's forms, hostile forms answered in the reader's
//! language, a manager kept to their customers, and the CSV (Excel's style in Russian) and
//! xlsx downloads holding what was recorded.

use clientele_store::Role;
use reqwest::StatusCode;

use super::{Browser, TestApp, assert_clean, on_both};

/// The entry id in a `/feedback?done=...&id=N` redirect.
fn done_id(location: &Option<String>) -> i64 {
    let l = location.as_deref().expect("a redirect");
    l.rsplit("id=").next().unwrap().parse().unwrap()
}

async fn csrf_of(b: &Browser) -> String {
    let page = b.get("/feedback").await;
    let at = page
        .body
        .find("name=\"csrf\" value=\"")
        .expect("a csrf input")
        + 19;
    page.body[at..at + page.body[at..].find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaints_are_recorded_answered_resolved_and_exported_in_both_languages() {
    on_both(|app: TestApp| async move {
        app.user("ada", Role::Admin).await;
        app.user("mila", Role::Manager).await;
        let vera = app.customer("v-1", "Vera", None).await;
        let gleb = app.customer("g-1", "Gleb", None).await;
        app.assign(vera, "mila").await;

        let b = Browser::new(&app);
        b.login("ada", "/feedback").await;
        let empty = b.get("/feedback").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert_clean(&empty);
        assert!(
            empty.body.contains("id=\"feedback-empty\""),
            "{}",
            empty.body
        );
        assert!(empty.body.contains("clientele feedback import"));
        assert!(
            empty.body.contains("href=\"/feedback\""),
            "in the navigation"
        );
        let csrf = csrf_of(&b).await;

        // Without the token: refused, nothing stored.
        let no_token = b
            .post("/feedback", &[("customer", "g-1"), ("text", "late")])
            .await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);

        let added = b
            .post(
                "/feedback",
                &[
                    ("csrf", &csrf),
                    ("customer", "g-1"),
                    ("kind", "complaint"),
                    ("severity", "critical"),
                    ("channel", "phone"),
                    ("category", "delivery"),
                    ("text", "<script>alert(1)</script> the courier was late"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let first = done_id(&added.location);
        let page = b.get(added.location.as_deref().unwrap()).await;
        assert_clean(&page);
        assert!(
            page.body.contains(&format!("Entry #{first} recorded")),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("&#60;script&#62;"),
            "escaped: {}",
            page.body
        );
        assert!(!page.body.contains("<script>alert"));
        assert!(
            page.body
                .contains(&format!("data-entry=\"{first}\" data-status=\"open\""))
        );
        // Critical: 4 hours to the first response, shown with the targets.
        assert!(page.body.contains("4 hours"), "{}", page.body);

        // From the card: the form is there, and records for the card's customer.
        let card = b.get(&format!("/customers/{vera}")).await;
        assert!(
            card.body
                .contains(&format!("action=\"/customers/{vera}/feedback\"")),
            "{}",
            card.body
        );
        let from_card = b
            .post(
                &format!("/customers/{vera}/feedback"),
                &[
                    ("csrf", &csrf),
                    ("kind", "wish"),
                    ("severity", "low"),
                    ("text", "Pay by SBP, please"),
                ],
            )
            .await;
        assert_eq!(
            from_card.status,
            StatusCode::SEE_OTHER,
            "{}",
            from_card.body
        );
        let wish = done_id(&from_card.location);

        // open → answered → resolved through the list's forms.
        let answered = b
            .post(
                &format!("/feedback/{first}"),
                &[
                    ("csrf", &csrf),
                    ("action", "answer"),
                    ("note", "Called back"),
                ],
            )
            .await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
        let page = b.get(answered.location.as_deref().unwrap()).await;
        assert!(
            page.body
                .contains(&format!("Entry #{first} marked answered.")),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains(&format!("data-entry=\"{first}\" data-status=\"answered\""))
        );
        assert!(page.body.contains("Called back"));
        let again = b
            .post(
                &format!("/feedback/{first}"),
                &[("csrf", &csrf), ("action", "answer"), ("note", "twice")],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            again.body.contains("already has its first response"),
            "{}",
            again.body
        );
        let resolved = b
            .post(
                &format!("/feedback/{first}"),
                &[
                    ("csrf", &csrf),
                    ("action", "resolve"),
                    ("note", "Refunded delivery"),
                ],
            )
            .await;
        assert_eq!(resolved.status, StatusCode::SEE_OTHER);
        let open = b.get("/feedback").await;
        assert!(
            !open.body.contains(&format!("data-entry=\"{first}\"")),
            "resolved ones leave the open list"
        );
        let all = b.get("/feedback?state=all").await;
        assert!(
            all.body
                .contains(&format!("data-entry=\"{first}\" data-status=\"resolved\""))
        );
        // The compliance table: two managers' rows (mila's wish, the unassigned complaint).
        assert!(all.body.contains("id=\"feedback-managers\""));
        assert!(all.body.contains(">mila<"), "{}", all.body);

        // Hostile forms, each answered with a page saying what is wrong.
        for (form, says) in [
            (
                vec![("customer", "nobody"), ("text", "x")],
                "No customer with this ID",
            ),
            (
                vec![("customer", "g-1"), ("text", "   ")],
                "Write what the customer said",
            ),
            (
                vec![("customer", "g-1"), ("text", "x"), ("date", "2999-01-01")],
                "not in the future",
            ),
            (
                vec![("customer", "g-1"), ("text", "x"), ("date", "31.02.2026")],
                "not in the future",
            ),
            (
                vec![
                    ("customer", "g-1"),
                    ("text", "x"),
                    ("severity", "apocalyptic"),
                ],
                "Severity",
            ),
            (
                vec![("customer", "g-1"), ("text", "x"), ("kind", "rant")],
                "Kind",
            ),
        ] {
            let mut form = form;
            form.push(("csrf", &csrf));
            let page = b.post("/feedback", &form).await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{form:?}: {}",
                page.body
            );
            assert!(page.body.contains(says), "{form:?}: {}", page.body);
        }
        let long = "x".repeat(10_001);
        let page = b
            .post(
                "/feedback",
                &[("csrf", &csrf), ("customer", "g-1"), ("text", &long)],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = b.get("/feedback?state=lost").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("The filter “Show”"), "{}", page.body);

        // Downloads: plain CSV in English with codes; xlsx by its type.
        let csv = b.get("/feedback.csv?state=all").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type.starts_with("text/csv"));
        assert!(!csv.body.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 3, "{}", csv.body);
        assert!(
            csv.body.contains(",complaint,critical,delivery,phone,"),
            "{}",
            csv.body
        );
        assert!(csv.body.contains(",resolved,no,"), "{}", csv.body);
        let xlsx = b.get("/feedback.xlsx?state=all").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(
            xlsx.content_type.contains("spreadsheetml"),
            "{}",
            xlsx.content_type
        );

        // A manager: her customer's wish only; Gleb's card form refused as not hers.
        let m = Browser::new(&app);
        m.login("mila", "/feedback").await;
        let hers = m.get("/feedback?state=all").await;
        assert!(hers.body.contains(&format!("data-entry=\"{wish}\"")));
        assert!(!hers.body.contains(&format!("data-entry=\"{first}\"")));
        let m_csrf = csrf_of(&m).await;
        let not_hers = m
            .post(
                &format!("/customers/{gleb}/feedback"),
                &[("csrf", &m_csrf), ("text", "x")],
            )
            .await;
        assert_eq!(not_hers.status, StatusCode::NOT_FOUND);
        let not_hers = m
            .post(
                "/feedback",
                &[("csrf", &m_csrf), ("customer", "g-1"), ("text", "x")],
            )
            .await;
        assert_eq!(not_hers.status, StatusCode::UNPROCESSABLE_ENTITY);
        let act = m
            .post(
                &format!("/feedback/{first}"),
                &[("csrf", &m_csrf), ("action", "resolve"), ("note", "x")],
            )
            .await;
        assert_eq!(act.status, StatusCode::NOT_FOUND);

        // In Russian: the words of the Russian catalogue, Excel's CSV (BOM and `;`).
        let mut ru = Browser::new(&app);
        ru.language = Some("ru");
        ru.login("ada", "/feedback").await;
        let page = ru.get("/feedback?state=all").await;
        assert_clean(&page);
        assert!(page.body.contains("Жалобы и пожелания"), "{}", page.body);
        assert!(page.body.contains("решена"));
        assert!(page.body.contains("Время ответа по менеджерам"));
        let csv = ru.get("/feedback.csv?state=all").await;
        assert!(csv.body.starts_with('\u{feff}'), "{}", csv.body);
        assert!(
            csv.body.contains(";жалоба;критическая;delivery;phone;"),
            "{}",
            csv.body
        );
        let bad = ru
            .post(
                "/feedback",
                &[
                    ("csrf", &csrf_of(&ru).await),
                    ("customer", "nobody"),
                    ("text", "x"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("Среди ваших клиентов нет клиента"),
            "{}",
            bad.body
        );
        app
    })
    .await;
}
