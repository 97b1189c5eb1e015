//! The customers behind a cell of the transition matrix over the API, on SQLite and PostgreSQL:
//! the cells of a hand-built pair of snapshots, by revenue of the period; a manager sees their
//! own customers only; hostile parameters refused by field.

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::Value;

use super::{day, error_field, on_both};

/// (id, rung at d1, rung and status at d2, revenue at d1, at d2)
type Row = (
    &'static str,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
    i64,
    i64,
);

fn ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["customer_id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_cell_lists_the_customers_who_moved_so() {
    on_both(|app| async move {
        let ana = app.user("ana", Role::Analyst).await;
        let mila = app.user("mila", Role::Manager).await;
        let (d1, d2) = (day(2025, 3, 31), day(2025, 6, 30));
        let rows: [Row; 6] = [
            ("a", Some("newcomer"), Some(("regular", "active")), 100, 300),
            ("b", Some("regular"), Some(("regular", "slipping")), 200, 500),
            ("d", Some("regular"), Some(("regular", "lost")), 200, 250),
            ("e", None, Some(("newcomer", "active")), 0, 20),
            ("g", Some("regular"), None, 90, 0),
            ("h", Some("newcomer"), Some(("regular", "active")), 10, 40),
        ];
        for (ext, before, after, r1, r2) in rows {
            let id = app.customer(ext, ext).await;
            if let Some(r) = before {
                app.snapshot_row(d1, id, r, Some("active"), None, r1).await;
            }
            if let Some((r, st)) = after {
                app.snapshot_row(d2, id, r, Some(st), None, r2).await;
            }
            if ext == "h" {
                app.assign(id, "mila").await;
            }
        }
        let cell = |from_rung: &str, to_rung: &str, more: &str| {
            format!(
                "/api/v1/ladder/transitions/customers?from=2025-03-31&to=2025-06-30&from_rung={from_rung}&to_rung={to_rung}{more}"
            )
        };
        // regular → regular: b brought 300 in the period, d 50.
        let (s, page) = app.get(&cell("regular", "regular", ""), &ana).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(ids(&page), ["b", "d"]);
        assert_eq!(page["total"], 2);
        assert_eq!(page["items"][0]["period_revenue"], "300.00");
        assert_eq!(page["items"][0]["status_before"], "active");
        assert_eq!(page["items"][1]["status_after"], "lost");
        // newcomer → regular: a (200) before h (30); a page of one.
        let (_, page) = app.get(&cell("newcomer", "regular", ""), &ana).await;
        assert_eq!(ids(&page), ["a", "h"]);
        let (_, second) = app
            .get(&cell("newcomer", "regular", "&limit=1&page=2"), &ana)
            .await;
        assert_eq!((ids(&second), second["total"].as_u64()), (vec!["h"], Some(2)));
        // New and gone.
        let (_, new) = app.get(&cell("new", "newcomer", ""), &ana).await;
        assert_eq!(ids(&new), ["e"]);
        assert_eq!(new["from_rung"], Value::Null);
        let (_, gone) = app.get(&cell("regular", "gone", ""), &ana).await;
        assert_eq!(ids(&gone), ["g"]);
        // The manager sees only h.
        let (_, hers) = app.get(&cell("newcomer", "regular", ""), &mila).await;
        assert_eq!((ids(&hers), hers["total"].as_u64()), (vec!["h"], Some(1)));
        let (_, none) = app.get(&cell("regular", "regular", ""), &mila).await;
        assert_eq!(none["total"], 0);

        let hostile = [
            (cell("regular", "regular", "").replace("from=2025-03-31", "from=31.03.2025"), "from"),
            (cell("regular", "regular", "").replace("to=2025-06-30", "to=2025-03-01"), "to"),
            (cell("'; DROP TABLE customers; --", "regular", ""), "from_rung"),
            (cell("regular", &"x".repeat(5000), ""), "to_rung"),
            (cell("new", "gone", ""), "to_rung"),
            (cell("regular", "regular", "&limit=0"), "limit"),
            (cell("regular", "regular", "&limit=100000"), "limit"),
            (cell("regular", "regular", "&page=0"), "page"),
        ];
        for (url, field) in hostile {
            let (s, body) = app.get(&url, &ana).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
            assert_eq!(error_field(&body), field, "{url}: {body}");
        }
        let (s, _) = app
            .get(
                &cell("regular", "regular", "").replace("from=2025-03-31", "from=2025-01-01"),
                &ana,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .get(
                &cell("regular", "regular", "").replace("from=2025-03-31", "from=2025-01-01"),
                "wrong-token",
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}
