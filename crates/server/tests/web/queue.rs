//! The queue page through a cookie-keeping client, on both backends: the rows are the API's
//! items in the API's order, an item without a consented channel says why and offers no done
//! form, a manager sees only their customers and marks an item done (CSRF-checked, hostile
//! fields refused naming the field, a flash after the redirect, the outcome on the row, a
//! second mark 409) or snoozes one (out of the queue, counted), analysts read only, the page
//! reads in Russian without English, and the CSV (plain and Excel's) and xlsx hold the queue.

use reqwest::StatusCode;

use super::{Browser, after, assert_clean, on_both};

const DATE: &str = "2024-10-02";

/// The `data-customer-id`s of the queue's rows, top to bottom.
fn row_ids(html: &str) -> Vec<i64> {
    html.split("<tr id=\"item-")
        .skip(1)
        .map(|part| part[..part.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_page_is_worked_through_and_exported() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let ids = [
            ("C1", f.alice),
            ("C2", f.hostile),
            ("C3", f.boris),
            ("C4", f.vera),
            ("C5", f.gleb),
        ];
        let id_of = |external: &str| ids.iter().find(|(e, _)| *e == external).unwrap().1;

        let admin = Browser::new(&app);
        admin.login("ada", "/").await;
        let page = admin.get(&format!("/queue?date={DATE}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_clean(&page);
        assert!(
            page.body
                .contains("<a href=\"/queue\" aria-current=\"page\">Queue</a>"),
            "the queue is in the navigation"
        );
        assert!(!page.body.contains("<script>alert(1)"), "names are escaped");
        // The API, read with the same session, is the reference for the rows and their order.
        let api = admin.get(&format!("/api/v1/queue?date={DATE}")).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        let items = json["items"].as_array().unwrap();
        assert!(items.len() >= 2, "the fixture fills the queue: {json}");
        let expected: Vec<i64> = items
            .iter()
            .map(|i| id_of(i["customer_id"].as_str().unwrap()))
            .collect();
        assert_eq!(row_ids(&page.body), expected, "the page ranks as the API");
        // The fixture's snapshot forecast no CLV: no horizon is claimed, and the page says so.
        assert_eq!(json["clv_horizon_days"], serde_json::Value::Null);
        assert!(page.body.contains("No lifetime value was forecast for this snapshot"));
        // Vera has no consent: her row says why and has no done form, only a snooze.
        if let Some(vera) = items.iter().find(|i| i["customer_id"] == "C4") {
            assert_eq!(vera["blocked"]["code"], "no_consented_channel", "{vera}");
            let row = after(&page.body, &format!("<tr id=\"item-{}\"", f.vera), ">", "</tr>")
                .unwrap();
            assert!(row.contains("No channel with consent in force"), "{row}");
            assert!(!row.contains("done-form") && row.contains("snooze-form"), "{row}");
        }
        // The reason is in words: the hostile customer is 19 days late on a 30 ± 4 day rhythm.
        let row = after(&page.body, &format!("<tr id=\"item-{}\"", f.hostile), ">", "</tr>")
            .expect("the late regular is in the queue");
        assert!(row.contains("30") && row.contains("19"), "{row}");

        // A manager sees only Alice and Boris.
        let max = Browser::new(&app);
        max.login("max", "/").await;
        let mine = max.get(&format!("/queue?date={DATE}")).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        let shown = row_ids(&mine.body);
        assert!(!shown.is_empty(), "{}", mine.body);
        assert!(
            shown.iter().all(|id| [f.alice, f.boris].contains(id)),
            "{shown:?}"
        );
        assert!(!mine.body.contains("maxlength=\"200\""), "no manager filter");

        // Marking the first item done: hostile fields are refused naming the field.
        let first = shown[0];
        let action = after(&mine.body, &format!("<tr id=\"item-{first}\""), "data-action=\"", "\"")
            .unwrap()
            .to_string();
        let csrf = max.csrf().await;
        let customer = first.to_string();
        let form = |extra: &[(&'static str, &str)]| {
            let mut v: Vec<(&str, String)> = vec![
                ("csrf", csrf.clone()),
                ("customer", customer.clone()),
                ("action", action.clone()),
                ("date", DATE.to_string()),
            ];
            for (k, x) in extra {
                v.retain(|(key, _)| key != k);
                v.push((k, x.to_string()));
            }
            v
        };
        let post = |fields: Vec<(&'static str, String)>| {
            let b = &max;
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post("/queue/outcomes", &pairs).await
            }
        };
        let done = [("channel", "phone"), ("outcome", "answered")];
        let no_csrf = post(form(&[("csrf", "forged"), ("channel", "phone"), ("outcome", "answered")])).await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        let long_note = "x".repeat(2001);
        for (bad, field) in [
            (vec![("channel", "pigeon"), ("outcome", "answered")], "channel"),
            (vec![("channel", "phone"), ("outcome", "maybe")], "outcome"),
            (vec![("channel", "phone"), ("outcome", "answered"), ("customer", "1 OR 1=1")], "customer"),
            (vec![("channel", "phone"), ("outcome", "answered"), ("date", "2024-02-30")], "date"),
            (vec![("channel", "phone"), ("outcome", "answered"), ("action", "vip_offer_that_is_far_too_long_for_a_code_x")], "action"),
            (vec![("channel", "phone"), ("outcome", "answered"), ("note", long_note.as_str())], "note"),
            (vec![("outcome", "snoozed"), ("snooze_until", "2024-10-01")], "snooze_until"),
            (vec![("outcome", "snoozed"), ("snooze_until", "2027-01-01")], "snooze_until"),
        ] {
            let refused = post(form(&bad)).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {}", refused.body);
            assert!(refused.body.contains(field), "{bad:?} names {field}: {}", refused.body);
        }
        // Another manager's customer is not found for max.
        let other = post(form(&[("customer", &f.hostile.to_string()), ("channel", "phone"), ("outcome", "answered")])).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);

        let saved = post(form(&[done[0], done[1], ("note", "<b>calls back</b>")])).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(
            saved.location,
            Some(format!("/queue?date={DATE}&done=done#item-{first}"))
        );
        let after_done = max.get(&format!("/queue?date={DATE}&done=done")).await;
        assert_clean(&after_done);
        assert!(after_done.body.contains("Marked done; the outcome is in the contact log."));
        let row = after(&after_done.body, &format!("<tr id=\"item-{first}\""), ">", "</tr>").unwrap();
        assert!(row.contains("Done: Answered (Phone)"), "{row}");
        assert!(!row.contains("done-form"), "{row}");
        let again = post(form(&done)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        // The contact log has it (the API's outcome on the item).
        let api = max.get(&format!("/api/v1/queue?date={DATE}")).await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert!(
            json["items"].as_array().unwrap().iter().any(|i| i["outcome"] == "answered"),
            "{json}"
        );

        // Snoozing the other of max's items takes it out of the queue.
        if let Some(&second) = shown.get(1) {
            let action = after(&mine.body, &format!("<tr id=\"item-{second}\""), "data-action=\"", "\"")
                .unwrap()
                .to_string();
            let snooze = vec![
                ("csrf", csrf.clone()),
                ("customer", second.to_string()),
                ("action", action),
                ("date", DATE.to_string()),
                ("outcome", "snoozed".to_string()),
                ("snooze_until", "2024-10-09".to_string()),
            ];
            let snoozed = post(snooze).await;
            assert_eq!(snoozed.status, StatusCode::SEE_OTHER, "{}", snoozed.body);
            let page = max.get(&format!("/queue?date={DATE}&done=snoozed")).await;
            assert!(page.body.contains("Snoozed: the customer is out of the queue"));
            assert!(!row_ids(&page.body).contains(&second));
            assert!(page.body.contains("one snoozed"), "{}", page.body);
        }

        // Analysts read: no forms, and a post is refused.
        let ana = Browser::new(&app);
        ana.login("ana", "/").await;
        let read = ana.get(&format!("/queue?date={DATE}")).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(!read.body.contains("action=\"/queue/outcomes\""));
        let csrf = ana.csrf().await;
        let refused = ana
            .post(
                "/queue/outcomes",
                &[("csrf", &csrf), ("customer", &f.alice.to_string()), ("action", "x"), ("channel", "phone"), ("outcome", "answered")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // Hostile query values name the field.
        for bad in ["date=2024-13-01", "date=<x>", &format!("manager={}", "m".repeat(201)), "manager=nobody"] {
            let page = admin.get(&format!("/queue?{bad}")).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", page.body);
        }

        // In Russian: the page's words, no message id.
        let ru = Browser {
            language: Some("ru-RU,ru;q=0.9"),
            ..Browser::new(&app)
        };
        ru.login("ada", "/").await;
        let page = ru.get(&format!("/queue?date={DATE}")).await;
        assert_clean(&page);
        assert!(page.body.contains("Очередь на сегодня"), "{}", page.body);
        let row = after(&page.body, &format!("<tr id=\"item-{}\"", f.hostile), ">", "</tr>").unwrap();
        assert!(row.contains("опаздывает") || row.contains("дн"), "{row}");

        // Exports: the plain CSV's rows are the API's, Excel's has the mark and `;`, the xlsx
        // is a zip.
        let csv = admin.get(&format!("/queue.csv?date={DATE}&excel=0")).await;
        assert_eq!(csv.status, StatusCode::OK);
        let mut lines = csv.body.lines();
        assert_eq!(
            lines.next().unwrap(),
            "customer_id,name,manager,rung,action,offer,channel,blocked,reason,value_at_stake,clv_horizon_days,cost,suggestions,outcome"
        );
        let from_csv: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
        // Read again: max's snooze took one item out since.
        let api = admin.get(&format!("/api/v1/queue?date={DATE}")).await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        let items = json["items"].as_array().unwrap();
        let from_api: Vec<&str> = items.iter().map(|i| i["customer_id"].as_str().unwrap()).collect();
        assert_eq!(from_csv, from_api);
        let excel = ru.get(&format!("/queue.csv?date={DATE}")).await;
        assert!(excel.body.starts_with('\u{feff}'), "a byte-order mark");
        assert!(excel.body.lines().next().unwrap().contains(';'));
        let xlsx = admin
            .client
            .get(format!("{}/queue.xlsx?date={DATE}", admin.base))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        app
    })
    .await;
}
