//! The audit log read by an admin: filters by actor, action and time, newest first, page by
//! page with a keyset that stays right while entries are appended.

use clientele_store::{AuditFilter, NewAuditEntry};

use super::on_both;

fn entry(at: i64, actor: &str, action: &str) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: actor.into(),
        action: action.into(),
        customer_id: Some(at),
        detail: format!("{actor} {action} {at}"),
    }
}

#[test]
fn the_log_is_filtered_by_actor_action_and_time_and_paged_newest_first() {
    on_both(|store| async move {
        // 10 entries at instants 100..=109: anna lists on even instants, boris exports on odd.
        let entries: Vec<NewAuditEntry> = (100..110)
            .map(|at| {
                if at % 2 == 0 {
                    entry(at, "anna", "list")
                } else {
                    entry(at, "boris", "export")
                }
            })
            .collect();
        store.audit_batch(&entries).await.unwrap();

        let all = store
            .audit_log_page(&AuditFilter::default(), None, 100)
            .await
            .unwrap();
        let ats: Vec<i64> = all.items.iter().map(|r| r.at).collect();
        assert_eq!(ats, (100..110).rev().collect::<Vec<_>>());
        assert_eq!(all.next_before, None);

        let anna = AuditFilter {
            actor: Some("anna".into()),
            ..AuditFilter::default()
        };
        let page = store.audit_log_page(&anna, None, 100).await.unwrap();
        assert_eq!(
            page.items.iter().map(|r| r.at).collect::<Vec<_>>(),
            vec![108, 106, 104, 102, 100]
        );
        assert!(page.items.iter().all(|r| r.action == "list"));

        let exports_in_span = AuditFilter {
            action: Some("export".into()),
            from: Some(103),
            until: Some(107),
            ..AuditFilter::default()
        };
        let page = store
            .audit_log_page(&exports_in_span, None, 100)
            .await
            .unwrap();
        // 107 is the exclusive end.
        assert_eq!(
            page.items.iter().map(|r| r.at).collect::<Vec<_>>(),
            vec![105, 103]
        );
        assert_eq!(page.items[0].detail, "boris export 105");
        assert_eq!(page.items[0].customer_id, Some(105));

        // Pages of 3: 109..107, 106..104, 103..101, 100; an entry appended meanwhile does not
        // shift the older pages.
        let mut seen = Vec::new();
        let mut before = None;
        let mut pages = 0;
        loop {
            let page = store
                .audit_log_page(&AuditFilter::default(), before, 3)
                .await
                .unwrap();
            pages += 1;
            if pages == 1 {
                store
                    .audit_batch(&[entry(200, "vera", "view")])
                    .await
                    .unwrap();
            }
            seen.extend(page.items.iter().map(|r| r.at));
            match page.next_before {
                Some(b) => before = Some(b),
                None => break,
            }
        }
        assert_eq!(pages, 4);
        assert_eq!(seen, (100..110).rev().collect::<Vec<_>>());

        assert_eq!(
            store.audit_actions().await.unwrap(),
            vec!["export".to_string(), "list".into(), "view".into()]
        );
        let nobody = AuditFilter {
            actor: Some("nobody".into()),
            ..AuditFilter::default()
        };
        assert!(
            store
                .audit_log_page(&nobody, None, 10)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    });
}
