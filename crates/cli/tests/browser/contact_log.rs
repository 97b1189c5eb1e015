//! Issue 26: the contact log as a list a manager works through. Contacts are logged for two of
//! the demo's customers through the store (as the policy's planners write them); the page shows
//! them newest first, the channel filter chosen in the form narrows them, the CSV link carries
//! the filter and the page reads in Russian.

use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{Channel, ContactLogFilter, ContactState, NewContactLogEntry, Scope};
use fantoccini::Locator;

use super::page::{
    Page, assert_page_frame, click_and_wait, fetch_text, submit_language, texts, wait_for_url,
};
use crate::World;

const PAGE: Page<'static> = Page {
    name: "contact-log",
    path: "/contact-log",
    title_en: "Contact log",
    title_ru: "Журнал контактов",
};

pub async fn the_contact_log_is_filtered_and_exported(w: &World) {
    let first = w.snapshot[0].customer_id;
    let second = w.snapshot[1].customer_id;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64;
    let subject = format!("E2E {}", std::process::id());
    let entry = |customer, at, channel, state| NewContactLogEntry {
        customer_id: customer,
        channel,
        kind: MessageKind::Offer,
        module: Module::Campaigns,
        state,
        planned_for: Some(at),
        subject: subject.clone(),
        reason: Some("preferred channel".into()),
        user_id: None,
        author: Some("e2e".into()),
    };
    w.store
        .record_contacts(&[
            entry(first, now + 3_600, Channel::Email, ContactState::Planned),
            entry(first, now + 7_200, Channel::Sms, ContactState::Sent),
            entry(second, now + 10_800, Channel::Sms, ContactState::Exported),
        ])
        .await
        .expect("logging contacts");
    let sms_in_store = w
        .store
        .contact_log(
            Scope::All,
            &ContactLogFilter {
                channel: Some(Channel::Sms),
                limit: 1_000_000,
                ..ContactLogFilter::default()
            },
        )
        .await
        .expect("reading the log")
        .len();

    w.client.goto(&w.url("/")).await.expect("navigating");
    click_and_wait(&w.client, "#main-nav a[href=\"/contact-log\"]").await;
    assert_page_frame(&w.client, PAGE, "en").await;
    let subjects = texts(&w.client, "#contact-log td.subject").await;
    assert_eq!(
        subjects.iter().take(3).collect::<Vec<_>>(),
        vec![&subject, &subject, &subject],
        "the contacts just logged lie furthest ahead: first"
    );
    w.client
        .find(Locator::Css("#contact-log-filters [name=channel]"))
        .await
        .expect("a channel filter")
        .select_by_value("sms")
        .await
        .expect("choosing SMS");
    click_and_wait(&w.client, "#contact-log-filters [type=submit]").await;
    wait_for_url(&w.client, |u| {
        u.query_pairs().any(|(k, v)| k == "channel" && v == "sms")
    })
    .await
    .expect("the filter is in the address");
    let channels = texts(&w.client, "#contact-log td.channel").await;
    assert!(!channels.is_empty());
    assert!(channels.iter().all(|c| c == "SMS"), "{channels:?}");
    let states = texts(&w.client, "#contact-log td.state").await;
    assert_eq!(&states[..2], ["exported", "sent"], "newest first");
    let href = w
        .client
        .find(Locator::Css("#export-csv"))
        .await
        .expect("the CSV link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    assert_eq!(href, "/contact-log.csv?channel=sms");
    let csv = fetch_text(&w.client, &format!("{href}&excel=0")).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(
        csv.body.lines().count() - 1,
        sms_in_store,
        "the export holds every SMS row of the store"
    );
    if let Ok(png) = w.client.screenshot().await {
        let _ = std::fs::write(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("contact-log.png"),
            png,
        );
    }
    submit_language(&w.client, "ru").await;
    assert_page_frame(&w.client, PAGE, "ru").await;
    let channels = texts(&w.client, "#contact-log td.state").await;
    assert_eq!(&channels[..2], ["выгружен", "отправлен"]);
    submit_language(&w.client, "en").await;
}
