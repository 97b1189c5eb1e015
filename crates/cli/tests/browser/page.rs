//! The HTML contract seen from the browser: the pages, their titles in both languages, the frame
//! every page shares, and helpers that read what a person sees.

use std::time::Duration;

use fantoccini::elements::Form;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// A page of the dashboard: its name (`main#page-NAME`), path and titles.
#[derive(Clone, Copy, Debug)]
pub struct Page<'a> {
    pub name: &'static str,
    pub path: &'static str,
    pub title_en: &'a str,
    pub title_ru: &'a str,
}

impl Page<'static> {
    pub const OVERVIEW: Page<'static> = Page {
        name: "overview",
        path: "/",
        title_en: "Overview",
        title_ru: "Обзор",
    };
    pub const CUSTOMERS: Page<'static> = Page {
        name: "customers",
        path: "/customers",
        title_en: "Customers",
        title_ru: "Клиенты",
    };
    pub const CALENDAR: Page<'static> = Page {
        name: "calendar",
        path: "/calendar",
        title_en: "Client calendar",
        title_ru: "Календарь клиентов",
    };
    /// The pages of the navigation, in the contract's order (the card is reached from a list).
    pub const ALL: [Page<'static>; 10] = [
        Page::OVERVIEW,
        Page {
            name: "flows",
            path: "/flows",
            title_en: "Flows",
            title_ru: "Движение",
        },
        Page {
            name: "today",
            path: "/today",
            title_en: "Today",
            title_ru: "Сегодня",
        },
        Page {
            name: "lost",
            path: "/lost",
            title_en: "Lost customers",
            title_ru: "Ушедшие клиенты",
        },
        Page::CUSTOMERS,
        Page {
            name: "value",
            path: "/value",
            title_en: "Value",
            title_ru: "Ценность",
        },
        Page {
            name: "dates",
            path: "/dates",
            title_en: "Upcoming dates",
            title_ru: "Ближайшие даты",
        },
        Page::CALENDAR,
        Page {
            name: "nps",
            path: "/nps",
            title_en: "Net Promoter Score",
            title_ru: "Индекс лояльности (NPS)",
        },
        Page {
            name: "followups",
            path: "/followups",
            title_en: "Follow-up calls",
            title_ru: "Звонки по ответам",
        },
    ];
}

