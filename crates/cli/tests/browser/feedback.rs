//! Complaints and wishes in the browser: the page opens from the navigation, a complaint typed
//! into a customer's card lands on `/feedback` with its message and due time, is answered and
//! then resolved through the list's forms (open → answered → resolved, each step confirmed),
//! the managers' response-time table shows it, the CSV download holds it, and the page reads
//! in Russian. A screenshot of the page is kept for a person to look at.

use fantoccini::Locator;

use super::harness::failure_dir;
use super::page::{Page, assert_page_frame, click_and_wait, fetch_text, submit_language, texts};
use crate::World;

const FEEDBACK: Page<'static> = Page {
    name: "feedback",
    path: "/feedback",
    title_en: "Complaints and wishes",
    title_ru: "Жалобы и пожелания",
};

async fn flash(w: &World) -> String {
    texts(&w.client, "#feedback-flash").await.join(" ")
}

pub async fn a_complaint_from_the_card_is_answered_and_resolved(w: &World) {
    w.client.goto(&w.url("/")).await.expect("navigating");
    click_and_wait(&w.client, "#main-nav a[href=\"/feedback\"]").await;
    assert_page_frame(&w.client, FEEDBACK, "en").await;

    // The card's form.
    let customer = w.snapshot[1].customer_id;
    w.client
        .goto(&w.url(&format!("/customers/{customer}")))
        .await
        .expect("opening a card");
    let text = format!("E2E {}: курьер опоздал на два часа", std::process::id());
    w.client
        .find(Locator::Css(
            "#card-feedback-form select[name=severity] option[value=critical]",
        ))
        .await
        .expect("the severity choice")
        .click()
        .await
        .expect("choosing critical");
    w.client
        .find(Locator::Css("#card-feedback-form input[name=category]"))
        .await
        .expect("the category field")
        .send_keys("delivery")
        .await
        .expect("typing");
    w.client
        .find(Locator::Css("#card-feedback-form textarea[name=text]"))
        .await
        .expect("the text area")
        .send_keys(&text)
        .await
        .expect("typing");
    click_and_wait(&w.client, "#card-feedback-form [type=submit]").await;
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), "/feedback", "after recording, the log: {url}");
    let id: i64 = url
        .query_pairs()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| v.parse().ok())
        .expect("the new entry's id in the address");
    assert!(flash(w).await.contains(&format!("Entry #{id} recorded")));
    let row = format!("#feedback-table tr[data-entry=\"{id}\"]");
    let cells = texts(&w.client, &format!("{row} td")).await;
    assert!(cells.iter().any(|c| c.contains(&text)), "{cells:?}");
    assert!(cells.iter().any(|c| c == "critical"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "open"), "{cells:?}");
    let stored = w
        .store
        .feedback_entry(clientele_store::Scope::All, id)
        .await
        .expect("the entry is stored");
    assert_eq!(stored.customer_id, customer);
    // Critical: the first response is due four hours after it came in.
    assert_eq!(stored.first_response_due - stored.received_at, 4 * 3_600);

    // Answered, then resolved, from the row's form.
    let note = w
        .client
        .find(Locator::Css(&format!("{row} input[name=note]")))
        .await
        .expect("the row's note field");
    note.send_keys("Called, apologised").await.expect("typing");
    click_and_wait(&w.client, &format!("{row} [type=submit]")).await;
    assert!(
        flash(w)
            .await
            .contains(&format!("Entry #{id} marked answered."))
    );
    let cells = texts(&w.client, &format!("{row} td")).await;
    assert!(cells.iter().any(|c| c == "answered"), "{cells:?}");
    assert!(
        cells.iter().any(|c| c.contains("Called, apologised")),
        "{cells:?}"
    );
    w.client
        .find(Locator::Css(&format!("{row} input[name=note]")))
        .await
        .expect("the resolution's field")
        .send_keys("Delivery refunded")
        .await
        .expect("typing");
    click_and_wait(&w.client, &format!("{row} [type=submit]")).await;
    assert!(flash(w).await.contains(&format!("Entry #{id} resolved.")));
    assert!(
        w.client.find(Locator::Css(&row)).await.is_err(),
        "a resolved entry leaves the open list"
    );
    w.client
        .goto(&w.url("/feedback?state=all"))
        .await
        .expect("navigating");
    let cells = texts(&w.client, &format!("{row} td")).await;
    assert!(cells.iter().any(|c| c == "resolved"), "{cells:?}");
    let overall = texts(&w.client, "#feedback-overall td").await;
    assert!(
        !overall.is_empty() && overall[0] != "0",
        "the overall row counts it: {overall:?}"
    );

    let csv = fetch_text(&w.client, "/feedback.csv?state=all").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    assert!(csv.body.contains(&text), "{}", csv.body);
    assert!(
        csv.body
            .lines()
            .next()
            .unwrap_or("")
            .contains("Customer ID")
    );

    if let Ok(png) = w.client.screenshot().await {
        let dir = failure_dir().with_file_name("screens");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("feedback-en.png"), png);
    }
    submit_language(&w.client, "ru").await;
    assert_page_frame(&w.client, FEEDBACK, "ru").await;
    let cells = texts(&w.client, &format!("{row} td")).await;
    assert!(cells.iter().any(|c| c == "решена"), "{cells:?}");
    if let Ok(png) = w.client.screenshot().await {
        let dir = failure_dir().with_file_name("screens");
        let _ = std::fs::write(dir.join("feedback-ru.png"), png);
    }
    submit_language(&w.client, "en").await;
}
