//! The currency in force on SQLite and on a real PostgreSQL server: detected from the data until
//! someone sets it, set by code, refused for an unknown code, and detected again after `auto`.

use clientele_app::InvalidSetting;
use clientele_app::currency::{CurrencySource, resolve, set};
use clientele_core::currency::{Currency, Evidence};
use clientele_store::{Channel, NewCustomer, Store};
use clientele_testdb::{Backend, TestDb};

async fn person(store: &Store, i: usize, name: &str, phone: Option<&str>) {
    let id = store
        .upsert_customer(&NewCustomer {
            external_id: format!("C{i}"),
            name: Some(name.into()),
            ..NewCustomer::default()
        })
        .await
        .unwrap();
    if let Some(p) = phone {
        store.add_contact(id, Channel::Phone, p).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_currency_is_set_or_detected() {
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        let store = Store::connect(&db.url).await.unwrap();

        // Nothing to read: no currency, said as such.
        let none = resolve(&store).await.unwrap();
        assert_eq!(
            (none.currency, none.source),
            (None, CurrencySource::Unknown)
        );

        // Four Latin names with British numbers: too little evidence (five are needed).
        for i in 0..4 {
            person(&store, i, "Alice Smith", Some("+442079460958")).await;
        }
        assert_eq!(resolve(&store).await.unwrap().currency, None, "{backend:?}");
        person(&store, 4, "Bob Jones", Some("+442079460959")).await;
        let gbp = resolve(&store).await.unwrap();
        assert_eq!(gbp.currency, Some(Currency::Gbp), "{backend:?}");
        assert_eq!(
            gbp.source,
            CurrencySource::Detected(Evidence::Phones { count: 5, of: 5 })
        );

        // A setting wins over the data, in any case; `auto` goes back to the data.
        let rub = set(&store, "rub").await.unwrap();
        assert_eq!(
            (rub.currency, rub.source),
            (Some(Currency::Rub), CurrencySource::Setting)
        );
        assert_eq!(resolve(&store).await.unwrap(), rub);
        let e = set(&store, "roubles").await.unwrap_err();
        let e = e
            .downcast_ref::<InvalidSetting>()
            .expect("an InvalidSetting");
        assert_eq!(e.field, "currency");
        assert!(
            e.message.starts_with("roubles: expected one of RUB, USD"),
            "{}",
            e.message
        );
        assert_eq!(
            resolve(&store).await.unwrap(),
            rub,
            "a refused code changes nothing"
        );
        assert_eq!(set(&store, "AUTO").await.unwrap(), gbp);
        store.close().await;
    }
}
