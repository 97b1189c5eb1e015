//! The staff voice pages in both languages, on both backends: an admin opens a survey and makes
//! codes in the browser (shown once, in the answer to the form), employees answer on the public
//! page without an account (a used code refused in words, a cross-site post refused), nothing
//! shows until a batch is complete, a small department stays hidden, and managers are kept out.

use clientele_store::Role;
use reqwest::StatusCode;

use super::{Browser, TestApp, assert_clean, on_both};

fn codes_in(body: &str) -> Vec<String> {
    body.split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_made_in_the_browser_answer_once_and_show_only_in_batches() {
    on_both(|app: TestApp| async move {
        app.user("ann", Role::Admin).await;
        app.user("bob", Role::Manager).await;
        let ann = Browser::new(&app);
        ann.login("ann", "/staff").await;
        let empty = ann.get("/staff").await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert_clean(&empty);
        assert!(empty.body.contains("id=\"staff-empty\""));
        assert!(
            empty.body.contains("href=\"/staff\""),
            "the navigation links the page"
        );

        let csrf = ann.csrf().await;
        let refused = ann
            .post("/staff/surveys", &[("csrf", "wrong"), ("title", "Pulse")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let opened = ann
            .post(
                "/staff/surveys",
                &[
                    ("csrf", &csrf),
                    ("title", "Pulse"),
                    ("date", "2026-02-01"),
                    ("batch_size", "5"),
                ],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        assert_eq!(opened.location.as_deref(), Some("/staff?done=opened"));
        let list = ann.get("/staff?done=opened").await;
        assert!(list.body.contains("The survey is open"));
        let survey = app.store.staff_surveys().await.unwrap()[0].id.to_string();

        let made = ann
            .post(
                "/staff/codes",
                &[
                    ("csrf", &csrf),
                    ("survey", &survey),
                    ("department", "Sales"),
                    ("count", "6"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        assert_clean(&made);
        let sales = codes_in(&made.body);
        assert_eq!(sales.len(), 6, "{}", made.body);
        assert!(made.body.contains("6 codes for Sales"));
        let it = codes_in(
            &ann.post(
                "/staff/codes",
                &[
                    ("csrf", &csrf),
                    ("survey", &survey),
                    ("department", "IT"),
                    ("count", "2"),
                ],
            )
            .await
            .body,
        );
        assert_eq!(it.len(), 2);
        // The codes page is never an address to come back to: the list shows counts only.
        let list = ann.get("/staff").await;
        assert!(list.body.contains("Sales: 6") && !list.body.contains(&sales[0]));

        // An employee, without an account, in Russian.
        let emp = Browser::new(&app);
        let form = emp.get("/staff/answer?lang=ru").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_clean(&form);
        assert!(form.body.contains("<html lang=\"ru\">"));
        assert!(form.body.contains("Ваш одноразовый код"));
        assert!(
            !form.body.contains("How likely"),
            "English on a Russian page"
        );
        for (i, code) in sales.iter().take(4).enumerate() {
            let nps = (10 - i).to_string();
            let done = emp
                .post(
                    "/staff/answer",
                    &[
                        ("code", code.as_str()),
                        ("nps", &nps),
                        ("s.work", "4"),
                        ("s.pay", ""),
                        ("lang", "ru"),
                    ],
                )
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
            assert_eq!(
                done.location.as_deref(),
                Some("/staff/answer?done=1&lang=ru")
            );
        }
        let thanks = emp.get("/staff/answer?done=1&lang=ru").await;
        assert!(thanks.body.contains("ответ принят"));
        // The same code again: refused in words.
        let again = emp
            .post(
                "/staff/answer",
                &[("code", sales[0].as_str()), ("nps", "9"), ("lang", "en")],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert!(again.body.contains("already used"));
        // A score off the scale: refused, the code not spent.
        let bad = emp
            .post(
                "/staff/answer",
                &[("code", sales[4].as_str()), ("nps", "12"), ("lang", "en")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("from 0 to 10"));
        let bad = emp
            .post(
                "/staff/answer",
                &[
                    ("code", sales[4].as_str()),
                    ("nps", "5"),
                    ("s.work", "9"),
                    ("lang", "en"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Four answers wait: the report has nothing yet.
        let report = ann.get("/staff").await;
        assert!(
            report.body.contains("id=\"staff-empty\""),
            "{}",
            report.body
        );
        // The fifth completes Sales's batch; one IT answer waits.
        let done = emp
            .post(
                "/staff/answer",
                &[("code", sales[4].as_str()), ("nps", "0")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        emp.post("/staff/answer", &[("code", it[0].as_str()), ("nps", "3")])
            .await;
        let report = ann.get("/staff").await;
        assert!(!report.body.contains("id=\"staff-empty\""));
        assert!(
            report.body.contains("data-department=\"Sales\""),
            "{}",
            report.body
        );
        assert!(!report.body.contains("data-department=\"IT\""));

        // Closing releases IT's single answer: IT is hidden, and Sales with it, since the total
        // minus Sales would give IT's answer away; the whole company (6) shows.
        let closed = ann
            .post("/staff/close", &[("csrf", &csrf), ("survey", &survey)])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        let report = ann.get("/staff?done=closed").await;
        assert!(report.body.contains("The survey is closed"));
        assert!(
            !report.body.contains("data-department=\"Sales\""),
            "{}",
            report.body
        );
        assert!(!report.body.contains("data-department=\"IT\""));
        assert!(report.body.contains("data-department=\"Whole company\""));
        assert!(report.body.contains("2 departments are not shown"));
        // The export holds what the page shows: the whole company only.
        let csv = ann.get("/staff.csv?period=quarter&min_group=5").await;
        assert_eq!(csv.status, StatusCode::OK);
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 2, "{}", csv.body);
        assert!(
            lines[1].starts_with("2026-Q1,Whole company,6,"),
            "{}",
            csv.body
        );
        // The codes of a closed survey no longer work.
        let late = emp
            .post("/staff/answer", &[("code", it[1].as_str()), ("nps", "3")])
            .await;
        assert_eq!(late.status, StatusCode::NOT_FOUND);

        // Russian page; managers are kept out.
        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ann", "/staff").await;
        let ru_browser = ru;
        let ru = ru_browser.get("/staff").await;
        assert_clean(&ru);
        assert!(
            ru.body.contains("Вся компания") && ru.body.contains("2 отдела не показаны"),
            "{}",
            ru.body
        );
        let bob = Browser::new(&app);
        bob.login("bob", "/staff").await;
        assert_eq!(bob.get("/staff").await.status, StatusCode::FORBIDDEN);
        assert_eq!(bob.get("/staff.csv").await.status, StatusCode::FORBIDDEN);
        let bcsrf = bob.csrf().await;
        let no = bob
            .post("/staff/surveys", &[("csrf", &bcsrf), ("title", "Mine")])
            .await;
        assert_eq!(no.status, StatusCode::FORBIDDEN);
        app
    })
    .await;
}
