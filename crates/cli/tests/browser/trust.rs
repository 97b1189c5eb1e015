//! Issue 24, item 2: one meaning of value at stake. The Today and Lost pages, the API's
//! at-risk and lost lists and `clientele worklist` rank the same customers in the same order, by
//! the CLV over the snapshot's horizon expected to be lost, and name the horizon.

use fantoccini::Locator;

use super::page::{Page, amount_in, assert_page_frame, fetch_text, texts};
use crate::World;

/// The customer ids of the page's rows, top to bottom.
async fn row_ids(w: &World, table: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for row in w
        .client
        .find_all(Locator::Css(&format!(
            "#{table} tbody tr[data-customer-id]"
        )))
        .await
        .expect("the list's rows")
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

pub async fn today_and_lost_rank_by_value_at_stake_everywhere(w: &World) {
    for (path, table, api, cli, page) in [
        ("/today", "today-list", "at-risk", "today", Page::ALL[2]),
        ("/lost", "lost-list", "lost", "lost", Page::ALL[3]),
    ] {
        w.client.goto(&w.url(path)).await.expect("navigating");
        assert_page_frame(&w.client, page, "en").await;
        let shown = row_ids(w, table).await;
        assert!(
            shown.len() >= 5,
            "{path}: the demo fills the list: {shown:?}"
        );
        // The value column names the horizon; the note says what it holds and the currency.
        let heading = texts(&w.client, &format!("#{table} thead th.num")).await;
        assert!(
            heading[0].contains("365 days"),
            "{path}: the value column names the horizon: {heading:?}"
        );
        let note = texts(&w.client, "p.value-note").await;
        assert!(
            note[0].contains("365 days") && note[0].contains("expected to be lost"),
            "{path}: the note says what value at stake is: {note:?}"
        );
        // The API, read with the page's session, over the same number of rows.
        let answer = fetch_text(
            &w.client,
            &format!("/api/v1/ladder/{api}?limit={}", shown.len()),
        )
        .await;
        assert_eq!(answer.status, 200, "{api}: {}", answer.body);
        let json: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
        assert_eq!(json["clv_horizon_days"], 365, "{api}: {json}");
        let items = json["items"].as_array().expect("items");
        let from_api: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(from_api, shown, "{api}: the API ranks as the page does");
        // The order is the value at stake, highest first, and the value at stake is what the
        // CLV and P(alive) give: CLV × (1 − p) / p (to the cent the CLV is rounded to).
        let mut previous = f64::INFINITY;
        for item in items {
            let stake: f64 = item["value_at_stake"].as_str().unwrap().parse().unwrap();
            let clv: f64 = item["clv"].as_str().unwrap().parse().unwrap();
            let p = item["p_alive"].as_f64().unwrap();
            assert!(stake <= previous + 1e-9, "{api}: by value at stake: {item}");
            previous = stake;
            if p >= 0.01 {
                let expected = clv * (1.0 - p) / p;
                let tolerance = 0.006 * (1.0 - p) / p + 0.006;
                assert!(
                    (stake - expected).abs() <= tolerance,
                    "{api}: value at stake {stake} of CLV {clv} at P(alive) {p}: want {expected}"
                );
            }
        }
        // The page's value cells are the API's values.
        let cells = texts(&w.client, &format!("#{table} td.value")).await;
        let first: f64 = items[0]["value_at_stake"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (amount_in(&cells[0]) - first).abs() <= 0.5 + 1e-9,
            "{path}: the top row shows {:?}, the API {first}",
            cells[0]
        );
        // The CLI reads the same list in the same order.
        let (code, out, err) = crate::clientele(
            &[
                "worklist",
                cli,
                "--db",
                &w.database_url,
                "--format",
                "json",
                "--limit",
                &shown.len().to_string(),
            ],
            "",
        );
        assert_eq!(code, 0, "clientele worklist {cli}: {err}");
        let json: serde_json::Value = serde_json::from_str(&out).expect("the CLI's JSON");
        assert_eq!(json["clv_horizon_days"], 365);
        let from_cli: Vec<i64> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            from_cli, shown,
            "worklist {cli}: the CLI ranks as the page does"
        );
    }
}
