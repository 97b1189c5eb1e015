//! The client calendar page and the card's personal-date form on both backends: a date added
//! behind the CSRF token (hostile values refused, another manager's customer not found), the
//! occasions listed with a greeting draft each, a draft saved and sent through the policy with
//! a flash after each action, analysts reading only, and the page in Russian without English.

use std::collections::HashSet;

use clientele_store::{Channel, NewConsent, Scope};
use reqwest::StatusCode;

use super::{Browser, assert_clean, on_both, today};

fn between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    html.split(start)
        .skip(1)
        .filter_map(|s| s.split(end).next())
        .collect()
}

#[tokio::test]
async fn dates_are_added_on_the_card_and_greetings_saved_and_sent_from_the_calendar() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("max", "/").await;
        let card = b.get(&format!("/customers/{}", f.alice)).await;
        assert!(
            card.body.contains("id=\"date-form\""),
            "the card has the form"
        );
        let dates = format!("/customers/{}/dates", f.alice);
        // In three days, every year.
        let (_, m, d) = today().plus_days(3).ymd();
        let when = format!("{m:02}-{d:02}");
        assert_eq!(
            b.post(&dates, &[("label", "birthday"), ("date", &when)])
                .await
                .status,
            StatusCode::FORBIDDEN,
            "no CSRF token"
        );
        let csrf = b.csrf().await;
        let form = |label: &'static str, date: String| (label, date);
        let post = |path: String, (label, date): (&'static str, String)| {
            let (b, csrf) = (&b, csrf.clone());
            async move {
                b.post(&path, &[("csrf", &csrf), ("label", label), ("date", &date)])
                    .await
            }
        };
        let r = post(dates.clone(), form("birthday", when.clone())).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.location,
            Some(format!("/customers/{}?done=date#dates", f.alice))
        );
        let card = b.get(&format!("/customers/{}?done=date", f.alice)).await;
        assert!(card.body.contains("The date was added."), "{}", card.body);
        assert!(card.body.contains("<dt>Birthday</dt>"));
        let r = post(dates.clone(), form("birthday", when.clone())).await;
        assert_eq!(
            r.location,
            Some(format!("/customers/{}?done=date-known#dates", f.alice))
        );
        for bad in [
            form("  ", when.clone()),
            form("birthday", "sixth Sunday of May".into()),
            form("birthday", "31.02.1990".into()),
            form("birthday", "".into()),
        ] {
            let r = post(dates.clone(), bad.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            assert_clean(&r);
        }
        let r = post(
            format!("/customers/{}/dates", f.vera),
            form("birthday", when.clone()),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "another manager's customer"
        );
        // Boris shares the birthday (his name day, by code, the same day).
        let r = post(
            format!("/customers/{}/dates", f.boris),
            form("birthday", when.clone()),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(app.store.count("personal_dates").await.unwrap(), 2);

        // The calendar: two occasions, each with its own draft.
        let page = b.get("/calendar").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_clean(&page);
        assert!(
            page.body.contains("href=\"/calendar\""),
            "in the navigation"
        );
        let texts = between(
            &page.body,
            "name=\"body\" rows=\"5\" cols=\"80\" maxlength=\"10000\" required>",
            "</textarea>",
        );
        assert_eq!(texts.len(), 2, "{}", page.body);
        assert_eq!(texts.iter().collect::<HashSet<_>>().len(), 2, "two texts");
        assert!(
            texts.iter().any(|t| t.contains("Alice")) && texts.iter().any(|t| t.contains("Boris"))
        );
        let ids: Vec<i64> = between(&page.body, "data-draft-id=\"", "\"")
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let customers: Vec<i64> = between(&page.body, "data-customer-id=\"", "\"")
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let alice_draft = ids[customers.iter().position(|&c| c == f.alice).unwrap()];
        assert_eq!(
            b.get("/calendar?days=5").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let greeting = format!("/calendar/greetings/{alice_draft}");
        let text = "Dear Alice,\r\nhappy birthday!";
        assert_eq!(
            b.post(&greeting, &[("body", text), ("action", "save")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = b
            .post(
                &greeting,
                &[
                    ("csrf", &csrf),
                    ("body", text),
                    ("action", "save"),
                    ("days", "14"),
                    ("page", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let back = r.location.unwrap();
        assert_eq!(
            back,
            format!("/calendar?days=14&page=1&done=saved#greeting-{alice_draft}")
        );
        let page = b.get(back.split('#').next().unwrap()).await;
        assert!(page.body.contains("The greeting was saved."));
        assert!(
            page.body.contains("Dear Alice,\nhappy birthday!"),
            "kept with its line break"
        );
        // Boris's text for Alice is refused; so is an empty one.
        let boris_text = texts.iter().find(|t| t.contains("Boris")).unwrap();
        let boris_text = boris_text
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
            .replace("&quot;", "\"");
        let r = b
            .post(
                &greeting,
                &[("csrf", &csrf), ("body", &boris_text), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let r = b
            .post(
                &greeting,
                &[("csrf", &csrf), ("body", " "), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Sending without consent: refused with the reason, the draft kept.
        let r = b
            .post(
                &greeting,
                &[("csrf", &csrf), ("body", text), ("action", "send")],
            )
            .await;
        let back = r.location.unwrap();
        assert!(
            back.contains("done=refused&why=no_consented_channel"),
            "{back}"
        );
        let page = b.get(back.split('#').next().unwrap()).await;
        assert!(
            page.body
                .contains("The greeting was not sent: no channel has consent.")
        );
        app.store
            .add_contact(f.alice, Channel::Email, "alice@example.com")
            .await
            .unwrap();
        app.store
            .record_consent_as(
                Scope::All,
                f.alice,
                &NewConsent {
                    channel: Channel::Email,
                    granted: true,
                    day: today(),
                    source: "card".into(),
                },
                "test",
            )
            .await
            .unwrap();
        let r = b
            .post(
                &greeting,
                &[("csrf", &csrf), ("body", text), ("action", "send")],
            )
            .await;
        let back = r.location.unwrap();
        assert!(back.contains("done=sent"), "{back}");
        let page = b.get(back.split('#').next().unwrap()).await;
        assert!(
            page.body
                .contains("The greeting was planned through the contact policy")
        );
        assert!(page.body.contains("Sent "), "shown as sent");
        assert_eq!(app.store.count("contact_log").await.unwrap(), 1);

        // Analysts read; they do not edit.
        let a = Browser::new(&app);
        a.login("ana", "/").await;
        let page = a.get("/calendar").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("name=\"action\" value=\"send\""));
        let csrf_a = a.csrf().await;
        let r = a
            .post(
                &greeting,
                &[("csrf", &csrf_a), ("body", "x"), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // In Russian, no English words (the drafts keep the language they were written in:
        // these were written for an English reader, so the words are looked for outside them).
        let ru = Browser {
            language: Some("ru-RU,ru;q=0.9"),
            ..Browser::new(&app)
        };
        ru.login("max", "/").await;
        let page = ru.get("/calendar").await;
        assert_clean(&page);
        for word in [
            "Client calendar",
            ">Greeting<",
            ">Save<",
            ">Send<",
            "\"what\">Birthday<",
            "days</option>",
            "Window",
            "Sent ",
        ] {
            assert!(
                !page.body.contains(word),
                "English '{word}' on the Russian page"
            );
        }
        assert!(page.body.contains("Календарь клиентов") && page.body.contains("День рождения"));
        let card = ru.get(&format!("/customers/{}", f.alice)).await;
        assert!(card.body.contains("Дата или правило") && card.body.contains("День рождения"));
        app
    })
    .await;
}
