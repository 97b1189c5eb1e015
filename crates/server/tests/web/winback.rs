//! The win-back page through a cookie-keeping client, on both backends: the lost list's button
//! opens a real case (CSRF-checked, a flash message after the redirect), an attempt is recorded
//! from the case's row, the funnel and the list show it in English and in Russian, and a
//! manager sees only their customers' cases.

use reqwest::StatusCode;

use super::{Browser, after, assert_clean, on_both};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lost_lists_button_opens_a_case_and_attempts_are_recorded_on_the_page() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let empty = b.get("/winback").await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert_clean(&empty);
        assert!(
            empty
                .body
                .contains("No cases here. Open one from the lost customers")
        );
        assert!(
            empty
                .body
                .contains("<a href=\"/winback\" aria-current=\"page\">Win-back</a>")
        );

        let vera = f.vera.to_string();
        let form = [("customer", vera.as_str()), ("source", "lost_list")];
        assert_eq!(
            b.post("/winback/cases", &form).await.status,
            StatusCode::FORBIDDEN
        );
        let csrf = b.csrf().await;
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
            v.extend(extra.iter().map(|(k, x)| (*k, x.to_string())));
            v
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let b = &b;
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post(&path, &pairs).await
            }
        };
        let mut fields = with(&[("source", "lost_list")]);
        fields.push(("customer", vera.clone()));
        let opened = post("/winback/cases".into(), fields.clone()).await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let location = opened.location.unwrap();
        assert!(
            location.starts_with("/winback?done=opened#case-"),
            "{location}"
        );
        let case: i64 = location.rsplit('-').next().unwrap().parse().unwrap();
        let again = post("/winback/cases".into(), fields).await;
        assert_eq!(
            again.location,
            Some(format!("/winback?done=already_open#case-{case}"))
        );
        let bad = post("/winback/cases".into(), with(&[("customer", "x<y")])).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let page = b.get("/winback?done=opened").await;
        assert_clean(&page);
        assert!(
            page.body
                .contains("<p class=\"flash\" role=\"status\">Win-back case opened.</p>")
        );
        let row = after(&page.body, &format!("<tr id=\"case-{case}\""), ">", "</tr>").unwrap();
        assert!(row.contains(">Vera</a>"), "{row}");
        assert!(
            page.body
                .contains(&format!("action=\"/winback/cases/{case}/attempts\""))
        );
        assert!(page.body.contains("id=\"winback-funnel\""));

        // An attempt: hostile values refused, then one recorded and shown.
        let path = format!("/winback/cases/{case}/attempts");
        let refused = post(
            path.clone(),
            with(&[("channel", "pigeon"), ("outcome", "answered")]),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = post(
            path.clone(),
            with(&[
                ("channel", "phone"),
                ("outcome", "answered"),
                ("reason", "bogus"),
            ]),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let saved = post(
            path.clone(),
            with(&[
                ("channel", "phone"),
                ("outcome", "promised"),
                ("reason", "price"),
                ("note", "<b>soon</b>"),
            ]),
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(
            saved.location,
            Some(format!("/winback?done=attempt#case-{case}"))
        );
        let page = b.get("/winback?done=attempt").await;
        assert!(
            page.body
                .contains("Attempt recorded; it is in the contact log.")
        );
        let row = after(&page.body, &format!("<tr id=\"case-{case}\""), ">", "</tr>").unwrap();
        assert!(row.contains("<td class=\"num attempts\">1</td>"), "{row}");
        assert!(
            row.contains("<td class=\"last-outcome\">Promised to come back</td>"),
            "{row}"
        );
        assert!(row.contains("<td>Price</td>"), "{row}");

        // In Russian, no English words of this page.
        let mut ru = Browser::new(&app);
        ru.language = Some("ru");
        ru.login("ada", "/").await;
        let page = ru.get("/winback").await;
        assert_clean(&page);
        assert!(
            page.body.contains("<h1>Возврат клиентов</h1>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Обещал вернуться"));
        for english in [
            "Win-back", "Attempts", "Record", "Promised", "Returned", "Cases",
        ] {
            assert!(
                !page.body.contains(english),
                "{english} on the Russian page"
            );
        }

        // The manager (Alice and Boris) sees no case of Vera's, and may not work on it.
        let manager = Browser::new(&app);
        manager.login("max", "/").await;
        let page = manager.get("/winback").await;
        assert!(!page.body.contains(&format!("case-{case}")));
        let token = manager.csrf().await;
        let denied = manager
            .post(
                &path,
                &[
                    ("csrf", token.as_str()),
                    ("channel", "phone"),
                    ("outcome", "answered"),
                ],
            )
            .await;
        assert_eq!(denied.status, StatusCode::NOT_FOUND);
        app
    })
    .await;
}
