//! The voice of the customer's records: answers stored once per answer id, a conflicting resend
//! refused, detractor answers opening follow-up tasks, and the report's read by group.

use clientele_core::closed_loop::ResponseTargets;
use clientele_core::nps::{NpsRating, NpsScale};
use clientele_store::voice::{
    AnswerGroupBy, AnswerOutcome, AnswerQuery, AnswerScore, NewAnswer, SurveyKind,
};
use clientele_store::{NewCustomer, Scope};

use super::{day, on_both};

fn nps(value: u32) -> AnswerScore {
    AnswerScore::Nps(NpsRating::new(value, NpsScale::ZeroToTen).unwrap())
}

fn answer(
    customer_id: i64,
    id: &str,
    value: u32,
    channel: &str,
    d: clientele_core::Day,
) -> NewAnswer {
    NewAnswer {
        customer_id,
        answer_id: Some(id.into()),
        survey_id: None,
        score: nps(value),
        comment: None,
        channel: Some(channel.into()),
        touchpoint: Some("delivery".into()),
        day: d,
        answered_at: i64::from(d.days_since_epoch()) * 86_400 + 3_600,
        source: "api".into(),
    }
}

#[test]
fn answers_are_idempotent_by_id_and_detractors_open_tasks() {
    on_both(|store| async move {
        let mut ids = Vec::new();
        for ext in ["a", "b"] {
            ids.push(
                store
                    .upsert_customer(&NewCustomer {
                        external_id: ext.into(),
                        ..NewCustomer::default()
                    })
                    .await
                    .unwrap(),
            );
        }
        let today = clientele_core::Day::from_days_since_epoch(
            (std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                / 86_400) as i32,
        );
        let targets = ResponseTargets::default();
        let batch = vec![
            answer(ids[0], "r1", 3, "email", today),
            answer(ids[1], "r2", 10, "sms", today),
        ];
        let (outcomes, committed) = store.store_answers(&batch, &targets, true).await.unwrap();
        assert!(committed);
        assert!(
            matches!(
                outcomes[0],
                AnswerOutcome::Stored {
                    task_id: Some(_),
                    ..
                }
            ),
            "a detractor opens a task: {outcomes:?}"
        );
        assert!(matches!(
            outcomes[1],
            AnswerOutcome::Stored { task_id: None, .. }
        ));

        // The same batch again changes nothing.
        let (again, _) = store.store_answers(&batch, &targets, true).await.unwrap();
        assert!(
            again
                .iter()
                .all(|o| matches!(o, AnswerOutcome::Unchanged { .. }))
        );

        // The same id with another score is a conflict, and all-or-nothing rolls back the
        // new answer beside it.
        let conflicting = vec![
            answer(ids[0], "r1", 9, "email", today),
            answer(ids[1], "r3", 8, "sms", today),
        ];
        let (outcomes, committed) = store
            .store_answers(&conflicting, &targets, true)
            .await
            .unwrap();
        assert!(!committed);
        match &outcomes[0] {
            AnswerOutcome::Conflict { stored, .. } => assert_eq!(stored.score, nps(3)),
            other => panic!("expected a conflict, got {other:?}"),
        }

        let query = AnswerQuery {
            csat: false,
            from: None,
            to: None,
            group: AnswerGroupBy::Channel,
            scope: Scope::All,
            touchpoint: None,
            rung: None,
            snapshot: None,
        };
        let (rows, names) = store.survey_answers(&query).await.unwrap();
        assert_eq!(rows.len(), 2, "r3 was rolled back");
        let mut seen: Vec<(String, u8)> = rows
            .iter()
            .map(|r| (names[r.group.unwrap() as usize].clone(), r.value))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            vec![("email".to_string(), 3), ("sms".to_string(), 10)]
        );

        // Another touchpoint filters everything out; the date range too.
        let (rows, _) = store
            .survey_answers(&AnswerQuery {
                touchpoint: Some("support".into()),
                ..query.clone()
            })
            .await
            .unwrap();
        assert!(rows.is_empty());
        let (rows, _) = store
            .survey_answers(&AnswerQuery {
                to: Some(day(2000, 1, 1)),
                ..query.clone()
            })
            .await
            .unwrap();
        assert!(rows.is_empty());
        assert_eq!(SurveyKind::Csat.range(), (1, 5));
    });
}
