//! The public answer page of a survey invitation, on both backends, without a session: the form
//! in both languages, one answer per invitation changed by a second submit, a score off the
//! scale or a comment with control characters refused in words, unknown, expired and closed
//! links answered clearly, a cross-site post refused, and the rate limits per link and per
//! address.

use clientele_store::voice::{NewInvitation, NewSurvey, Survey, SurveyKind};
use reqwest::StatusCode;

use super::{Browser, TestApp, assert_clean, on_both};

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn survey(app: &TestApp, name: &str, kind: SurveyKind, link_days: u32) -> Survey {
    app.store
        .create_survey(&NewSurvey {
            name: name.into(),
            kind,
            touchpoint: Some("delivery".into()),
            link_days,
            closes_at: None,
            created_by: "test".into(),
        })
        .await
        .unwrap()
}

/// An invitation of a new customer, made `ago` seconds before now; its link's secret.
async fn invitation(app: &TestApp, survey: &Survey, who: &str, ago: i64) -> String {
    let customer = app.customer(who, who, None).await;
    let made = app
        .store
        .record_invitations(
            survey,
            &[NewInvitation {
                customer_id: customer,
                channel: "email".into(),
                send_at: unix_now() - ago,
                reason: None,
            }],
            unix_now() - ago,
            i64::MAX,
            "test",
        )
        .await
        .unwrap();
    made[0].clone().unwrap().1
}

