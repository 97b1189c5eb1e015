//! Staff voice's storage (issue 28 item 1), on both backends: a code is spent once and its hash
//! is gone; answers stay out of the released table until a batch of the survey's size is
//! complete; closing releases the rest and spends the unused codes; no answer table has a column
//! that could hold a person, a code or a time; hostile input is refused naming the field.

use clientele_store::{Store, StoreError};

use crate::{day, on_both};

async fn strings(store: &Store, sql: &'static str) -> Vec<String> {
    match store {
        Store::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    match store {
        Store::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn columns(store: &Store, table: &'static str) -> Vec<String> {
    let mut cols = match store {
        Store::Sqlite(pool) => sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar(
            "SELECT column_name::TEXT FROM information_schema.columns WHERE table_name = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    cols.sort();
    cols
}

const NO_SAT: [Option<u8>; 6] = [None; 6];

#[test]
fn answers_are_released_only_in_full_batches_and_codes_are_spent_once() {
    on_both(|store| async move {
        let s = store
            .create_staff_survey("Q1 pulse", day(2026, 2, 1), 5, "admin")
            .await
            .unwrap();
        let codes = store.issue_staff_codes(s, "Sales", 7).await.unwrap();
        assert_eq!(codes.len(), 7);
        // Printed in groups of four; all different.
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 14 && c.matches('-').count() == 2)
        );
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 7);
        for (i, code) in codes.iter().take(4).enumerate() {
            store
                .answer_staff_survey(code, 10 - i as u8, [Some(4), None, None, None, None, None])
                .await
                .unwrap();
        }
        // Four answers wait: nothing is released, nothing is in the reports' table.
        assert_eq!(store.staff_survey(s).await.unwrap().released, 0);
        assert!(
            store
                .staff_answers(day(2026, 1, 1), day(2026, 12, 31))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM staff_pending").await, 4);
        // Each used code's hash is gone: 3 unused remain.
        assert_eq!(count(&store, "SELECT COUNT(*) FROM staff_codes").await, 3);
        // A used code again, typed in capitals and with spaces: refused, nothing recorded.
        let again = codes[0].to_uppercase().replace('-', " ");
        let err = store
            .answer_staff_survey(&again, 9, NO_SAT)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { what: "code", .. }),
            "{err}"
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM staff_pending").await, 4);
        // The fifth completes the batch: all five are released together as batch 1.
        store
            .answer_staff_survey(&codes[4], 0, NO_SAT)
            .await
            .unwrap();
        let released = store
            .staff_answers(day(2026, 1, 1), day(2026, 12, 31))
            .await
            .unwrap();
        assert_eq!(released.len(), 5);
        let mut scores: Vec<u8> = released.iter().map(|a| a.nps).collect();
        scores.sort();
        assert_eq!(scores, [0, 7, 8, 9, 10]);
        assert_eq!(
            released
                .iter()
                .filter(|a| a.satisfaction[0] == Some(4))
                .count(),
            4
        );
        assert!(
            released
                .iter()
                .all(|a| a.department == "Sales" && a.survey_id == s)
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM staff_pending").await, 0);
        assert_eq!(
            count(&store, "SELECT COUNT(DISTINCT batch) FROM staff_answers").await,
            1
        );
        // A sixth waits; closing releases it (as batch 2) and spends the last unused code.
        store
            .answer_staff_survey(&codes[5], 6, NO_SAT)
            .await
            .unwrap();
        assert_eq!(store.staff_survey(s).await.unwrap().released, 5);
        assert_eq!(store.close_staff_survey(s).await.unwrap(), 1);
        let survey = store.staff_survey(s).await.unwrap();
        assert_eq!(survey.released, 6);
        assert!(survey.closed_at.is_some());
        assert_eq!(survey.departments, vec![("Sales".to_string(), 7)]);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM staff_codes").await, 0);
        let err = store
            .answer_staff_survey(&codes[6], 9, NO_SAT)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
        // Closed: no more codes, no second close.
        assert!(store.issue_staff_codes(s, "Sales", 1).await.is_err());
        assert!(store.close_staff_survey(s).await.is_err());
        // Batches are per department: two departments' answers never fill one batch.
        let t = store
            .create_staff_survey("Q2 pulse", day(2026, 5, 1), 3, "admin")
            .await
            .unwrap();
        let a = store.issue_staff_codes(t, "A", 2).await.unwrap();
        let b = store.issue_staff_codes(t, "B", 2).await.unwrap();
        for c in a.iter().chain(&b) {
            store.answer_staff_survey(c, 8, NO_SAT).await.unwrap();
        }
        assert_eq!(store.staff_survey(t).await.unwrap().released, 0);
    });
}

#[test]
fn no_answer_table_can_hold_a_person_a_code_or_a_time() {
    on_both(|store| async move {
        let scores = [
            "department",
            "nps",
            "s_growth",
            "s_manager",
            "s_pay",
            "s_team",
            "s_tools",
            "s_work",
            "survey_id",
        ];
        let mut released: Vec<&str> = scores.to_vec();
        released.push("batch");
        released.sort();
        assert_eq!(columns(&store, "staff_answers").await, released);
        assert_eq!(columns(&store, "staff_pending").await, scores);
        // The codes table keeps the hash and where it belongs, nothing of who got it.
        assert_eq!(
            columns(&store, "staff_codes").await,
            ["code_sha256", "department", "survey_id"]
        );
        // And the codes handed out are not stored in the clear anywhere.
        let s = store
            .create_staff_survey("pulse", day(2026, 2, 1), 3, "admin")
            .await
            .unwrap();
        let codes = store.issue_staff_codes(s, "IT", 3).await.unwrap();
        let kept = strings(&store, "SELECT code_sha256 FROM staff_codes").await;
        assert_eq!(kept.len(), 3);
        for code in &codes {
            let plain = code.replace('-', "");
            assert!(kept.iter().all(|h| h.len() == 64 && !h.contains(&plain)));
        }
    });
}

#[test]
fn hostile_input_is_refused_naming_the_field() {
    on_both(|store| async move {
        let field = |e: StoreError| match e {
            StoreError::Invalid { field, .. } => field,
            other => panic!("{other}"),
        };
        let d = day(2026, 2, 1);
        assert_eq!(
            field(store.create_staff_survey("", d, 5, "a").await.unwrap_err()),
            "title"
        );
        let long = "x".repeat(101);
        assert_eq!(
            field(
                store
                    .create_staff_survey(&long, d, 5, "a")
                    .await
                    .unwrap_err()
            ),
            "title"
        );
        assert_eq!(
            field(
                store
                    .create_staff_survey("ok", d, 2, "a")
                    .await
                    .unwrap_err()
            ),
            "batch_size"
        );
        let s = store.create_staff_survey("ok", d, 5, "a").await.unwrap();
        assert_eq!(
            field(
                store
                    .issue_staff_codes(s, "Sa\u{7}les", 1)
                    .await
                    .unwrap_err()
            ),
            "department"
        );
        assert_eq!(
            field(store.issue_staff_codes(s, "Sales", 0).await.unwrap_err()),
            "count"
        );
        assert_eq!(
            field(store.issue_staff_codes(s, "Sales", 1001).await.unwrap_err()),
            "count"
        );
        assert!(matches!(
            store
                .issue_staff_codes(s + 100, "Sales", 1)
                .await
                .unwrap_err(),
            StoreError::NotFound { .. }
        ));
        let code = store
            .issue_staff_codes(s, "Sales", 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(
            field(
                store
                    .answer_staff_survey(&code, 11, NO_SAT)
                    .await
                    .unwrap_err()
            ),
            "nps"
        );
        let mut bad = NO_SAT;
        bad[3] = Some(6);
        assert_eq!(
            field(store.answer_staff_survey(&code, 5, bad).await.unwrap_err()),
            "satisfaction"
        );
        bad[3] = Some(0);
        assert!(store.answer_staff_survey(&code, 5, bad).await.is_err());
        // The refusals spent nothing: the code still works.
        store.answer_staff_survey(&code, 5, NO_SAT).await.unwrap();
        for junk in ["", "'; DROP TABLE staff_codes; --", &"a".repeat(10_000)] {
            assert!(matches!(
                store
                    .answer_staff_survey(junk, 5, NO_SAT)
                    .await
                    .unwrap_err(),
                StoreError::NotFound { .. }
            ));
        }
    });
}
