//! The one customer search of the API's and the dashboard's lists: any case, in every script,
//! ё read as е, the same customers found through both.

use clientele_store::{Cursor, CustomerFilter, NewCustomer, Scope, Store};

use crate::on_both;

async fn customer(store: &Store, external_id: &str, name: &str) -> i64 {
    store
        .upsert_customer(&NewCustomer {
            external_id: external_id.into(),
            name: Some(name.into()),
            ..NewCustomer::default()
        })
        .await
        .unwrap()
}

/// The ids the API's list and the dashboard's list find for `text`, which must agree.
async fn found(store: &Store, text: &str) -> Vec<i64> {
    let filter = CustomerFilter {
        search: Some(text.into()),
        ..CustomerFilter::default()
    };
    let api: Vec<i64> = store
        .list_customers(Scope::All, &filter, None, 100)
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    let pages: Vec<i64> = store
        .dashboard_customers(Scope::All, &filter, Cursor::First, 100)
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(api, pages, "the API and the pages disagree on {text:?}");
    api
}

#[test]
fn the_api_and_the_pages_find_the_same_customers() {
    on_both(|store| async move {
        let olga = customer(&store, "C-1", "Ольга Смирнова").await;
        let semyonov = customer(&store, "C-2", "Пётр Семёнов").await;
        let semenov = customer(&store, "C-3", "Иван Семенов").await;
        let olivia = customer(&store, "C-4", "Olivia Brown").await;
        let fyodor = customer(&store, "Ё-5", "Фёдор").await;

        // Cyrillic in any case: the API found none of these before (LOWER folds ASCII only).
        assert_eq!(found(&store, "Ольга").await, vec![olga]);
        assert_eq!(found(&store, "ОЛЬГА").await, vec![olga]);
        assert_eq!(found(&store, "смирн").await, vec![olga]);
        assert_eq!(found(&store, "olivia").await, vec![olivia]);
        assert_eq!(found(&store, "OLIV").await, vec![olivia]);
        // ё and е alike, either way round and in either case.
        assert_eq!(found(&store, "Семенов").await, vec![semyonov, semenov]);
        assert_eq!(found(&store, "СЕМЁНОВ").await, vec![semyonov, semenov]);
        assert_eq!(found(&store, "федор").await, vec![fyodor]);
        assert_eq!(found(&store, "ФЁДОР").await, vec![fyodor]);
        // External ids are searched the same way.
        assert_eq!(found(&store, "е-5").await, vec![fyodor]);
        // Under three characters only an exact external id is found, in either list.
        assert_eq!(found(&store, "C-").await, Vec::<i64>::new());
        assert_eq!(found(&store, "Ол").await, Vec::<i64>::new());
        // Wildcards are literal.
        assert_eq!(found(&store, "%%%").await, Vec::<i64>::new());
        assert_eq!(found(&store, "___").await, Vec::<i64>::new());

        // A renamed customer is found by the new name only.
        customer(&store, "C-2", "Пётр Алексеев").await;
        assert_eq!(found(&store, "семенов").await, vec![semenov]);
        assert_eq!(found(&store, "алексеев").await, vec![semyonov]);
    });
}
