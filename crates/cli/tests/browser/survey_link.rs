//! The public survey answer page in the browser, on a phone-sized window (the page reads no
//! session: the link is all it needs): the Russian form, a score chosen by
//! tapping its number, the thanks after the redirect, the answer changed by a second submit,
//! no inline script or style (the strict CSP) and its own style sheet applied.

use std::time::Duration;

use clientele_store::voice::{NewInvitation, NewSurvey, SurveyKind};
use fantoccini::Locator;

use super::page::{click_and_wait, texts, wait_for_url};
use crate::World;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64
}

pub async fn a_survey_link_is_answered_on_a_phone(w: &World) {
    let survey = w
        .store
        .create_survey(&NewSurvey {
            name: format!("browser pulse {}", std::process::id()),
            kind: SurveyKind::Nps(clientele_core::nps::NpsScale::ZeroToTen),
            touchpoint: Some("delivery".into()),
            link_days: 30,
            closes_at: None,
            created_by: "browser test".into(),
        })
        .await
        .expect("creating the survey");
    let customer = w.snapshot[0].customer_id;
    let made = w
        .store
        .record_invitations(
            &survey,
            &[NewInvitation {
                customer_id: customer,
                channel: "email".into(),
                send_at: unix_now(),
                reason: None,
            }],
            unix_now(),
            i64::MAX,
            "browser test",
        )
        .await
        .expect("inviting");
    let secret = made[0].clone().expect("an invitation").1;
    let before = w.store.surveys().await.expect("surveys");
    let answered = |all: &[clientele_store::voice::SurveyStats]| {
        all.iter()
            .find(|s| s.survey.id == survey.id)
            .map(|s| s.answered)
    };
    assert_eq!(answered(&before), Some(0));

    w.client
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    w.client
        .goto(&w.url(&format!("/s/{secret}?lang=ru")))
        .await
        .expect("opening the link");
    assert_eq!(texts(&w.client, "main h1").await, vec!["Ваше мнение"]);
    assert_eq!(
        texts(&w.client, "#survey-link-form legend").await,
        vec!["Насколько вероятно, что вы порекомендуете нас другу или коллеге?"]
    );
    assert_eq!(texts(&w.client, ".scores .score").await.len(), 11);
    // No inline script, style or handler; the page's own style sheet applies, and the scale
    // fits the phone's width.
    let frame = w
        .client
        .execute(
            r#"
            const inline = [...document.querySelectorAll('*')]
                .filter(e => (e.tagName.toLowerCase() === 'script' && !e.src)
                    || e.tagName.toLowerCase() === 'style'
                    || [...e.attributes].some(a => a.name === 'style' || a.name.startsWith('on')))
                .length;
            const styled = [...document.styleSheets].some(s => s.href
                && s.href.endsWith('/static/survey.css') && s.cssRules.length > 0);
            const scores = document.querySelector('.scores').getBoundingClientRect();
            return [inline, styled, scores.right <= window.innerWidth,
                    document.documentElement.scrollWidth <= window.innerWidth];
            "#,
            vec![],
        )
        .await
        .expect("reading the page");
    assert_eq!(frame, serde_json::json!([0, true, true, true]), "{frame}");

    // Tap 6, write a comment, send.
    w.client
        .find(Locator::Css("label.score:has(input[value='6'])"))
        .await
        .expect("the score 6")
        .click()
        .await
        .expect("tapping 6");
    w.client
        .find(Locator::Css("#survey-link-form textarea[name=comment]"))
        .await
        .expect("the comment")
        .send_keys("Курьер опоздал на час")
        .await
        .expect("typing");
    click_and_wait(&w.client, "#survey-link-form button[type=submit]").await;
    wait_for_url(&w.client, |u| {
        u.query().is_some_and(|q| q.contains("done=stored"))
    })
    .await
    .expect("the page again after the answer");
    assert_eq!(
        texts(&w.client, "#survey-link-flash").await,
        vec!["Спасибо! Ваш ответ записан."]
    );
    let previous = texts(&w.client, "#survey-link-previous").await;
    assert!(
        previous[0].starts_with("Ваш ответ: 6, дан "),
        "{previous:?}"
    );
    if let Ok(png) = w.client.screenshot().await {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("survey-link.png");
        let _ = std::fs::write(&path, png);
        eprintln!("screenshot of the answered survey page: {}", path.display());
    }

    // Change it to 9: still one answer.
    w.client
        .find(Locator::Css("label.score:has(input[value='9'])"))
        .await
        .expect("the score 9")
        .click()
        .await
        .expect("tapping 9");
    click_and_wait(&w.client, "#survey-link-form button[type=submit]").await;
    wait_for_url(&w.client, |u| {
        u.query().is_some_and(|q| q.contains("done=changed"))
    })
    .await
    .expect("the page again after the change");
    assert_eq!(
        texts(&w.client, "#survey-link-flash").await,
        vec!["Спасибо! Ваш ответ изменён."]
    );
    let after = w.store.surveys().await.expect("surveys");
    assert_eq!(answered(&after), Some(1), "one answer per invitation");

    // An unknown link says so in words.
    w.client
        .goto(&w.url("/s/00000000000000000000000000000000?lang=en"))
        .await
        .expect("opening an unknown link");
    assert_eq!(
        texts(&w.client, "#survey-link-notice").await,
        vec!["This link is not known. Check that it was copied whole from the invitation."]
    );
    w.client
        .set_window_size(1280, 900)
        .await
        .expect("back to a desktop window");
    tokio::time::sleep(Duration::from_millis(50)).await;
}
