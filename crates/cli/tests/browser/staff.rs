//! Staff voice in the browser: an admin opens a survey and makes codes for a department on
//! `/staff` (the codes shown once, in the form's answer), five employees answer on the public
//! Russian form (code typed, a score tapped, a satisfaction chosen, the thanks after the
//! redirect), and the department appears in the report only once its batch of five is complete.

use fantoccini::Locator;

use super::page::{click_and_wait, texts, wait_for_url};
use crate::World;

const DEPARTMENT: &str = "Browser team";

async fn answer(w: &World, code: &str, nps: &str) {
    w.client
        .goto(&w.url("/staff/answer?lang=ru"))
        .await
        .expect("opening the answer form");
    w.client
        .find(Locator::Css("#staff-answer-form input[name=code]"))
        .await
        .expect("the code field")
        .send_keys(code)
        .await
        .expect("typing the code");
    w.client
        .find(Locator::Css(&format!(
            "#staff-answer-form label.score:has(input[value='{nps}'])"
        )))
        .await
        .expect("a score")
        .click()
        .await
        .expect("tapping the score");
    w.client
        .find(Locator::Css("select[name='s.work'] option[value='4']"))
        .await
        .expect("a satisfaction choice")
        .click()
        .await
        .expect("choosing 4");
    click_and_wait(&w.client, "#staff-answer-submit").await;
    wait_for_url(&w.client, |u| {
        u.query().is_some_and(|q| q.contains("done=1"))
    })
    .await
    .expect("the form again after the answer");
    assert_eq!(
        texts(&w.client, "#staff-answer-flash").await,
        vec!["Спасибо: ответ принят, код израсходован."]
    );
}

pub async fn staff_codes_are_answered_and_shown_by_batch(w: &World) {
    w.client.goto(&w.url("/staff")).await.expect("navigating");
    w.client
        .find(Locator::Css("#staff-open input[name=title]"))
        .await
        .expect("the title field")
        .send_keys("Browser pulse")
        .await
        .expect("typing the title");
    click_and_wait(&w.client, "#staff-open button[type=submit]").await;
    wait_for_url(&w.client, |u| {
        u.query().is_some_and(|q| q.contains("done=opened"))
    })
    .await
    .expect("the page after opening");
    assert_eq!(
        texts(&w.client, "p.flash").await.len(),
        1,
        "feedback after opening"
    );
    let survey = w.store.staff_surveys().await.expect("surveys")[0].id;
    let form = format!("tr[data-survey='{survey}'] .staff-codes-form");
    w.client
        .find(Locator::Css(&format!("{form} input[name=department]")))
        .await
        .expect("the department field")
        .send_keys(DEPARTMENT)
        .await
        .expect("typing the department");
    let count = w
        .client
        .find(Locator::Css(&format!("{form} input[name=count]")))
        .await
        .expect("the count field");
    count.clear().await.expect("clearing the count");
    count.send_keys("5").await.expect("typing the count");
    click_and_wait(&w.client, &format!("{form} button[type=submit]")).await;
    let codes = texts(&w.client, "#staff-codes code").await;
    assert_eq!(codes.len(), 5, "five codes shown once: {codes:?}");
    assert!(codes.iter().all(|c| c.len() == 14));

    for (i, code) in codes.iter().enumerate() {
        answer(w, code, ["10", "9", "8", "6", "3"][i]).await;
        w.client.goto(&w.url("/staff")).await.expect("the report");
        let rows = texts(&w.client, &format!("tr[data-department='{DEPARTMENT}'] th")).await;
        // Nothing of the department shows until the fifth answer completes the batch.
        assert_eq!(rows.is_empty(), i < 4, "after answer {}: {rows:?}", i + 1);
    }
    let cells = texts(&w.client, &format!("tr[data-department='{DEPARTMENT}'] td")).await;
    // Answers, then eNPS: five answers are below the score's minimum of ten.
    assert_eq!(cells[0], "5", "{cells:?}");
    assert_eq!(cells[1], "too few answers for a score", "{cells:?}");
}