impl<'a> Page<'a> {
    /// A customer's card: its title is the customer's name (or external id) in any language.
    pub fn card(title: &'a str) -> Page<'a> {
        Page {
            name: "card",
            path: "/customers/{id}",
            title_en: title,
            title_ru: title,
        }
    }
}

/// Checks what every page has: `<html lang>`, the navigation with a link to every page, the
/// language form, and `main#page-NAME` whose first `h1` is the title; and that nothing on it
/// points to another host.
pub async fn assert_page_frame(client: &Client, page: Page<'_>, lang: &str) {
    let frame = client
        .execute(
            r#"
            const main = document.querySelector('main');
            const h1 = main && main.querySelector('h1');
            const nav = document.querySelector('nav#main-nav');
            const language = document.querySelector(
                'form#language-form[method=post][action="/language"]');
            const external = [...document.querySelectorAll('[src], [href], [action]')]
                .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('action'))
                .filter(u => /^([a-z]+:)?\/\//i.test(u) && !u.startsWith(location.origin));
            return {
                lang: document.documentElement.lang,
                main: main && main.id,
                h1: h1 && h1.textContent.trim(),
                nav: nav ? [...nav.querySelectorAll('a')].map(a => a.getAttribute('href')) : null,
                languages: language
                    ? [...language.querySelectorAll('button[name=lang]')]
                        .map(b => [b.value, b.textContent.trim()])
                    : null,
                next: !!(language && language.querySelector('input[type=hidden][name=next]')),
                external,
                // The Content-Security-Policy (issue 23) blocks inline scripts, styles and
                // event handlers: a page must have none, and its own stylesheet must apply.
                inline: [...document.querySelectorAll('*')]
                    .filter(e => (e.tagName.toLowerCase() === 'script' && !e.src)
                        || e.tagName.toLowerCase() === 'style'
                        || [...e.attributes].some(a => a.name === 'style' || a.name.startsWith('on')))
                    .map(e => e.outerHTML.slice(0, 80)),
                styled: [...document.styleSheets].some(s => s.href && s.href.endsWith('/static/app.css')
                    && s.cssRules.length > 0),
            };
            "#,
            vec![],
        )
        .await
        .expect("reading the page frame");
    let title = if lang == "ru" {
        page.title_ru
    } else {
        page.title_en
    };
    let what = format!("page {} ({lang})", page.name);
    assert_eq!(frame["lang"], json!(lang), "{what}: <html lang>");
    assert_eq!(
        frame["main"],
        json!(format!("page-{}", page.name)),
        "{what}: the <main> id"
    );
    assert_eq!(frame["h1"], json!(title), "{what}: the first <h1>");
    let links: Vec<&str> = frame["nav"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no nav#main-nav"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for p in Page::ALL {
        assert!(
            links.contains(&p.path),
            "{what}: the navigation links to {} (it has {links:?})",
            p.path
        );
    }
    assert_eq!(
        frame["languages"],
        json!([["en", "English"], ["ru", "Русский"]]),
        "{what}: the language switch"
    );
    assert_eq!(
        frame["next"],
        json!(true),
        "{what}: the language form's next"
    );
    assert_eq!(
        frame["external"],
        json!([]),
        "{what}: nothing may load from another host"
    );
    assert_eq!(
        frame["inline"],
        json!([]),
        "{what}: no inline script, style or event handler (the CSP blocks them)"
    );
    assert_eq!(
        frame["styled"],
        json!(true),
        "{what}: /static/app.css loaded under the CSP"
    );
}

/// Checks that a chart is an inline `<svg role="img">` with a `<title>` and that the browser
/// laid it out at a visible size.
pub async fn assert_chart_rendered(client: &Client, selector: &str) {
    let chart = client
        .execute(
            r#"
            const svg = document.querySelector(arguments[0]);
            if (!svg) return null;
            const box = svg.getBoundingClientRect();
            const title = svg.querySelector('title');
            const marks = svg.querySelectorAll('rect, path, line, circle, polyline, polygon').length;
            return {
                tag: svg.tagName.toLowerCase(),
                role: svg.getAttribute('role'),
                labelled: svg.getAttribute('aria-labelledby'),
                width: box.width,
                height: box.height,
                title: title && title.textContent.trim(),
                marks,
            };
            "#,
            vec![json!(selector)],
        )
        .await
        .expect("reading the chart");
    assert!(!chart.is_null(), "no chart {selector} on the page");
    assert_eq!(chart["tag"], json!("svg"), "{selector} is an inline <svg>");
    assert_eq!(chart["role"], json!("img"), "{selector} has role=img");
    assert!(
        chart["labelled"].as_str().is_some_and(|s| !s.is_empty()),
        "{selector} is aria-labelledby its title: {chart}"
    );
    let (width, height) = (
        chart["width"].as_f64().unwrap_or(0.0),
        chart["height"].as_f64().unwrap_or(0.0),
    );
    assert!(
        width >= 50.0 && height >= 30.0,
        "{selector} rendered at {width}×{height} px: not visible"
    );
    assert!(
        chart["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{selector} has a <title>: {chart}"
    );
    assert!(
        chart["marks"].as_u64().unwrap_or(0) >= 2,
        "{selector} draws something: {chart}"
    );
}

/// The login form of the current page (which must be the login page).
pub async fn sign_in_form(client: &Client) -> Form {
    let form = client
        .form(Locator::Css(
            "form#login-form[method=post][action=\"/login\"]",
        ))
        .await
        .unwrap_or_else(|e| panic!("no login form (#login-form posting to /login): {e}"));
    for field in [
        "#login-form input[name=name]",
        "#login-form input[name=password]",
        "#login-form button[type=submit]",
    ] {
        client
            .find(Locator::Css(field))
            .await
            .unwrap_or_else(|e| panic!("the login form lacks {field}: {e}"));
    }
    form
}

/// Clicks the element and waits until the page it leads to has loaded.
pub async fn click_and_wait(client: &Client, selector: &str) {
    let before = client
        .find(Locator::Css("html"))
        .await
        .expect("the current document");
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("nothing to click at {selector}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
    // WebDriver's click usually waits for the navigation it starts; make sure the old document
    // is gone and the new one complete before reading it.
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("html"))
        .await
        .expect("a document after the click");
    for _ in 0..200 {
        let stale = before.tag_name().await.is_err();
        let ready = client
            .execute("return document.readyState", vec![])
            .await
            .is_ok_and(|v| v == json!("complete"));
        if stale && ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("clicking {selector} did not load a new page within 20 s");
}

/// Waits (up to 20 s) until the address satisfies `ready` and the page has loaded; returns the
/// address, or the last one seen as the error.
pub async fn wait_for_url(
    client: &Client,
    ready: impl Fn(&url::Url) -> bool,
) -> Result<url::Url, url::Url> {
    let mut last = client.current_url().await.expect("the url");
    for _ in 0..200 {
        let complete = client
            .execute("return document.readyState", vec![])
            .await
            .is_ok_and(|v| v == json!("complete"));
        if complete && ready(&last) {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = client.current_url().await.expect("the url");
    }
    Err(last)
}

/// Submits the language switch with the button for `lang` and waits for the page in it.
pub async fn submit_language(client: &Client, lang: &str) {
    click_and_wait(
        client,
        &format!("#language-form button[name=lang][value={lang}]"),
    )
    .await;
}

/// The trimmed text of every element matching `selector`.
pub async fn texts(client: &Client, selector: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in client
        .find_all(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("finding {selector}: {e}"))
    {
        out.push(e.text().await.expect("element text").trim().to_string());
    }
    out
}

/// The integer a cell shows, whatever the grouping ("1 234", "1,234", "1 234" with a narrow
/// no-break space): its digits, with a leading minus sign if any.
pub fn number_in(text: &str) -> i64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let value: i64 = digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"));
    let negative = text.trim_start().starts_with(['-', '−']);
    if negative { -value } else { value }
}

/// A money amount as shown ("1,234,567.89", "1 234 567,89", "1 234 568 ₽"): a '.' or ','
/// followed by one or two final digits is the decimal mark; every other separator groups.
pub fn amount_in(text: &str) -> f64 {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let (whole, fraction) = match kept.rfind(['.', ',']) {
        Some(i) if (2..=3).contains(&(kept.len() - i)) => (&kept[..i], &kept[i + 1..]),
        _ => (kept.as_str(), ""),
    };
    let whole = number_in(whole) as f64;
    let fraction = if fraction.is_empty() {
        0.0
    } else {
        number_in(fraction) as f64 / 10f64.powi(fraction.len() as i32)
    };
    let negative = text.trim_start().starts_with(['-', '−']);
    if negative {
        -(whole + fraction)
    } else {
        whole + fraction
    }
}

/// A response fetched inside the page (with the session's cookie, as a click would send it).
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

pub async fn fetch_text(client: &Client, href: &str) -> Fetched {
    let answer = client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], { credentials: 'same-origin' })
                .then(r => r.text().then(body => done({
                    status: r.status,
                    type: r.headers.get('content-type') || '',
                    body,
                })))
                .catch(e => done({ status: 0, type: '', body: String(e) }));
            "#,
            vec![json!(href)],
        )
        .await
        .unwrap_or_else(|e| panic!("fetching {href} in the page: {e}"));
    Fetched {
        status: answer["status"].as_u64().unwrap_or(0) as u16,
        content_type: answer["type"].as_str().unwrap_or_default().to_string(),
        body: answer["body"].as_str().unwrap_or_default().to_string(),
    }
}

/// Posts a form-encoded body from the page (with the session's cookie) and returns the status,
/// without following a redirect.
pub async fn post_form_status(client: &Client, path: &str, body: &str) -> u16 {
    let answer = client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {
                method: 'POST',
                credentials: 'same-origin',
                redirect: 'manual',
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                body: arguments[1],
            }).then(r => done(r.status)).catch(e => done(0));
            "#,
            vec![json!(path), json!(body)],
        )
        .await
        .unwrap_or_else(|e| panic!("posting to {path} in the page: {e}"));
    answer.as_u64().unwrap_or(0) as u16
}
