//! One customer search through HTTP on both backends (issue 24 item 4): the API's `q` and the
//! page's search box find the same customers for Cyrillic and Latin text, in any case, with ё
//! and е alike (`q=Ольга` found nobody through the API before).

use clientele_store::Role;

use super::{Browser, on_both, row_ids};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_the_page_find_the_same_customers() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let olga = app.customer("RU-1", "Ольга Смирнова", None).await;
        let semyonov = app.customer("RU-2", "Пётр Семёнов", None).await;
        let semenov = app.customer("RU-3", "ИВАН СЕМЕНОВ", None).await;
        let olivia = app.customer("EN-4", "Olivia Brown", None).await;
        let token = app
            .store
            .add_user("api", Role::Analyst)
            .await
            .unwrap()
            .token;
        let client = reqwest::Client::new();
        let b = Browser::new(&app);
        b.login("ana", "/").await;
        for (text, want) in [
            ("Ольга", vec![olga]),
            ("ольга", vec![olga]),
            ("СМИРН", vec![olga]),
            ("семёнов", vec![semyonov, semenov]),
            ("СЕМЕНОВ", vec![semyonov, semenov]),
            ("пЕтР", vec![semyonov]),
            ("olivia", vec![olivia]),
            ("BROWN", vec![olivia]),
            ("alic", vec![f.alice]),
            ("Олива", vec![]),
        ] {
            let q = serde_urlencoded::to_string([("q", text)]).unwrap();
            let page: serde_json::Value = client
                .get(format!("{}/api/v1/customers?{q}", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut api: Vec<i64> = page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{page}"))
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect();
            api.sort_unstable();
            let mut listed = row_ids(
                &b.get(&format!("/customers?{q}")).await.body,
                "customer-list",
            );
            listed.sort_unstable();
            let mut want = want;
            want.sort_unstable();
            assert_eq!(api, want, "the API's q={text:?} on {:?}", app.backend);
            assert_eq!(listed, want, "the page's q={text:?} on {:?}", app.backend);
        }
        app
    })
    .await;
}
