//! Issue 24, item 6: the card a manager works from, in the browser. A prospect's card explains
//! instead of showing empty sections; a regular's card has its rung history, a named segment and
//! the contacts-and-activity section, and no value on the card spills out of its box; two
//! namesakes are told apart in the customer list and every list row carries a mark. Each card
//! is saved as a screenshot under `$CARGO_TARGET_TMPDIR/card-screens/` to look at.

use std::collections::HashMap;

use clientele_core::Rung;
use fantoccini::Locator;

use super::page::{Page, assert_page_frame, texts};
use crate::World;

async fn screenshot(w: &World, name: &str) {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("card-screens");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    let png = w.client.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("writing the screenshot");
}

/// The ids of `<dd>` values on the page wider than their box (text overlapping a neighbour).
async fn overflowing_values(w: &World) -> Vec<String> {
    let found = w
        .client
        .execute(
            "return Array.from(document.querySelectorAll('dl.pairs dd'))
                .filter(d => d.scrollWidth > d.clientWidth + 1)
                .map(d => d.textContent);",
            vec![],
        )
        .await
        .expect("measuring the card's values");
    serde_json::from_value(found).expect("a list of texts")
}

async fn open_card(w: &World, id: i64) -> String {
    let customer = w.store.customer(id).await.expect("the customer");
    let title = customer
        .name
        .clone()
        .unwrap_or(customer.external_id.clone());
    w.client
        .goto(&w.url(&format!("/customers/{id}")))
        .await
        .expect("navigating");
    assert_page_frame(&w.client, Page::card(&title), "en").await;
    title
}

pub async fn the_card_explains_a_prospect_and_shows_a_regulars_history(w: &World) {
    // A prospect (never bought): the note, no order table, no status rows.
    let prospect = w
        .snapshot
        .iter()
        .find(|r| matches!(r.rung, Rung::Prospect | Rung::Visitor))
        .expect("the demo has prospects")
        .customer_id;
    open_card(w, prospect).await;
    let note = texts(&w.client, "#prospect-note").await;
    assert!(
        note.len() == 1 && note[0].contains("Has not bought yet"),
        "the prospect's card explains: {note:?}"
    );
    assert_eq!(texts(&w.client, "#no-orders").await.len(), 1);
    assert!(texts(&w.client, "#order-list").await.is_empty());
    let keys = texts(&w.client, "#summary dt").await;
    for absent in ["Status", "Revenue", "Segment"] {
        assert!(
            !keys.iter().any(|k| k == absent),
            "{absent} on a prospect: {keys:?}"
        );
    }
    assert!(overflowing_values(w).await.is_empty());
    screenshot(w, "prospect").await;

    // A regular: rung history from the snapshots, a named segment, the activity section.
    let regular = w
        .snapshot
        .iter()
        .find(|r| r.rung == Rung::Regular)
        .expect("the demo has regulars")
        .customer_id;
    open_card(w, regular).await;
    let history = texts(&w.client, "#history-table tbody tr").await;
    assert!(
        history.len() >= 2,
        "the demo scores twice, so the history has two snapshots: {history:?}"
    );
    let values = texts(&w.client, "#summary dd").await;
    assert!(
        values.iter().any(|v| v.contains("(RFM ")),
        "the segment is named: {values:?}"
    );
    assert_eq!(texts(&w.client, "#activity h2").await.len(), 1);
    let overflow = overflowing_values(w).await;
    assert!(
        overflow.is_empty(),
        "values spill out of their box: {overflow:?}"
    );
    screenshot(w, "regular").await;
}

pub async fn namesakes_are_told_apart_in_lists(w: &World) {
    // Two customers of the demo with the same name.
    let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
    for row in w.snapshot.iter().take(600) {
        let c = w.store.customer(row.customer_id).await.expect("a customer");
        if let Some(name) = c.name {
            by_name.entry(name).or_default().push(c.id);
        }
    }
    let (name, ids) = by_name
        .into_iter()
        .find(|(_, ids)| ids.len() >= 2)
        .expect("the demo repeats a name among 600 customers");
    let query: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    w.client
        .goto(&w.url(&format!("/customers?q={query}")))
        .await
        .expect("navigating");
    let numbers = texts(&w.client, "#customer-list tbody td.external-id").await;
    assert!(numbers.len() >= ids.len(), "{name}: {numbers:?}");
    let mut distinct = numbers.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        numbers.len(),
        "each namesake has its number"
    );
    screenshot(w, "namesakes").await;
    // Every row of Today names the customer with a mark beside the name.
    w.client.goto(&w.url("/today")).await.expect("navigating");
    let rows = w
        .client
        .find_all(Locator::Css("#today-list tbody tr"))
        .await
        .expect("rows");
    let marks = texts(&w.client, "#today-list tbody td.customer .mark").await;
    assert_eq!(marks.len(), rows.len(), "a mark on every row");
    assert!(marks.iter().all(|m| !m.is_empty()));
}