async fn answered(app: &TestApp, name: &str) -> u64 {
    let all = app.store.surveys().await.unwrap();
    all.iter().find(|s| s.survey.name == name).unwrap().answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_takes_one_answer_which_a_second_submit_changes() {
    on_both(|app| async move {
        let nps = survey(
            &app,
            "pulse",
            SurveyKind::Nps(clientele_core::nps::NpsScale::ZeroToTen),
            30,
        )
        .await;
        let secret = invitation(&app, &nps, "c1", 60).await;
        let path = format!("/s/{secret}");
        // No session at all: a fresh client.
        let b = Browser::new(&app);
        let page = b.get(&format!("{path}?lang=ru")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_clean(&page);
        assert!(page.body.contains("<html lang=\"ru\">"));
        assert!(
            page.body
                .contains("Насколько вероятно, что вы порекомендуете нас другу или коллеге?")
        );
        assert_eq!(
            page.body.matches("type=\"radio\" name=\"score\"").count(),
            11
        );
        assert!(page.body.contains("value=\"0\"") && page.body.contains("value=\"10\""));
        assert!(
            !page.body.contains("How likely"),
            "English on a Russian page"
        );
        let en = b.get(&path).await;
        assert!(
            en.body.contains("How likely are you to recommend us"),
            "{}",
            en.body
        );

        // The first answer is stored, then shown with the thanks.
        let done = b
            .post(
                &path,
                &[
                    ("score", "3"),
                    ("comment", "  медленная доставка "),
                    ("lang", "ru"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(
            done.location.as_deref(),
            Some(format!("{path}?done=stored&lang=ru").as_str())
        );
        let page = b.get(done.location.as_deref().unwrap()).await;
        assert!(
            page.body.contains("Спасибо! Ваш ответ записан."),
            "{}",
            page.body
        );
        assert!(page.body.contains("Ваш ответ: 3, дан "), "{}", page.body);
        assert!(page.body.contains("value=\"3\" required checked"));
        assert!(page.body.contains(">медленная доставка</textarea>"));
        assert_eq!(answered(&app, "pulse").await, 1);

        // A second submit changes it and adds none.
        let done = b.post(&path, &[("score", "9"), ("lang", "en")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            done.location.as_deref(),
            Some(format!("{path}?done=changed&lang=en").as_str())
        );
        let page = b.get(done.location.as_deref().unwrap()).await;
        assert!(page.body.contains("Thank you! Your answer is changed."));
        assert!(page.body.contains("Your answer: 9, given "));
        assert_eq!(answered(&app, "pulse").await, 1);

        // Hostile values are refused in words, with the form kept; nothing changes.
        for (score, comment, expect) in [
            ("11", "", "Choose a score from 0 to 10."),
            ("-1", "", "Choose a score from 0 to 10."),
            ("девять", "", "Choose a score from 0 to 10."),
            ("", "", "Choose a score from 0 to 10."),
            (
                "5",
                "a\u{0}b",
                "The comment holds characters that cannot be stored",
            ),
        ] {
            let page = b
                .post(
                    &path,
                    &[("score", score), ("comment", comment), ("lang", "en")],
                )
                .await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{score}");
            assert!(page.body.contains(expect), "{score}: {}", page.body);
            assert_clean(&page);
        }
        let long = "я".repeat(4_001);
        let page = b.post(&path, &[("score", "5"), ("comment", &long)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.body.contains("at most 4000 characters"),
            "{}",
            page.body
        );
        // Anyone may post here: a body far over any real answer is refused unread.
        let huge = "x".repeat(100_000);
        let page = b.post(&path, &[("score", "5"), ("comment", &huge)]).await;
        assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
        let page = b.get(&format!("{path}?lang=en")).await;
        assert!(page.body.contains("Your answer: 9, given "));

        // A post another site makes is refused, even with the right link.
        let cross = b
            .read(
                b.client
                    .post(format!("{}{path}", b.base))
                    .header("origin", "https://evil.example")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body("score=0"),
            )
            .await;
        assert_eq!(cross.status, StatusCode::FORBIDDEN);
        assert!(cross.body.contains("can only be sent from its own page"));

        // A CSAT survey asks on 1-5.
        let csat = survey(&app, "stars", SurveyKind::Csat, 30).await;
        let star = invitation(&app, &csat, "c2", 60).await;
        let page = b.get(&format!("/s/{star}?lang=en")).await;
        assert_eq!(
            page.body.matches("type=\"radio\" name=\"score\"").count(),
            5
        );
        let page = b.post(&format!("/s/{star}"), &[("score", "0")]).await;
        assert!(page.body.contains("from 1 to 5"), "{}", page.body);
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_expired_and_closed_links_say_so_and_floods_are_throttled() {
    on_both(|app| async move {
        let kind = SurveyKind::Nps(clientele_core::nps::NpsScale::OneToTen);
        let short = survey(&app, "short", kind, 1).await;
        let old = invitation(&app, &short, "c1", 3 * 86_400).await;
        let b = Browser::new(&app);
        let page = b.get(&format!("/s/{old}?lang=en")).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert!(
            page.body.contains("This link was open until "),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<form id=\"survey-link-form\""));
        let page = b.post(&format!("/s/{old}"), &[("score", "5")]).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert_eq!(answered(&app, "short").await, 0);

        let later = survey(&app, "later", kind, 30).await;
        let open = invitation(&app, &later, "c2", 60).await;
        let page = b.get(&format!("/s/{open}?lang=ru")).await;
        // The 1-10 scale starts at 1.
        assert!(!page.body.contains("value=\"0\""));
        assert_eq!(
            page.body.matches("type=\"radio\" name=\"score\"").count(),
            10
        );
        app.store
            .close_survey("later", unix_now() - 1, "test")
            .await
            .unwrap();
        let page = b.get(&format!("/s/{open}?lang=ru")).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert!(page.body.contains("Этот опрос закрыт"), "{}", page.body);
        let page = b.post(&format!("/s/{open}"), &[("score", "5")]).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert_eq!(answered(&app, "later").await, 0);

        // Submits per link: ten in the window, then 429 with the wait.
        let busy = survey(&app, "busy", kind, 30).await;
        let link = invitation(&app, &busy, "c3", 60).await;
        for n in 0..10 {
            let page = b.post(&format!("/s/{link}"), &[("score", "7")]).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "submit {n}");
        }
        let page = b
            .post(&format!("/s/{link}"), &[("score", "8"), ("lang", "en")])
            .await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            page.body.contains("Too many tries from here"),
            "{}",
            page.body
        );
        assert_eq!(answered(&app, "busy").await, 1);

        // Unknown links: answered in words, never echoed; 30 misses lock the address out.
        let page = b
            .get("/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E?lang=en")
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(page.body.contains("This link is not known."));
        assert!(!page.body.contains("<script>"));
        assert_clean(&page);
        for n in 1..30 {
            let page = b.get(&format!("/s/{n:032x}")).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "miss {n}");
        }
        let page = b.get(&format!("/s/{open}?lang=en")).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
        app
    })
    .await;
}
