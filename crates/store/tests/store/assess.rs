//! The self-assessment's storage (issue 28 item 3): responses replaced per person and day and
//! kept as history across days, a question answered twice refused whole, hostile names
//! refused, company checklists saved and replaced.

use clientele_store::StoreError;

use crate::{day, on_both};

fn a(q: &str, yes: bool) -> (String, bool) {
    (q.to_string(), yes)
}

#[test]
fn responses_are_history_per_day_and_replaced_within_a_day() {
    on_both(|store| async move {
        store
            .record_assessment(
                "four_directions",
                "ann",
                day(2026, 1, 5),
                &[a("x", true), a("y", false)],
            )
            .await
            .unwrap();
        // The same day again replaces; another day adds.
        store
            .record_assessment("four_directions", "ann", day(2026, 1, 5), &[a("x", false)])
            .await
            .unwrap();
        store
            .record_assessment("four_directions", "ann", day(2026, 2, 1), &[a("x", true)])
            .await
            .unwrap();
        store
            .record_assessment("four_directions", "bob", day(2026, 1, 7), &[a("y", true)])
            .await
            .unwrap();
        store
            .record_assessment("other", "bob", day(2026, 1, 7), &[a("y", true)])
            .await
            .unwrap();
        let r = store.assessment_responses("four_directions").await.unwrap();
        type Row = (String, String, Vec<(String, bool)>);
        let got: Vec<Row> = r
            .iter()
            .map(|r| (r.respondent.clone(), r.day.to_string(), r.answers.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ann".into(), "2026-01-05".into(), vec![a("x", false)]),
                ("bob".into(), "2026-01-07".into(), vec![a("y", true)]),
                ("ann".into(), "2026-02-01".into(), vec![a("x", true)]),
            ]
        );

        // A question twice: nothing of the response is written.
        let err = store
            .record_assessment(
                "four_directions",
                "cy",
                day(2026, 3, 1),
                &[a("x", true), a("x", false)],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "answers",
                    ..
                }
            ),
            "{err}"
        );
        for (checklist, respondent, answers) in [
            ("", "cy", vec![a("x", true)]),
            ("k", " ", vec![a("x", true)]),
            ("k", "cy\u{0}", vec![a("x", true)]),
            ("k", &"z".repeat(101), vec![a("x", true)]),
            ("k", "cy", vec![]),
        ] {
            assert!(
                store
                    .record_assessment(checklist, respondent, day(2026, 3, 1), &answers)
                    .await
                    .is_err()
            );
        }
        assert_eq!(
            store
                .assessment_responses("four_directions")
                .await
                .unwrap()
                .len(),
            3
        );
        assert!(store.assessment_responses("k").await.unwrap().is_empty());
    });
}

#[test]
fn company_checklists_are_saved_and_replaced() {
    on_both(|store| async move {
        store
            .save_checklist("ours", "key = \"ours\"", "ann")
            .await
            .unwrap();
        store
            .save_checklist("ours", "key = \"ours\" # v2", "bob")
            .await
            .unwrap();
        let all = store.checklists().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].toml.as_str(), all[0].saved_by.as_str()),
            ("key = \"ours\" # v2", "bob")
        );
        let huge = "x".repeat(300 * 1024);
        assert!(store.save_checklist("big", &huge, "ann").await.is_err());
    });
}
