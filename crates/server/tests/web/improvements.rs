//! The improvement log's pages (plan–do–check–act) in both languages, on both backends: an
//! action logged through the form with its flash, listed with its stage, its check against NPS
//! computed by hand, the decision recorded with its flash; refused forms name what is wrong and
//! store nothing; managers are refused and see no link.

use clientele_core::closed_loop::ResponseTargets;
use clientele_core::nps::{NpsRating, NpsScale};
use clientele_store::Role;
use clientele_store::voice::{AnswerScore, NewAnswer};
use reqwest::StatusCode;

use super::{Browser, TestApp, assert_clean, day, on_both};

/// Before the start (February 2026): 10 promoters, 10 passives, 10 detractors (NPS 0). After
/// it (March 2026): 20 promoters, 5 passives, 5 detractors (NPS 50).
async fn answers(app: &TestApp) {
    let mut batch = Vec::new();
    for i in 0..60 {
        let id = app
            .customer(&format!("i-{i}"), &format!("Improve {i}"), None)
            .await;
        let (d, score) = if i < 30 {
            (day(2026, 2, 10), [10, 7, 2][i % 3])
        } else {
            let j = i - 30;
            (
                day(2026, 3, 10),
                if j < 20 {
                    9
                } else if j < 25 {
                    8
                } else {
                    0
                },
            )
        };
        batch.push(NewAnswer {
            customer_id: id,
            answer_id: Some(format!("imp{i}")),
            survey_id: None,
            score: AnswerScore::Nps(NpsRating::new(score, NpsScale::ZeroToTen).unwrap()),
            comment: None,
            channel: None,
            touchpoint: None,
            day: d,
            answered_at: i64::from(d.days_since_epoch()) * 86_400,
            source: "test".into(),
        });
    }
    let (_, committed) = app
        .store
        .store_answers(&batch, &ResponseTargets::default(), true)
        .await
        .unwrap();
    assert!(committed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_is_planned_checked_and_decided_on_the_improvements_pages() {
    on_both(|app| async move {
        app.user("ada", Role::Admin).await;
        app.user("mila", Role::Manager).await;
        answers(&app).await;
        let b = Browser::new(&app);
        b.login("ada", "/improvements").await;
        let empty = b.get("/improvements").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert_clean(&empty);
        assert!(
            empty.body.contains("No action logged yet."),
            "{}",
            empty.body
        );
        assert!(empty.body.contains("href=\"/improvements\""), "in the nav");
        let csrf = b.csrf().await;

        // Refused forms name what is wrong and log nothing.
        let form = |check: &'static str, kind: &'static str, target: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("title", "Call back within a day".to_string()),
                ("owner", "Olga".to_string()),
                ("hypothesis", "Unanswered calls make detractors".to_string()),
                ("target_kind", kind.to_string()),
                ("target", target.to_string()),
                ("rung", "regular".to_string()),
                ("start", "2026-03-01".to_string()),
                ("check", check.to_string()),
            ]
        };
        let send = |f: Vec<(&'static str, String)>| {
            let b = &b;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post("/improvements", &pairs).await
            }
        };
        let bad = send(form("2026-02-01", "all", "")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("The check date must be a date after the start."),
            "{}",
            bad.body
        );
        let bad = send(form("2026-03-31", "touchpoint", " ")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("a touchpoint or category needs its name"),
            "{}",
            bad.body
        );
        let bad = send(form("31.03.2026", "all", "")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut no_csrf = form("2026-03-31", "all", "");
        no_csrf[0].1 = "forged".into();
        assert_eq!(send(no_csrf).await.status, StatusCode::FORBIDDEN);
        assert!(app.store.improvements().await.unwrap().is_empty());

        // Plan: logged, with a flash; the check date has passed, so the check is due.
        let added = send(form("2026-03-31", "all", "")).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let id = app.store.improvements().await.unwrap()[0].id;
        let list = b.get(added.location.as_deref().unwrap()).await;
        assert_clean(&list);
        assert!(
            list.body.contains(&format!("Action {id} is logged.")),
            "{}",
            list.body
        );
        assert!(list.body.contains("data-stage=\"check\""), "{}", list.body);
        assert!(list.body.contains("check: due"));

        // Check: 30 days from 2026-03-01 against 2026-01-30 to 2026-02-28. NPS 0 → 50:
        // SE = 100 √((2/3)/30 + (5/6 − 1/4)/30) = 20.412, interval 9.99 to 90.01; pooled
        // z = 2.3355, p = 0.0195.
        let page = b.get(&format!("/improvements/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_clean(&page);
        assert!(page.body.contains("Unanswered calls make detractors"));
        assert!(
            page.body
                .contains("Before: 2026-01-30 to 2026-02-28; after: 2026-03-01 to 2026-03-31."),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("+50.0 (95% interval +10.0 to +90.0, p = 0.02): significant"),
            "{}",
            page.body
        );
        assert!(page.body.contains("class=\"change better\""));
        assert!(
            page.body.contains("no customers served"),
            "no orders: {}",
            page.body
        );

        // Act: the decision, with a flash; a made-up decision is refused.
        let csrf = b.csrf().await;
        let bad = b
            .post(
                &format!("/improvements/{id}/decision"),
                &[("csrf", &csrf), ("decision", "celebrate")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let done = b
            .post(
                &format!("/improvements/{id}/decision"),
                &[
                    ("csrf", &csrf),
                    ("decision", "adopt"),
                    ("note", "NPS up 50"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let page = b.get(done.location.as_deref().unwrap()).await;
        assert!(
            page.body.contains("The decision is recorded."),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("Decision: adopted (ada). — NPS up 50"),
            "{}",
            page.body
        );
        let missing = b.get("/improvements/999999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);

        // In Russian.
        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ada", "/improvements").await;
        let list = ru.get("/improvements").await;
        assert_clean(&list);
        assert!(list.body.contains("Журнал улучшений"), "{}", list.body);
        assert!(list.body.contains("принята"), "{}", list.body);
        let page = ru.get(&format!("/improvements/{id}")).await;
        assert_clean(&page);
        assert!(
            page.body
                .contains("+50,0 (95-процентный интервал от +10,0 до +90,0, p = 0,02): значимо"),
            "{}",
            page.body
        );
        for english in [
            "Before",
            "interval",
            "significant",
            "Decision",
            "customers served",
        ] {
            assert!(
                !page.body.contains(english),
                "English '{english}' on a Russian page"
            );
        }

        // Managers: refused, and no link.
        let m = Browser::new(&app);
        m.login("mila", "/").await;
        assert_eq!(m.get("/improvements").await.status, StatusCode::FORBIDDEN);
        assert!(!m.get("/").await.body.contains("href=\"/improvements\""));
        app
    })
    .await;
}
