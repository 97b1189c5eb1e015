//! The transition matrix page in the browser: its counts are the store's transitions between
//! the demo's two snapshots, a count opens the customers behind it (each on that rung now), and
//! the Russian page shows the same numbers.

use clientele_core::Rung;
use clientele_store::Store;
use fantoccini::{Client, Locator};

use super::page::{click_and_wait, number_in, texts};

pub async fn matrix_drills_down_to_the_movers(client: &Client, base: &str, store: &Store) {
    let (latest, previous) = store.latest_two_snapshots().await.expect("snapshot days");
    let (Some(to), Some(from)) = (latest, previous) else {
        panic!("the demo scores two snapshots");
    };
    let t = store.transitions(from, to).await.expect("the transitions");
    client
        .goto(&format!("{base}/transitions"))
        .await
        .expect("navigating");
    // Rows: new, then the rungs; columns: the rungs, then gone.
    let mut want = vec![vec![0i64; 6]; 6];
    for c in &t.matrix {
        want[c.from.map_or(0, |r| r as usize + 1)][c.to.map_or(5, |r| r as usize)] +=
            c.customers as i64;
    }
    let rows = client
        .find_all(Locator::Css("#transitions-matrix tbody tr"))
        .await
        .expect("matrix rows");
    assert_eq!(rows.len(), 6, "new and five rungs");
    let mut shown = Vec::new();
    for row in &rows {
        let mut cells = Vec::new();
        for td in row.find_all(Locator::Css("td")).await.expect("cells") {
            cells.push(number_in(&td.text().await.expect("text")));
        }
        shown.push(cells);
    }
    assert_eq!(
        shown, want,
        "the matrix is the store's transitions {from} → {to}"
    );
    // newcomer → regular, the ladder's main way up, has members in the demo.
    let (i, k) = (Rung::Newcomer as usize + 1, Rung::Regular as usize);
    assert!(want[i][k] > 0, "newcomers became regulars: {want:?}");
    click_and_wait(
        client,
        "#transitions-matrix a[href*=\"from_rung=newcomer&to_rung=regular\"]",
    )
    .await;
    let total = number_in(&texts(client, "#drill-total").await.join(" "));
    assert_eq!(total, want[i][k], "the drill-down's count is the cell's");
    let links = client
        .find_all(Locator::Css("#drill-table tbody a[href^=\"/customers/\"]"))
        .await
        .expect("customer links");
    assert_eq!(links.len() as i64, want[i][k].min(1000));
    let after = store.snapshot(to).await.expect("the later snapshot");
    for link in links.iter().take(20) {
        let href = link.attr("href").await.expect("href").unwrap_or_default();
        let id: i64 = href
            .trim_start_matches("/customers/")
            .parse()
            .expect("a numeric id");
        let row = after
            .iter()
            .find(|r| r.customer_id == id)
            .expect("in the snapshot");
        assert_eq!(row.rung, Rung::Regular, "customer {id} is a regular now");
    }
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("clientele-transitions.png"), png);
    }
}
