//! Issue 27, item 1: the daily queue in the browser. The demo's queue for the day after its
//! latest snapshot lists the API's items in the API's order with the value at stake over the
//! horizon; an item is marked done from its row (the flash and the outcome show after the
//! redirect), another is snoozed out of the queue, and the page reads in Russian.

use fantoccini::Locator;

use super::page::{Page, assert_page_frame, click_and_wait, fetch_text, submit_language, texts};
use crate::World;

const QUEUE: Page<'static> = Page {
    name: "queue",
    path: "/queue",
    title_en: "Today's queue",
    title_ru: "Очередь на сегодня",
};

async fn row_ids(w: &World) -> Vec<i64> {
    let mut ids = Vec::new();
    for row in w
        .client
        .find_all(Locator::Css("#queue-list tbody tr[data-customer-id]"))
        .await
        .expect("the queue's rows")
    {
        let id = row
            .attr("data-customer-id")
            .await
            .expect("reading the row's id")
            .expect("every row names its customer");
        ids.push(id.parse().expect("a numeric id"));
    }
    ids
}

pub async fn the_queue_is_worked_through_in_the_browser(w: &World) {
    let latest = w
        .store
        .latest_snapshot_day()
        .await
        .expect("reading snapshots")
        .expect("a snapshot");
    let day = latest.plus_days(1);
    let path = format!("/queue?date={day}");
    w.client.goto(&w.url(&path)).await.expect("navigating");
    assert_page_frame(&w.client, QUEUE, "en").await;
    let shown = row_ids(w).await;
    assert!(shown.len() >= 5, "the demo fills the queue: {shown:?}");
    let heading = texts(&w.client, "#queue-list thead th.num").await;
    assert!(
        heading[0].contains("365 days"),
        "the value column names the horizon: {heading:?}"
    );

    // The API, with the page's session, ranks the same customers the same way.
    let answer = fetch_text(&w.client, &format!("/api/v1/queue?date={day}")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    let items = json["items"].as_array().expect("items");
    let mut from_api = Vec::new();
    for item in items.iter().take(shown.len()) {
        let external = item["customer_id"].as_str().unwrap();
        from_api.push(
            w.store
                .customer_id(external)
                .await
                .expect("the API's customer is in the store"),
        );
    }
    assert_eq!(from_api, shown, "the page ranks as the API");

    // Mark the first sendable item done from its row.
    let done_rows = w
        .client
        .find_all(Locator::Css(
            "#queue-list tbody tr:not(.blocked) form.done-form",
        ))
        .await
        .expect("done forms");
    assert!(!done_rows.is_empty(), "some item may be sent");
    let row = w
        .client
        .find(Locator::XPath(
            "//table[@id='queue-list']//tr[not(contains(@class,'blocked')) and .//form[contains(@class,'done-form')]]",
        ))
        .await
        .expect("a sendable row");
    let id = row
        .attr("data-customer-id")
        .await
        .expect("attribute")
        .expect("an id");
    let selector = format!("#item-{id} form.done-form");
    w.client
        .find(Locator::Css(&format!(
            "{selector} select[name=outcome] option[value=promised]"
        )))
        .await
        .expect("the outcome's choice")
        .click()
        .await
        .expect("choosing promised");
    w.client
        .find(Locator::Css(&format!("{selector} input[name=note]")))
        .await
        .expect("the note")
        .send_keys("перезвонит в пятницу")
        .await
        .expect("typing");
    click_and_wait(&w.client, &format!("{selector} [type=submit]")).await;
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), "/queue", "back on the queue: {url}");
    assert_eq!(
        texts(&w.client, "#queue-flash").await,
        vec!["Marked done; the outcome is in the contact log."]
    );
    let recorded = texts(&w.client, &format!("#item-{id} .recorded")).await;
    assert_eq!(recorded.len(), 1, "the row shows its outcome");
    assert!(
        recorded[0].starts_with("Done: Promised to come back"),
        "{recorded:?}"
    );
    if let Ok(png) = w.client.screenshot().await {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("queue.png");
        let _ = std::fs::write(&path, png);
        eprintln!(
            "screenshot of the queue after an item was done: {}",
            path.display()
        );
    }

    // Snooze another: it leaves the queue and the summary counts it.
    let others = row_ids(w).await;
    let other = others
        .iter()
        .find(|&&o| o.to_string() != id)
        .copied()
        .expect("a second item");
    click_and_wait(
        &w.client,
        &format!("#item-{other} form.snooze-form [type=submit]"),
    )
    .await;
    assert_eq!(
        texts(&w.client, "#queue-flash").await,
        vec!["Snoozed: the customer is out of the queue until that day."]
    );
    assert!(
        !row_ids(w).await.contains(&other),
        "the snoozed item is gone"
    );
    let summary = texts(&w.client, "#queue-summary").await;
    assert!(summary[0].contains("one snoozed"), "{summary:?}");

    // In Russian, then back.
    submit_language(&w.client, "ru").await;
    assert_page_frame(&w.client, QUEUE, "ru").await;
    let recorded = texts(&w.client, &format!("#item-{id} .recorded")).await;
    assert!(
        recorded[0].starts_with("Сделано: Обещал вернуться"),
        "{recorded:?}"
    );
    if let Ok(png) = w.client.screenshot().await {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("queue-ru.png");
        let _ = std::fs::write(&path, png);
        eprintln!("screenshot of the queue in Russian: {}", path.display());
    }
    submit_language(&w.client, "en").await;
}

