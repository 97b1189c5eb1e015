//! Which rungs buy what and a customer's cross-category suggestions on the portfolio page: the
//! rungs table of the demo's snapshot (a column per rung, a row per category), a customer id
//! that is not one refused in words, a real customer's suggestions shown, and the section in
//! Russian without an English word in its heading.

use fantoccini::Locator;

use super::page::{click_and_wait, submit_language, texts};
use crate::World;

async fn ask(w: &World, customer: &str) {
    let field = w
        .client
        .find(Locator::Css("#portfolio-suggest input[name=customer]"))
        .await
        .expect("the customer field");
    field.clear().await.expect("clearing the field");
    field.send_keys(customer).await.expect("typing the id");
    click_and_wait(&w.client, "#portfolio-suggest button[type=submit]").await;
}

pub async fn rungs_and_suggestions_on_the_portfolio_page(w: &World) {
    w.client
        .goto(&w.url("/portfolio"))
        .await
        .expect("navigating");
    let heads = texts(&w.client, "#portfolio-rungs-table thead th").await;
    assert_eq!(
        heads.len(),
        6,
        "a category column and five rungs: {heads:?}"
    );
    assert!(heads[4].starts_with("Regular"), "{heads:?}");
    let rows = texts(&w.client, "#portfolio-rungs-table tbody tr").await;
    assert!(
        (1..=15).contains(&rows.len()),
        "the demo's categories, at most 15: {rows:?}"
    );
    for row in &rows {
        assert!(row.contains('%'), "shares in every row: {row}");
    }

    ask(w, "abc'; DROP TABLE customers; --").await;
    let error = texts(&w.client, "#portfolio-suggest-error").await;
    assert_eq!(error.len(), 1, "a refusal in words");
    assert!(error[0].contains("not a customer id"), "{error:?}");
    ask(w, "987654321").await;
    let error = texts(&w.client, "#portfolio-suggest-error").await;
    assert!(
        error[0].contains("no customer with id 987654321"),
        "{error:?}"
    );

    ask(w, "1").await;
    let shown = w
        .client
        .find(Locator::Css("#portfolio-suggestions"))
        .await
        .expect("customer 1's suggestions");
    assert_eq!(
        shown.attr("data-customer").await.expect("attribute"),
        Some("1".to_string())
    );
    let summary = texts(&w.client, "#portfolio-suggestions p").await;
    assert!(summary[0].starts_with("Customer 1"), "{summary:?}");

    submit_language(&w.client, "ru").await;
    let heading = texts(&w.client, "#portfolio-rungs h2").await;
    assert_eq!(heading, vec!["Кто из ступеней что покупает".to_string()]);
    let heads = texts(&w.client, "#portfolio-rungs-table thead th").await;
    assert!(
        heads
            .iter()
            .all(|h| !h.chars().any(|c| c.is_ascii_alphabetic())),
        "no English in the Russian heads: {heads:?}"
    );
    submit_language(&w.client, "en").await;
}
