//! The NPS page's "what they did next" section in both languages, on both backends: the
//! promoters, passives and detractors of March 2026 followed to the snapshot of 1 April, with
//! the shares and their Wilson intervals computed by hand, and the basis sentence naming the
//! snapshot and the currency.

use clientele_core::closed_loop::ResponseTargets;
use clientele_core::nps::{NpsRating, NpsScale};
use clientele_store::voice::{AnswerScore, NewAnswer};
use clientele_store::{Role, Setting};

use super::{Browser, TestApp, assert_clean, day, on_both};

/// p1, p2 promoters; s1 a passive; d1, d2 detractors; all on 2026-03-10. In the snapshot of
/// 2026-04-01: p1 active, p2 lost, s1 active, d1 and d2 lost.
async fn seed(app: &TestApp) {
    let snap = day(2026, 4, 1);
    let mut batch = Vec::new();
    for (i, (c, score, status)) in [
        ("p1", 10, "active"),
        ("p2", 9, "lost"),
        ("s1", 8, "active"),
        ("d1", 3, "lost"),
        ("d2", 0, "lost"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = app.customer(c, c, None).await;
        app.snapshot_row((
            snap,
            id,
            "regular",
            Some(status),
            None,
            1,
            1,
            100,
            50,
            None,
            None,
            None,
        ))
        .await;
        let d = day(2026, 3, 10);
        batch.push(NewAnswer {
            customer_id: id,
            answer_id: Some(format!("b{i}")),
            survey_id: None,
            score: AnswerScore::Nps(NpsRating::new(score, NpsScale::ZeroToTen).unwrap()),
            comment: None,
            channel: None,
            touchpoint: None,
            day: d,
            answered_at: i64::from(d.days_since_epoch()) * 86_400,
            source: "test".into(),
        });
    }
    let (_, committed) = app
        .store
        .store_answers(&batch, &ResponseTargets::default(), true)
        .await
        .unwrap();
    assert!(committed);
}

fn row<'a>(body: &'a str, category: &str) -> &'a str {
    let start = body
        .find(&format!("<tr data-category=\"{category}\">"))
        .unwrap_or_else(|| panic!("no {category} row in {body}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nps_page_says_what_promoters_and_detractors_did_next_in_both_languages() {
    on_both(|app| async move {
        app.user("ada", Role::Admin).await;
        app.store
            .set_setting(Setting::Currency, "RUB")
            .await
            .unwrap();
        seed(&app).await;
        let b = Browser::new(&app);
        b.login("ada", "/nps").await;
        let page = b.get("/nps?from=2026-03-01&to=2026-03-31").await;
        assert_clean(&page);
        assert!(page.body.contains("What they did next"), "{}", page.body);
        assert!(
            page.body
                .contains("first snapshot after the period, of 2026-04-01")
                && page.body.contains("Amounts are in RUB."),
            "{}",
            page.body
        );
        // Promoters: 1 of 2 lost, Wilson 95% 9.5% to 90.5%; detractors 2 of 2, 34.2% to 100%.
        let promoters = row(&page.body, "promoter");
        assert!(promoters.contains("Promoters"), "{promoters}");
        assert!(
            promoters.contains("50.0% (95% interval 9.5% to 90.5%)"),
            "{promoters}"
        );
        let detractors = row(&page.body, "detractor");
        assert!(
            detractors.contains("100.0% (95% interval 34.2% to 100.0%)"),
            "{detractors}"
        );
        // Revenue to date 100 each: no spread, so the interval is the point itself.
        assert!(detractors.contains("100.00"), "{detractors}");
        assert!(
            page.body.contains("minus promoters&#39;: 50.0%")
                || page.body.contains("minus promoters': 50.0%"),
            "{}",
            page.body
        );
        assert!(page.body.contains("could be noise"));

        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ada", "/nps").await;
        let page = ru.get("/nps?from=2026-03-01&to=2026-03-31").await;
        assert_clean(&page);
        assert!(page.body.contains("Что они сделали потом"), "{}", page.body);
        assert!(page.body.contains("снимка после периода, на 01.04.2026"));
        let promoters = row(&page.body, "promoter");
        assert!(promoters.contains("Промоутеры"), "{promoters}");
        assert!(promoters.contains("от 9,5"), "{promoters}");
        for english in [
            "What they",
            "Promoters",
            "interval",
            "snapshot",
            "could be noise",
        ] {
            assert!(
                !page.body.contains(english),
                "English '{english}' on a Russian page"
            );
        }
        app
    })
    .await;
}