const PLAYBOOK: Page<'static> = Page {
    name: "playbook",
    path: "/playbook",
    title_en: "Playbook",
    title_ru: "Сценарий работы",
};

/// Sets the playbook's text area to its text with `from` replaced by `to` (typing 10 KB of TOML
/// key by key would take minutes).
async fn edit_text_area(w: &World, from: &str, to: &str) {
    w.client
        .execute(
            "const t = document.querySelector('#playbook-text'); \
             t.value = t.value.replace(arguments[0], arguments[1]); return t.value.length;",
            vec![serde_json::json!(from), serde_json::json!(to)],
        )
        .await
        .expect("editing the text area");
}

/// Issue 27, item 2: the admin edits the playbook in the browser; a value that does not fit is
/// refused in place naming its key, with the text as typed; the mended file is saved.
pub async fn the_playbook_is_edited_in_the_browser(w: &World) {
    w.client
        .goto(&w.url("/playbook"))
        .await
        .expect("navigating");
    assert_page_frame(&w.client, PLAYBOOK, "en").await;
    let version = texts(&w.client, "#playbook-version").await;
    assert_eq!(
        version,
        vec!["In force: the documented defaults (no version saved yet)."]
    );
    edit_text_area(w, "cost_per_contact = 10", "cost_per_contact = -10").await;
    click_and_wait(&w.client, "#playbook-form [type=submit]").await;
    let key = texts(&w.client, "#playbook-error code.key").await;
    assert_eq!(key, vec!["play[0].action[0].cost_per_contact"]);
    let kept: String = w
        .client
        .execute(
            "return document.querySelector('#playbook-text').value",
            vec![],
        )
        .await
        .expect("the text area")
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(kept.contains("cost_per_contact = -10"), "the text as typed");
    if let Ok(png) = w.client.screenshot().await {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("playbook-refused.png");
        let _ = std::fs::write(&path, png);
        eprintln!("screenshot of a refused playbook: {}", path.display());
    }
    edit_text_area(w, "cost_per_contact = -10", "cost_per_contact = 10").await;
    click_and_wait(&w.client, "#playbook-form [type=submit]").await;
    assert_eq!(
        texts(&w.client, "#playbook-flash").await,
        vec!["Playbook saved as a new version; the queue follows it from now on."]
    );
    let version = texts(&w.client, "#playbook-version").await;
    assert!(
        version[0].starts_with("In force: version 1, saved by demo"),
        "{version:?}"
    );
}
