//! Issue 23, item 8: a search on the customer list shows in the audit log page, which the
//! admin reaches from the navigation, filters by action, and reads in both languages.

use std::time::Duration;

use fantoccini::Locator;

use super::page::{Page, assert_page_frame, click_and_wait, fetch_text, submit_language, texts};
use crate::World;

const AUDIT: Page<'static> = Page {
    name: "audit",
    path: "/audit",
    title_en: "Audit log",
    title_ru: "Журнал аудита",
};

pub async fn a_search_shows_in_the_audit_log(w: &World) {
    w.client
        .goto(&w.url("/customers?q=zzq-audit-probe"))
        .await
        .expect("navigating");
    // The demo's user is an admin: the navigation links the log.
    click_and_wait(&w.client, "#main-nav a[href=\"/audit\"]").await;
    assert_page_frame(&w.client, AUDIT, "en").await;
    // The entry is written by the buffered writer a moment after the search answered.
    let mut details = Vec::new();
    for _ in 0..20 {
        w.client
            .goto(&w.url("/audit?action=search"))
            .await
            .expect("navigating");
        details = texts(&w.client, "#audit-table tr[data-action=search] td.detail").await;
        if !details.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        details.first().map(String::as_str),
        Some("customers (web): q=zzq-audit-probe; ids none"),
        "the search is the newest search entry: {details:?}"
    );
    let users = texts(&w.client, "#audit-table tr[data-action=search] td.user").await;
    assert_eq!(users[0], w.user);
    let selected = w
        .client
        .find(Locator::Css(
            "#audit-filters select[name=action] option[selected]",
        ))
        .await
        .expect("the chosen action")
        .text()
        .await
        .expect("its text");
    assert_eq!(selected, "search");
    // The download holds the same entries.
    let csv = fetch_text(&w.client, "/audit.csv?action=search&excel=0").await;
    assert!(
        csv.body
            .contains("customers (web): q=zzq-audit-probe; ids none"),
        "{}",
        csv.body
    );

    submit_language(&w.client, "ru").await;
    assert_page_frame(&w.client, AUDIT, "ru").await;
    let heading = texts(&w.client, "#audit-table thead th").await;
    assert_eq!(heading[0], "Когда (по Гринвичу)", "{heading:?}");
    w.client
        .goto(&w.url("/audit?user=nobody-at-all"))
        .await
        .expect("navigating");
    let empty = texts(&w.client, "#audit-empty").await;
    assert!(
        empty[0].starts_with("Ни одна запись не подходит"),
        "{empty:?}"
    );
    if let Ok(png) = w.client.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("clientele-audit-ru.png"), png);
    }
    submit_language(&w.client, "en").await;
}
