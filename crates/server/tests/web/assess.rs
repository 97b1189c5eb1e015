//! The self-assessment pages in both languages, on both backends: the checklists listed, a
//! checklist answered in the browser (CSRF checked, feedback after the redirect), the report
//! with the spread and the disputed question, the history chart, and an empty form refused.

use clientele_store::Role;
use reqwest::StatusCode;

use super::{Browser, TestApp, assert_clean, on_both};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checklist_is_answered_in_the_browser_and_reported_in_both_languages() {
    on_both(|app: TestApp| async move {
        app.user("ann", Role::Admin).await;
        app.user("bob", Role::Manager).await;
        let ann = Browser::new(&app);
        ann.login("ann", "/assess").await;
        let list = ann.get("/assess").await;
        assert_eq!(list.status, StatusCode::OK);
        assert_clean(&list);
        assert!(
            list.body.contains("href=\"/assess/customer_journey\""),
            "{}",
            list.body
        );
        let form = ann.get("/assess/customer_journey").await;
        assert!(form.body.contains("id=\"assess-empty\""));
        assert!(form.body.contains("name=\"q.one_click\" value=\"yes\""));

        let csrf = ann.csrf().await;
        let refused = ann
            .post(
                "/assess/customer_journey",
                &[("csrf", "wrong"), ("q.one_click", "yes")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let empty = ann
            .post("/assess/customer_journey", &[("csrf", &csrf)])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("No question was answered"));
        let saved = ann
            .post(
                "/assess/customer_journey",
                &[
                    ("csrf", &csrf),
                    ("q.one_click", "yes"),
                    ("q.faq", "yes"),
                    ("q.contacts_easy", ""),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(
            saved.location.as_deref(),
            Some("/assess/customer_journey?done=answered")
        );

        let bob = Browser::new(&app);
        bob.login("bob", "/assess").await;
        let csrf = bob.csrf().await;
        bob.post(
            "/assess/customer_journey",
            &[("csrf", &csrf), ("q.one_click", "yes"), ("q.faq", "no")],
        )
        .await;

        let page = ann.get("/assess/customer_journey?done=answered").await;
        assert_clean(&page);
        assert!(page.body.contains("Your answers are saved"));
        assert!(page.body.contains("2 respondents"), "{}", page.body);
        // Website: ann 2 of 2, bob 1 of 2 → 75%, spread 50 points; faq disputed.
        assert!(
            page.body.contains("Respondents differ by 50.0%"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Yes: ann. No: bob."));
        assert!(page.body.contains("class=\"recommendation\""));
        assert!(page.body.contains("id=\"assess-chart\""));
        assert!(page.body.contains("class=\"assess-line\""));

        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ann", "/assess/customer_journey").await;
        let page = ru.get("/assess/customer_journey").await;
        assert!(page.body.contains("<html lang=\"ru\">"));
        assert!(page.body.contains("Сайт"));
        assert!(page.body.contains("2 ответивших"), "{}", page.body);
        assert!(page.body.contains("Да: ann. Нет: bob."));

        let missing = ann.get("/assess/no_such").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        app
    })
    .await;
}
