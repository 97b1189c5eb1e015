//! The campaigns page and the win-back cases' files through a cookie-keeping client, on both
//! backends: hostile forms are refused with the reason and the form kept, a good one creates the
//! campaign (CSRF-checked, a flash after the redirect) and its report shows both arms, the
//! verdict and the interval drawn against a zero line; a manager reads but cannot create; the
//! cases export as plain CSV, Excel's CSV (BOM, `;`) and xlsx.

use reqwest::StatusCode;

use super::{Browser, assert_clean, on_both};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_is_created_on_the_page_and_its_report_shows_the_interval() {
    on_both(|app| async move {
        app.fixture().await;
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let empty = b.get("/campaigns").await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert_clean(&empty);
        assert!(empty.body.contains("No campaigns yet."), "{}", empty.body);
        assert!(
            empty
                .body
                .contains("<a href=\"/campaigns\" aria-current=\"page\">Campaigns</a>")
        );
        let form = |csrf: &str, control: &str, seed: &str| {
            vec![
                ("csrf", csrf.to_string()),
                ("name", "Everyone, a fifth held back".to_string()),
                ("control", control.to_string()),
                ("seed", seed.to_string()),
                ("window", "30".to_string()),
                ("cost", "5".to_string()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            let b = &b;
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post("/campaigns", &pairs).await
            }
        };
        assert_eq!(
            post(form("", "20", "7")).await.status,
            StatusCode::FORBIDDEN
        );
        let csrf = b.csrf().await;
        // Hostile values: each refused with its reason, the form kept as typed.
        for (control, seed, says) in [
            (
                "0",
                "7",
                "the control share must be more than 0 and less than 100 %",
            ),
            (
                "100",
                "7",
                "the control share must be more than 0 and less than 100 %",
            ),
            (
                "NaN",
                "7",
                "the control share must be more than 0 and less than 100 %",
            ),
            ("20", "-1", "the seed must be a whole number"),
            (
                "20",
                "18446744073709551616",
                "the seed must be a whole number",
            ),
        ] {
            let refused = post(form(&csrf, control, seed)).await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{control} {seed}"
            );
            assert_clean(&refused);
            assert!(
                refused.body.contains(says),
                "{control} {seed}: {}",
                refused.body
            );
            assert!(
                refused
                    .body
                    .contains("value=\"Everyone, a fifth held back\""),
                "the name is kept"
            );
        }
        let mut bad_status = form(&csrf, "20", "7");
        bad_status.push(("status", "gone".into()));
        let refused = post(bad_status).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("a chosen value is not one the form offers")
        );

        let created = post(form(&csrf, "20", "7")).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let location = created.location.unwrap();
        let id: i64 = location
            .strip_prefix("/campaigns/")
            .and_then(|s| s.strip_suffix("?done=created"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{location}"));
        let report = b.get(&location).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        assert_clean(&report);
        assert!(report.body.contains(&format!(
            "Campaign {id} created: its customers and their arms are recorded."
        )));
        // Started today with a 30-day window: too early.
        assert!(
            report.body.contains("data-verdict=\"too_early\""),
            "{}",
            report.body
        );
        assert!(report.body.contains("<strong>Too early.</strong>"));
        assert!(report.body.contains("id=\"campaign-arms\""));
        assert!(report.body.contains("<dd>20.0%</dd>"), "the control share");
        assert!(report.body.contains("<dd>7</dd>"), "the seed");
        // The same name again is refused.
        let taken = post(form(&csrf, "20", "7")).await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            taken
                .body
                .contains("a campaign or filter of that name exists")
        );
        // Listed, with the arms' sizes.
        let list = b.get("/campaigns").await;
        assert!(list.body.contains(&format!("<tr id=\"campaign-{id}\">")));
        assert!(list.body.contains("everyone in the snapshot"));
        // Not a campaign: not found; not a number: not found.
        assert_eq!(
            b.get("/campaigns/999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(b.get("/campaigns/x").await.status, StatusCode::NOT_FOUND);

        // In Russian.
        let mut ru = Browser::new(&app);
        ru.language = Some("ru");
        ru.login("ada", "/").await;
        let page = ru.get(&format!("/campaigns/{id}")).await;
        assert_clean(&page);
        assert!(
            page.body.contains("<strong>Слишком рано.</strong>"),
            "{}",
            page.body
        );

        // A manager reads, and cannot create.
        let m = Browser::new(&app);
        m.login("max", "/").await;
        let read = m.get("/campaigns").await;
        assert!(read.body.contains("id=\"campaigns-read-only\""));
        assert!(!read.body.contains("id=\"campaign-form\""));
        let csrf = m.csrf().await;
        let pairs = [("csrf", csrf.as_str()), ("name", "mine"), ("control", "20")];
        assert_eq!(
            m.post("/campaigns", &pairs).await.status,
            StatusCode::FORBIDDEN
        );
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cases_export_as_plain_csv_excels_csv_and_xlsx() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        let csrf = b.csrf().await;
        let vera = f.vera.to_string();
        let opened = b
            .post(
                "/winback/cases",
                &[("csrf", csrf.as_str()), ("customer", vera.as_str()), ("source", "lost_list")],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let page = b.get("/winback").await;
        assert!(page.body.contains("href=\"/winback.csv?state=\""));
        let plain = b.get("/winback.csv?excel=0").await;
        assert_eq!(plain.status, StatusCode::OK);
        assert!(plain.content_type.starts_with("text/csv"));
        let mut lines = plain.body.lines();
        assert_eq!(
            lines.next(),
            Some("case_id,customer_id,name,manager,opened,source,state,returned,reason,reason_text,offer,channel,window_days,attempts,last_outcome")
        );
        let row = lines.next().expect("the case's row");
        assert!(row.contains(",lost_list,open,"), "{row}");
        assert_eq!(lines.next(), None, "one case");
        let excel = b.get("/winback.csv?excel=1").await;
        assert!(excel.body.starts_with('\u{feff}'), "a byte-order mark");
        assert!(excel.body.contains("Case;"), "{}", excel.body);
        assert!(excel.body.contains(";The lost list;"), "{}", excel.body);
        let none = b.get("/winback.csv?excel=0&state=returned").await;
        assert_eq!(none.body.lines().count(), 1, "the header only");
        assert_eq!(
            b.get("/winback.csv?state=gone").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let xlsx = b.get("/winback.xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.content_type.contains("spreadsheetml"));
        app
    })
    .await;
}
