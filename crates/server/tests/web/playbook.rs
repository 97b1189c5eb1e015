//! The playbook page through a cookie-keeping client, on both backends: the documented
//! defaults are shown until a version is saved; an admin's file that does not fit is refused in
//! place naming its key, with the text as typed and nothing saved; a good one is saved as a new
//! version with a flash and the queue follows it; others read only; CSRF is checked.

use reqwest::StatusCode;

use super::{Browser, assert_clean, on_both};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_the_playbook_in_place_and_others_read_it() {
    on_both(|app| async move {
        app.fixture().await;
        let admin = Browser::new(&app);
        admin.login("ada", "/").await;
        let page = admin.get("/playbook").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_clean(&page);
        assert!(page.body.contains("In force: the documented defaults"));
        // The defaults with their documenting comments, in the editable text area.
        let defaults = clientele_app::winback::default_playbook_toml();
        assert!(defaults.contains("# "), "the defaults are documented");
        let first_line = defaults.lines().next().unwrap();
        assert!(page.body.contains(first_line), "{first_line}");
        assert!(
            page.body
                .contains("<textarea id=\"playbook-text\" name=\"toml\"")
        );

        let csrf = admin.csrf().await;
        let forged = admin
            .post("/playbook", &[("csrf", "forged"), ("toml", &defaults)])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // A negative cost is refused at its key, the text kept as typed, nothing saved.
        let bad = defaults.replacen("cost_per_contact = 10", "cost_per_contact = -10", 1);
        assert_ne!(bad, defaults, "the defaults have a cost of 10");
        let refused = admin
            .post("/playbook", &[("csrf", &csrf), ("toml", &bad)])
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_clean(&refused);
        assert!(
            refused
                .body
                .contains("<code class=\"key\">play[0].action[0].cost_per_contact</code>"),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("cost_per_contact = -10"),
            "the text as typed"
        );
        assert!(refused.body.contains("aria-invalid=\"true\""));
        // Text that is not TOML, and a file over the bound, are refused too.
        for (text, says) in [
            ("[[play]\nrung = ", "Not saved: the file does not read."),
            (
                &*"#".repeat(256 * 1024 + 1),
                "Not saved: the file is longer than",
            ),
        ] {
            let refused = admin
                .post("/playbook", &[("csrf", &csrf), ("toml", text)])
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                refused.body.contains(says),
                "{says}: {}",
                &refused.body[..2000.min(refused.body.len())]
            );
        }
        let page = admin.get("/playbook").await;
        assert!(
            page.body.contains("In force: the documented defaults"),
            "nothing was saved"
        );

        // A good file (CRLF line ends, as a browser sends them) is saved as version 1.
        let good = defaults
            .replacen("cost_per_contact = 10", "cost_per_contact = 12", 1)
            .replace('\n', "\r\n");
        let saved = admin
            .post("/playbook", &[("csrf", &csrf), ("toml", &good)])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(saved.location.as_deref(), Some("/playbook?done=saved"));
        let page = admin.get("/playbook?done=saved").await;
        assert!(page.body.contains("Playbook saved as a new version"));
        assert!(
            page.body.contains("In force: version 1, saved by ada"),
            "{}",
            page.body
        );
        assert!(page.body.contains("cost_per_contact = 12"));
        let stored = app.store.current_playbook().await.unwrap().unwrap();
        assert!(!stored.toml.contains('\r'), "kept with LF line ends");
        let queue = admin.get("/queue?date=2024-10-02").await;
        assert!(queue.body.contains("playbook version 1"));

        // Others read, cannot post.
        for name in ["max", "ana"] {
            let b = Browser::new(&app);
            b.login(name, "/").await;
            let page = b.get("/playbook").await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("id=\"playbook-read-only\""));
            assert!(!page.body.contains("<textarea"));
            let csrf = b.csrf().await;
            let refused = b
                .post("/playbook", &[("csrf", &csrf), ("toml", &defaults)])
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{name}");
        }
        // In Russian: the page's words.
        let ru = Browser {
            language: Some("ru-RU,ru;q=0.9"),
            ..Browser::new(&app)
        };
        ru.login("ada", "/").await;
        let page = ru.get("/playbook").await;
        assert_clean(&page);
        assert!(
            page.body.contains("Действует версия 1, сохранил ada"),
            "{}",
            page.body
        );
        app
    })
    .await;
}
