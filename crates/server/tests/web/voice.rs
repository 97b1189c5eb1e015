//! The NPS page in both languages, on both backends: the headline against figures computed by
//! hand, the trend chart with its interval band, the split, the CSV export, a manager's empty
//! state, and a bad filter answered with a page in the reader's language.

use clientele_core::closed_loop::ResponseTargets;
use clientele_core::nps::{NpsRating, NpsScale};
use clientele_store::Role;
use clientele_store::voice::{AnswerScore, NewAnswer};
use reqwest::StatusCode;

use super::{Browser, NNBSP, TestApp, assert_clean, day, on_both};

/// 30 respondents on 2026-03-10: 15 promoters, 9 passives, 6 detractors, half by e-mail.
async fn answers(app: &TestApp) {
    let mut batch = Vec::new();
    for i in 0..30 {
        let id = app
            .customer(&format!("v-{i}"), &format!("Voice {i}"), None)
            .await;
        let score = match i {
            0..15 => 10,
            15..24 => 7,
            _ => 2,
        };
        let d = day(2026, 3, 10);
        batch.push(NewAnswer {
            customer_id: id,
            answer_id: Some(format!("w{i}")),
            survey_id: None,
            score: AnswerScore::Nps(NpsRating::new(score, NpsScale::ZeroToTen).unwrap()),
            comment: None,
            channel: Some(if i % 2 == 0 { "email" } else { "sms" }.into()),
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
async fn the_nps_page_shows_the_score_its_band_trend_and_split_in_both_languages() {
    on_both(|app| async move {
        app.user("ada", Role::Admin).await;
        app.user("mila", Role::Manager).await;
        let b = Browser::new(&app);
        b.login("ada", "/nps").await;
        let empty = b.get("/nps").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(
            empty.body.contains("No survey answers in this range yet."),
            "{}",
            empty.body
        );
        assert!(empty.body.contains("clientele surveys import"));
        assert_clean(&empty);

        answers(&app).await;
        // By hand: p = 0.5, d = 0.2, NPS = 30; SE = 100 sqrt((0.7 - 0.09) / 30) = 14.2595,
        // margin 1.96 SE = 27.948; interval 2.05 .. 57.95 reaches into the band above 50.
        let page = b.get("/nps?by=channel").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_clean(&page);
        assert!(
            page.body
                .contains("NPS +30.0 ± 27.9 points, from 30 respondents."),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("From 10 to 50: known, but customer focus must improve.")
        );
        assert!(page.body.contains("the band is not certain"));
        // CSAT stands beside the NPS; this fixture has no CSAT answers.
        assert!(
            page.body
                .contains("<p id=\"nps-csat\">CSAT: no answers in this range.</p>"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("class=\"nps-band\""),
            "the interval band is drawn"
        );
        assert!(page.body.contains("class=\"nps-line\""));
        assert!(page.body.contains("data-period=\"2026-03\""));
        // 15 answers per channel: below the minimum of 30, no score.
        assert!(page.body.contains("<th scope=\"row\">email</th>"));
        assert!(page.body.contains("not enough answers"));
        assert!(page.body.contains("href=\"/nps.csv?by=channel\""));

        let csv = b.get("/nps.csv?by=channel").await;
        assert!(csv.content_type.starts_with("text/csv"));
        assert!(csv.body.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines.len(),
            5,
            "header, all, one month, two channels: {}",
            csv.body
        );
        assert_eq!(
            lines[1],
            "All answers,All answers,30,0.5000,0.3000,0.2000,30.0,2.1,57.9,,"
        );

        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ada", "/nps").await;
        let page = ru.get("/nps").await;
        assert!(page.body.contains("<html lang=\"ru\">"));
        assert!(
            page.body
                .contains("NPS +30,0 ± 27,9 п., по 30 респондентам."),
            "{}",
            page.body
        );
        assert!(page.body.contains("От 10 до 50"));
        for english in [
            "respondent",
            "Trend",
            "interval",
            "Download",
            "Split by",
            "not enough",
        ] {
            assert!(
                !page.body.contains(english),
                "English '{english}' on a Russian page"
            );
        }
        let csv = ru.get("/nps.csv").await;
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[1],
            "Все ответы;Все ответы;30;0,5000;0,3000;0,2000;30,0;2,1;57,9;;"
        );
        let bad = ru.get("/nps?period=week").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("В фильтре «Динамика по»"), "{}", bad.body);

        // The manager has no customers: her page explains that there is nothing yet.
        let m = Browser::new(&app);
        m.login("mila", "/nps").await;
        let page = m.get("/nps").await;
        assert!(page.body.contains("No survey answers in this range yet."));
        let _ = NNBSP;
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_task_is_answered_from_its_list_with_feedback() {
    on_both(|app| async move {
        app.user("ada", Role::Admin).await;
        let id = app.customer("d-1", "Darya", None).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let today = clientele_core::Day::from_days_since_epoch((now / 86_400) as i32);
        let (outcomes, _) = app
            .store
            .store_answers(
                &[NewAnswer {
                    customer_id: id,
                    answer_id: Some("t1".into()),
                    survey_id: None,
                    score: AnswerScore::Nps(NpsRating::new(1, NpsScale::ZeroToTen).unwrap()),
                    comment: Some("late again".into()),
                    channel: None,
                    touchpoint: None,
                    day: today,
                    answered_at: now - 60,
                    source: "test".into(),
                }],
                &ResponseTargets::default(),
                true,
            )
            .await
            .unwrap();
        let task = match outcomes[0] {
            clientele_store::voice::AnswerOutcome::Stored {
                task_id: Some(t), ..
            } => t,
            ref other => panic!("no task: {other:?}"),
        };
        let b = Browser::new(&app);
        b.login("ada", "/followups").await;
        let page = b.get("/followups").await;
        assert_clean(&page);
        assert!(page.body.contains("1 open task"), "{}", page.body);
        assert!(page.body.contains(&format!("data-task=\"{task}\"")));
        assert!(page.body.contains("late again"));
        let path = format!("/followups/{task}/answer");
        let no_token = b.post(&path, &[("outcome", "called")]).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        let csrf = b.csrf().await;
        let empty = b.post(&path, &[("outcome", " "), ("csrf", &csrf)]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("Write what came of the call"));
        let done = b
            .post(&path, &[("outcome", "called, apologised"), ("csrf", &csrf)])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            done.location.as_deref(),
            Some(format!("/followups?done={task}").as_str())
        );
        let after = b.get(done.location.as_deref().unwrap()).await;
        assert!(
            after.body.contains(&format!("Task {task} is answered")),
            "{}",
            after.body
        );
        assert!(after.body.contains("No open follow-up tasks."));
        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ada", "/followups").await;
        let page = ru.get("/followups").await;
        assert!(page.body.contains("0 открытых задач"), "{}", page.body);
        app
    })
    .await;
}
