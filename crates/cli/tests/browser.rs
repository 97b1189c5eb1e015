//! End to end in a real browser: the `clientele demo` binary serves a generated company, Debian's
//! headless chromium (through chromedriver) signs in, opens every page, filters, exports, writes a
//! note and switches language, and the test checks what a person would see — texts, numbers
//! (against the store the demo wrote), charts that actually rendered — following the HTML
//! contract the pages are built to (ARCHITECTURE.md, "Tests").
//!
//! One demo server, one chromedriver and one browser session serve all scenarios, run in order
//! (a scenario may rely on the sign-in of an earlier one). A failing scenario does not stop the
//! others: its screenshot and page source are saved under `$CARGO_TARGET_TMPDIR/e2e-failures/`
//! and the test fails at the end naming every failure and those files.

mod browser {
    pub mod audit;
    pub mod card;
    pub mod contact_log;
    pub mod feedback;
    pub mod harness;
    pub mod page;
    pub mod portfolio_rungs;
    pub mod queue;
    pub mod staff;
    pub mod survey_link;
    pub mod trust;
}

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use clientele_core::{Rung, Status};
use clientele_store::{CustomerFilter, Scope, SnapshotRow, Store};
use fantoccini::{Client, Locator};

use browser::harness::{failure_dir, save_evidence, start_browser, start_demo, tail};
use browser::page::{
    Page, amount_in, assert_chart_rendered, assert_page_frame, click_and_wait, fetch_text,
    number_in, post_form_status, sign_in_form, submit_language, texts, wait_for_url,
};

/// The demo company of the tests: small enough to start in seconds, large enough that every
/// rung, status and list has members and the customers list has several pages.
const CUSTOMERS: u32 = 1_500;
const SEED: u64 = 7;

/// What the scenarios share: the browser, the server's address and login, the store the demo
/// wrote (opened read-side for cross-checks) and its latest snapshot.
struct World {
    client: Client,
    base: String,
    user: String,
    password: String,
    store: Store,
    snapshot: Vec<SnapshotRow>,
    /// How many customers the demo said it scored in the latest snapshot (its log).
    demo_reported: i64,
    /// The demo's database, for the CLI's side of cross-checks.
    database_url: String,
}

impl World {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn rung_counts(&self) -> BTreeMap<&'static str, u64> {
        let mut counts: BTreeMap<&'static str, u64> =
            Rung::ALL.iter().map(|r| (r.as_str(), 0)).collect();
        for row in &self.snapshot {
            *counts.get_mut(row.rung.as_str()).expect("every rung") += 1;
        }
        counts
    }
}

type Scenario = for<'a> fn(&'a World) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The scenarios in the order they run (signing in comes after the signed-out checks).
const SCENARIOS: &[(&str, Scenario)] = &[
    ("signed_out_pages_redirect_to_login", |w| {
        Box::pin(signed_out_pages_redirect_to_login(w))
    }),
    ("bad_password_shows_an_error", |w| {
        Box::pin(bad_password_shows_an_error(w))
    }),
    ("sign_in_returns_to_the_page_asked_for", |w| {
        Box::pin(sign_in_returns_to_the_page_asked_for(w))
    }),
    ("overview_numbers_match_the_store", |w| {
        Box::pin(overview_numbers_match_the_store(w))
    }),
    ("every_page_opens_from_the_navigation", |w| {
        Box::pin(every_page_opens_from_the_navigation(w))
    }),
    ("customers_filtered_by_rung_and_exported", |w| {
        Box::pin(customers_filtered_by_rung_and_exported(w))
    }),
    ("a_note_added_on_the_card_shows_after_the_redirect", |w| {
        Box::pin(a_note_added_on_the_card_shows_after_the_redirect(w))
    }),
    (
        "a_greeting_draft_is_edited_and_saved_on_the_calendar",
        |w| Box::pin(a_greeting_draft_is_edited_and_saved_on_the_calendar(w)),
    ),
    ("the_contact_log_is_filtered_and_exported", |w| {
        Box::pin(browser::contact_log::the_contact_log_is_filtered_and_exported(w))
    }),
    ("language_switches_to_russian_and_back", |w| {
        Box::pin(language_switches_to_russian_and_back(w))
    }),
    ("today_and_lost_rank_by_value_at_stake_everywhere", |w| {
        Box::pin(browser::trust::today_and_lost_rank_by_value_at_stake_everywhere(w))
    }),
    ("a_survey_link_is_answered_on_a_phone", |w| {
        Box::pin(browser::survey_link::a_survey_link_is_answered_on_a_phone(
            w,
        ))
    }),
    ("the_queue_is_worked_through_in_the_browser", |w| {
        Box::pin(browser::queue::the_queue_is_worked_through_in_the_browser(
            w,
        ))
    }),
    ("the_playbook_is_edited_in_the_browser", |w| {
        Box::pin(browser::queue::the_playbook_is_edited_in_the_browser(w))
    }),
    ("portfolio_map_and_a_checklist_answered", |w| {
        Box::pin(portfolio_map_and_a_checklist_answered(w))
    }),
    ("rungs_and_suggestions_on_the_portfolio_page", |w| {
        Box::pin(browser::portfolio_rungs::rungs_and_suggestions_on_the_portfolio_page(w))
    }),
    ("a_search_shows_in_the_audit_log", |w| {
        Box::pin(browser::audit::a_search_shows_in_the_audit_log(w))
    }),
    (
        "the_card_explains_a_prospect_and_shows_a_regulars_history",
        |w| Box::pin(browser::card::the_card_explains_a_prospect_and_shows_a_regulars_history(w)),
    ),
    ("namesakes_are_told_apart_in_lists", |w| {
        Box::pin(browser::card::namesakes_are_told_apart_in_lists(w))
    }),
    ("a_complaint_from_the_card_is_answered_and_resolved", |w| {
        Box::pin(browser::feedback::a_complaint_from_the_card_is_answered_and_resolved(w))
    }),
    ("staff_codes_are_answered_and_shown_by_batch", |w| {
        Box::pin(browser::staff::staff_codes_are_answered_and_shown_by_batch(
            w,
        ))
    }),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_chromium() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // Evidence of an earlier run must not be mistaken for this one's.
    let _ = std::fs::remove_dir_all(failure_dir());
    let demo = start_demo(dir.path(), CUSTOMERS, SEED);
    let browser = start_browser(dir.path()).await;
    let store = Store::connect(&demo.database_url)
        .await
        .expect("opening the demo's database");
    let latest = store
        .latest_snapshot_day()
        .await
        .expect("reading snapshots")
        .expect("the demo scored its company");
    let snapshot = store.snapshot(latest).await.expect("reading the snapshot");
    // "Scored 1,800 customers as of 2024-12-01 and 1,800 as of 2024-12-31."
    let log = std::fs::read_to_string(&demo.log).expect("the demo's log");
    let scored = log
        .lines()
        .find_map(|l| l.strip_prefix("Scored "))
        .unwrap_or_else(|| panic!("the demo reports what it scored:\n{log}"));
    let latest_count = scored
        .split(" and ")
        .nth(1)
        .and_then(|s| s.split(" as of").next())
        .unwrap_or_else(|| panic!("an unexpected 'Scored' line: {scored}"));
    let world = World {
        demo_reported: number_in(latest_count),
        database_url: demo.database_url.clone(),
        client: browser.client.clone(),
        base: demo.base.clone(),
        user: demo.user.clone(),
        password: demo.password.clone(),
        store,
        snapshot,
    };
    assert_eq!(world.user, "demo", "the demo's login names its user");
    assert!(
        world.password.len() >= 12,
        "the demo password is long: {:?}",
        world.password
    );
    let world = std::sync::Arc::new(world);
    let mut failures = Vec::new();
    for (name, scenario) in SCENARIOS {
        let w = world.clone();
        // A scenario runs in its own task so that its panic (a failed assertion) is caught
        // here, the browser's state saved, and the next scenario still runs.
        let outcome = tokio::spawn(async move { scenario(&w).await }).await;
        if let Err(e) = outcome {
            let message = match e.try_into_panic() {
                Ok(payload) => payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(a panic without a message)".into()),
                Err(e) => format!("the task was cancelled: {e}"),
            };
            let evidence = save_evidence(&world.client, name).await;
            eprintln!("FAILED {name}: {message}\n  {evidence}");
            failures.push(format!("{name}: {message}\n  {evidence}"));
        } else {
            eprintln!("ok {name}");
        }
    }
    let _ = world.client.clone().close().await;
    assert!(
        failures.is_empty(),
        "{} of {} browser scenarios failed:\n{}\n\nthe demo's log (tail):\n{}",
        failures.len(),
        SCENARIOS.len(),
        failures.join("\n"),
        tail(&demo.log)
    );
}

async fn signed_out_pages_redirect_to_login(w: &World) {
    for page in Page::ALL {
        w.client.goto(&w.url(page.path)).await.expect("navigating");
        let url = w.client.current_url().await.expect("the url");
        assert_eq!(
            url.path(),
            "/login",
            "{} signed out lands on {url}",
            page.path
        );
        let next: Option<String> = url
            .query_pairs()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned());
        assert_eq!(
            next.as_deref(),
            Some(page.path),
            "{} signed out: the login page should bring me back ({url})",
            page.path
        );
        sign_in_form(&w.client).await;
    }
}

async fn bad_password_shows_an_error(w: &World) {
    w.client.goto(&w.url("/login")).await.expect("navigating");
    let form = sign_in_form(&w.client).await;
    form.set_by_name("name", &w.user).await.expect("name");
    form.set_by_name("password", "not-the-password")
        .await
        .expect("password");
    click_and_wait(&w.client, "#login-form button[type=submit]").await;
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), "/login", "a bad password must not sign in");
    let error = w
        .client
        .find(Locator::Css(".error"))
        .await
        .expect("an element .error saying why");
    let text = error.text().await.expect("its text");
    assert!(
        !text.trim().is_empty() && error.is_displayed().await.unwrap_or(false),
        "the error is visible and says something: {text:?}"
    );
    assert!(
        !text.contains("not-the-password"),
        "the error must not echo the password: {text:?}"
    );
    // Still signed out: a page sends me back to the login.
    w.client.goto(&w.url("/today")).await.expect("navigating");
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), "/login", "after a bad password: {url}");
}

async fn sign_in_returns_to_the_page_asked_for(w: &World) {
    w.client
        .goto(&w.url("/customers"))
        .await
        .expect("navigating");
    let form = sign_in_form(&w.client).await;
    form.set_by_name("name", &w.user).await.expect("name");
    form.set_by_name("password", &w.password)
        .await
        .expect("password");
    click_and_wait(&w.client, "#login-form button[type=submit]").await;
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(
        url.path(),
        "/customers",
        "signed in, back where I asked: {url}"
    );
    assert_page_frame(&w.client, Page::CUSTOMERS, "en").await;
    let cookies = w.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies.iter().any(|c| c.name() == "clientele_session"),
        "the session cookie is set: {:?}",
        cookies
            .iter()
            .map(|c| c.name().to_string())
            .collect::<Vec<_>>()
    );
}

async fn overview_numbers_match_the_store(w: &World) {
    w.client.goto(&w.url("/")).await.expect("navigating");
    assert_page_frame(&w.client, Page::OVERVIEW, "en").await;
    let expected = w.rung_counts();
    let mut total = 0;
    for rung in Rung::ALL {
        let selector = format!("#ladder-table tr[data-rung={}]", rung.as_str());
        let row = w
            .client
            .find(Locator::Css(&selector))
            .await
            .unwrap_or_else(|e| panic!("no ladder row {selector}: {e}"));
        let cell = row
            .find(Locator::Css("td.customers"))
            .await
            .expect("a td.customers cell")
            .text()
            .await
            .expect("its text");
        let shown = number_in(&cell);
        assert_eq!(
            shown,
            expected[rung.as_str()] as i64,
            "customers on the {} rung: the page says {cell:?}, the snapshot has {}",
            rung.as_str(),
            expected[rung.as_str()]
        );
        for class in ["revenue", "profit"] {
            let text = row
                .find(Locator::Css(&format!("td.{class}")))
                .await
                .unwrap_or_else(|e| panic!("no td.{class} on {selector}: {e}"))
                .text()
                .await
                .expect("its text");
            assert!(
                text.chars().any(|c| c.is_ascii_digit()),
                "{selector} td.{class} shows a number: {text:?}"
            );
        }
        total += shown;
    }
    assert_eq!(
        total as usize,
        w.snapshot.len(),
        "the ladder's customers add up to everyone in the snapshot"
    );
    assert_eq!(
        total, w.demo_reported,
        "the ladder's customers add up to what the demo said it scored"
    );
    // The demo's company: 1,500 buyers and a fifth as many prospects and visitors.
    assert_eq!(
        total,
        i64::from(CUSTOMERS) + i64::from(CUSTOMERS / 5),
        "everyone generated is on the ladder"
    );
    // Summed here from the snapshot rows: the regulars' revenue, which the page shows in the
    // language's format (to the cent, or rounded to a whole amount).
    let regular_revenue = regular_revenue(w);
    let cell = texts(&w.client, "#ladder-table tr[data-rung=regular] td.revenue").await;
    let shown = amount_in(&cell[0]);
    assert!(
        (shown - regular_revenue).abs() <= 0.5 + 1e-9,
        "regulars' revenue: the page says {cell:?}, the snapshot sums to {regular_revenue:.2}"
    );
    assert_chart_rendered(&w.client, "#ladder-chart").await;
    for status in Status::ALL {
        let expected = w
            .snapshot
            .iter()
            .filter(|r| r.status == Some(status))
            .count() as i64;
        let selector = format!("#status-counts dd[data-status={}]", status.as_str());
        let text = w
            .client
            .find(Locator::Css(&selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .text()
            .await
            .expect("its text");
        assert_eq!(
            number_in(&text),
            expected,
            "{selector}: the page says {text:?}, the snapshot has {expected}"
        );
    }
    w.client
        .find(Locator::Css("#status-counts dd[data-status=returners]"))
        .await
        .expect("the returners' count");
}

/// The regulars' revenue in the latest snapshot, in currency units.
fn regular_revenue(w: &World) -> f64 {
    let units: i64 = w
        .snapshot
        .iter()
        .filter(|r| r.rung == Rung::Regular)
        .map(|r| r.revenue.units())
        .sum();
    units as f64 / clientele_core::Money::SCALE as f64
}

async fn every_page_opens_from_the_navigation(w: &World) {
    w.client.goto(&w.url("/")).await.expect("navigating");
    for page in Page::ALL {
        let link = format!("#main-nav a[href=\"{}\"]", page.path);
        click_and_wait(&w.client, &link).await;
        let url = w.client.current_url().await.expect("the url");
        assert_eq!(url.path(), page.path, "{link} leads to {url}");
        assert_page_frame(&w.client, page, "en").await;
        match page.name {
            "flows" => {
                assert_chart_rendered(&w.client, "#flows-chart").await;
                let rows = w
                    .client
                    .find_all(Locator::Css("#churn-table tr"))
                    .await
                    .expect("rows");
                assert!(rows.len() > 1, "the churn table has rows");
            }
            "today" | "lost" => {
                let table = if page.name == "today" {
                    "#today-list"
                } else {
                    "#lost-list"
                };
                let rows = w
                    .client
                    .find_all(Locator::Css(&format!("{table} tr[data-customer-id]")))
                    .await
                    .expect("rows");
                assert!(!rows.is_empty(), "{table} lists customers");
                for row in &rows {
                    let id: i64 = row
                        .attr("data-customer-id")
                        .await
                        .expect("attribute")
                        .and_then(|v| v.parse().ok())
                        .expect("a numeric data-customer-id");
                    let in_snapshot = w.snapshot.iter().find(|r| r.customer_id == id);
                    let status = in_snapshot.and_then(|r| r.status);
                    if page.name == "lost" {
                        assert_eq!(status, Some(Status::Lost), "{table}: customer {id}");
                    } else {
                        assert!(
                            matches!(status, Some(Status::Slipping | Status::Active)),
                            "{table}: customer {id} is {status:?}, not someone to call today"
                        );
                    }
                }
                if page.name == "today" {
                    let reasons = texts(&w.client, "#today-list td.reason").await;
                    assert_eq!(reasons.len(), rows.len(), "a reason on every row");
                    assert!(
                        reasons.iter().all(|r| !r.trim().is_empty()),
                        "every reason says something: {reasons:?}"
                    );
                    assert!(
                        reasons
                            .iter()
                            .any(|r| r.contains("days late") && r.contains('±')),
                        "some reason reads like 'buys every 30 ± 4 days, 19 days late': {:?}",
                        &reasons[..reasons.len().min(5)]
                    );
                    for cell in ["td.action", "td.channel"] {
                        let n = texts(&w.client, &format!("#today-list {cell}")).await.len();
                        assert_eq!(n, rows.len(), "{cell} on every row of today's list");
                    }
                }
            }
            "customers" => {
                let rows = w
                    .client
                    .find_all(Locator::Css("#customer-list tr[data-customer-id]"))
                    .await
                    .expect("rows");
                assert!(!rows.is_empty(), "the customers list has rows");
                w.client
                    .find(Locator::Css("#export-csv"))
                    .await
                    .expect("the CSV export link");
                let ids = |client: Client| async move {
                    let mut ids = Vec::new();
                    for row in client
                        .find_all(Locator::Css("#customer-list tr[data-customer-id]"))
                        .await
                        .expect("rows")
                    {
                        ids.push(row.attr("data-customer-id").await.expect("id"));
                    }
                    ids
                };
                let first_page = ids(w.client.clone()).await;
                assert!(
                    w.client.find(Locator::Css("a[rel=prev]")).await.is_err(),
                    "the first page has no previous page"
                );
                click_and_wait(&w.client, "a[rel=next]").await;
                let second_page = ids(w.client.clone()).await;
                assert!(
                    !second_page.is_empty(),
                    "1,800 customers fill a second page"
                );
                assert!(
                    second_page.iter().all(|id| !first_page.contains(id)),
                    "the second page shows other customers: {first_page:?} / {second_page:?}"
                );
                click_and_wait(&w.client, "a[rel=prev]").await;
                assert_eq!(
                    ids(w.client.clone()).await,
                    first_page,
                    "back to the first page"
                );
            }
            "value" => assert_chart_rendered(&w.client, "#pareto-chart").await,
            "dates" => {
                let rows = w
                    .client
                    .find_all(Locator::Css("#dates-list tr"))
                    .await
                    .expect("rows");
                assert!(
                    rows.len() > 1,
                    "the demo has birthdays and holidays: upcoming dates are listed"
                );
            }
            _ => {}
        }
    }
}

async fn customers_filtered_by_rung_and_exported(w: &World) {
    w.client
        .goto(&w.url("/customers"))
        .await
        .expect("navigating");
    let rung_field = w
        .client
        .find(Locator::Css("#filters [name=rung]"))
        .await
        .expect("a rung filter in #filters");
    if rung_field.tag_name().await.expect("tag") == "select" {
        rung_field
            .select_by_value("regular")
            .await
            .expect("choosing regular");
    } else {
        rung_field.clear().await.expect("clearing");
        rung_field.send_keys("regular").await.expect("typing");
    }
    // A person presses the form's button (or Enter in a field, which submits the form).
    if w.client
        .find(Locator::Css("#filters [type=submit]"))
        .await
        .is_ok()
    {
        click_and_wait(&w.client, "#filters [type=submit]").await;
    } else {
        rung_field
            .send_keys("\u{E007}")
            .await
            .expect("pressing Enter");
    }
    let url = wait_for_url(&w.client, |u| {
        u.query_pairs().any(|(k, v)| k == "rung" && v == "regular")
    })
    .await
    .unwrap_or_else(|u| panic!("the filter is in the address: {u}"));
    assert_eq!(url.path(), "/customers", "the filters stay on the list");
    let regulars: Vec<i64> = w
        .snapshot
        .iter()
        .filter(|r| r.rung == Rung::Regular)
        .map(|r| r.customer_id)
        .collect();
    let rows = w
        .client
        .find_all(Locator::Css("#customer-list tr[data-customer-id]"))
        .await
        .expect("rows");
    assert!(!rows.is_empty(), "there are regulars to list");
    for row in &rows {
        let id: i64 = row
            .attr("data-customer-id")
            .await
            .expect("attribute")
            .and_then(|v| v.parse().ok())
            .expect("a numeric data-customer-id");
        let text = row.text().await.expect("row text");
        assert!(
            regulars.contains(&id),
            "customer {id} ({text:?}) is listed under rung=regular but is not a regular"
        );
        assert!(
            text.to_lowercase().contains("regular"),
            "the row of customer {id} shows its rung: {text:?}"
        );
    }
    // The export link carries the same filter and returns every match, not one page.
    let link = w
        .client
        .find(Locator::Css("#export-csv"))
        .await
        .expect("the export link");
    let href = link.attr("href").await.expect("href").expect("an href");
    assert!(
        href.starts_with("/customers.csv?") && href.contains("rung=regular"),
        "the export keeps the filter: {href}"
    );
    let answer = fetch_text(&w.client, &href).await;
    assert_eq!(answer.status, 200, "GET {href}: {}", answer.body);
    assert!(
        answer.content_type.starts_with("text/csv"),
        "GET {href} is CSV, not {:?}",
        answer.content_type
    );
    let mut reader = csv::Reader::from_reader(answer.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let leading = [
        "customer_id",
        "external_id",
        "name",
        "rung",
        "status",
        "subgroup",
        "revenue",
        "profit",
    ];
    assert_eq!(
        &header[..leading.len().min(header.len())],
        &leading[..],
        "the CSV header"
    );
    let mut exported = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV row");
        assert_eq!(
            &record[3], "regular",
            "an exported row of another rung: {record:?}"
        );
        exported.push(record[0].parse::<i64>().expect("a numeric customer_id"));
    }
    exported.sort_unstable();
    let mut expected = regulars.clone();
    expected.sort_unstable();
    assert_eq!(
        exported.len(),
        expected.len(),
        "the export has every regular ({} rows on this page)",
        rows.len()
    );
    assert_eq!(exported, expected, "the export lists exactly the regulars");
    // The .xlsx beside it keeps the filter too and answers a workbook (its rows are checked,
    // read back with calamine, in the server's web tests).
    let xlsx = w
        .client
        .find(Locator::Css("#export-xlsx"))
        .await
        .expect("the .xlsx link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    assert_eq!(xlsx, href.replacen("/customers.csv", "/customers.xlsx", 1));
    let answer = fetch_text(&w.client, &xlsx).await;
    assert_eq!(answer.status, 200, "GET {xlsx}");
    assert_eq!(
        answer.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    // The list's own total, from the store's query behind the page, agrees.
    let listed = w
        .store
        .list_customers(
            Scope::All,
            &CustomerFilter {
                rung: Some(Rung::Regular),
                ..CustomerFilter::default()
            },
            None,
            10_000,
        )
        .await
        .expect("the store's list");
    assert_eq!(listed.items.len(), expected.len(), "the list's total");
}

async fn a_note_added_on_the_card_shows_after_the_redirect(w: &World) {
    w.client
        .goto(&w.url("/customers?rung=advocate"))
        .await
        .expect("navigating");
    let first = w
        .client
        .find(Locator::Css("#customer-list tr[data-customer-id]"))
        .await
        .expect("an advocate to open");
    let id: i64 = first
        .attr("data-customer-id")
        .await
        .expect("attribute")
        .and_then(|v| v.parse().ok())
        .expect("a numeric id");
    first
        .find(Locator::Css("td:first-child a"))
        .await
        .expect("the first cell links to the card");
    click_and_wait(
        &w.client,
        "#customer-list tr[data-customer-id] td:first-child a",
    )
    .await;
    let card_path = format!("/customers/{id}");
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), card_path, "the link opens the card");
    let customer = w.store.customer(id).await.expect("the customer");
    let title = customer
        .name
        .clone()
        .unwrap_or(customer.external_id.clone());
    assert_page_frame(&w.client, Page::card(&title), "en").await;
    let before = w
        .client
        .find_all(Locator::Css("#notes li.note"))
        .await
        .expect("notes")
        .len();
    let text = format!(
        "E2E {}: позвонить в пятницу, предложить новинки",
        std::process::id()
    );
    let area = w
        .client
        .find(Locator::Css("#note-form textarea[name=text]"))
        .await
        .expect("the note's text area");
    area.send_keys(&text).await.expect("typing the note");
    let csrf = w
        .client
        .find(Locator::Css("#note-form input[type=hidden][name=csrf]"))
        .await
        .expect("the form carries its CSRF token")
        .attr("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(csrf.len() >= 16, "a real CSRF token: {csrf:?}");
    click_and_wait(&w.client, "#note-form [type=submit]").await;
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), card_path, "after saving, back on the card");
    let notes = texts(&w.client, "#notes li.note").await;
    assert_eq!(notes.len(), before + 1, "one more note: {notes:?}");
    let mine = notes
        .iter()
        .find(|n| n.contains(&text))
        .unwrap_or_else(|| panic!("the new note is listed: {notes:?}"));
    assert!(
        mine.contains(&w.user),
        "the note names its author: {mine:?}"
    );
    let stored = w.store.notes(id).await.expect("stored notes");
    assert!(
        stored.iter().any(|n| n.body == text && n.author == w.user),
        "the note is in the store under {}",
        w.user
    );
    // A form post without the session's token is refused.
    let forged = post_form_status(
        &w.client,
        &format!("{card_path}/notes"),
        "text=forged&csrf=x",
    )
    .await;
    assert_eq!(forged, 403, "a note without the right CSRF token");
}

async fn a_greeting_draft_is_edited_and_saved_on_the_calendar(w: &World) {
    w.client
        .goto(&w.url("/calendar?days=30"))
        .await
        .expect("navigating");
    assert_page_frame(&w.client, Page::CALENDAR, "en").await;
    let items = w
        .client
        .find_all(Locator::Css("#occasions li.occasion"))
        .await
        .expect("occasions");
    assert!(
        !items.is_empty(),
        "the demo's birthdays, holidays and first purchases fill a month"
    );
    let id: i64 = items[0]
        .attr("data-draft-id")
        .await
        .expect("attribute")
        .and_then(|v| v.parse().ok())
        .expect("a numeric draft id");
    let area = w
        .client
        .find(Locator::Css(&format!("#greeting-text-{id}")))
        .await
        .expect("the draft's text area");
    let written = area.prop("value").await.expect("value").unwrap_or_default();
    let stored = w
        .store
        .greeting_draft(Scope::All, id)
        .await
        .expect("the draft is stored");
    assert_eq!(written, stored.body, "the page shows the stored draft");
    // Two customers of one occasion on one day never share a text.
    let mut seen = std::collections::HashSet::new();
    for d in w
        .store
        .greeting_drafts_between(Scope::All, stored.day, stored.day.plus_days(29))
        .await
        .expect("drafts")
    {
        assert!(
            seen.insert((d.occasion.clone(), d.day, d.body.clone())),
            "a text given twice for {} on {}",
            d.occasion,
            d.day
        );
    }
    let text = format!("{written}\nP.S. E2E {}", std::process::id());
    area.clear().await.expect("clearing");
    area.send_keys(&text).await.expect("typing");
    click_and_wait(
        &w.client,
        &format!("#greeting-{id} button[name=action][value=save]"),
    )
    .await;
    let flash = texts(&w.client, "#calendar-flash").await;
    assert_eq!(flash, vec!["The greeting was saved.".to_string()]);
    let saved = w
        .store
        .greeting_draft(Scope::All, id)
        .await
        .expect("the draft");
    assert_eq!(saved.body, text, "the edit is stored");
    assert_eq!(saved.edited_by.as_deref(), Some(w.user.as_str()));
    if let Ok(png) = w.client.screenshot().await {
        let _ = std::fs::write(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("calendar.png"),
            png,
        );
    }
}

async fn language_switches_to_russian_and_back(w: &World) {
    w.client.goto(&w.url("/")).await.expect("navigating");
    submit_language(&w.client, "ru").await;
    assert_page_frame(&w.client, Page::OVERVIEW, "ru").await;
    // The numbers stay the same in another language.
    let expected = w.rung_counts();
    let regular = texts(
        &w.client,
        "#ladder-table tr[data-rung=regular] td.customers",
    )
    .await;
    assert_eq!(
        regular.iter().map(|t| number_in(t)).collect::<Vec<_>>(),
        vec![expected["regular"] as i64],
        "regulars in Russian: {regular:?}"
    );
    for page in Page::ALL {
        w.client.goto(&w.url(page.path)).await.expect("navigating");
        assert_page_frame(&w.client, page, "ru").await;
    }
    submit_language(&w.client, "en").await;
    w.client.goto(&w.url("/")).await.expect("navigating");
    assert_page_frame(&w.client, Page::OVERVIEW, "en").await;
}

/// Runs the binary with `stdin` on standard input; returns (exit code, stdout, stderr).
fn clientele(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(args)
        .env_remove("CLIENTELE_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting clientele");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("writing stdin");
    let out = child.wait_with_output().expect("running clientele");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Without a browser: `demo --no-serve` prints a login that works, refuses to overwrite a
/// database with data unless `--force`, and `users passwd` (and its old spelling `passwd`) set
/// the password from standard input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_login_refusal_force_and_passwd() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("small.db").display());
    let demo = ["demo", "--db", &url, "--no-serve", "--customers", "60"];
    let (code, stdout, stderr) = clientele(&demo, "");
    assert_eq!(code, 0, "demo --no-serve: {stderr}");
    let login = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Login: demo / "))
        .unwrap_or_else(|| panic!("a 'Login: demo / PASSWORD' line in {stdout:?}"))
        .to_string();
    assert!(
        !stdout.contains("Dashboard:"),
        "--no-serve serves nothing: {stdout}"
    );
    let store = Store::connect(&url)
        .await
        .expect("opening the demo database");
    store
        .verify_password("demo", &login)
        .await
        .expect("the printed password signs in");
    // 60 buyers and 12 prospects and visitors, in both snapshots.
    let days = store.snapshot_days().await.expect("snapshot days");
    assert_eq!(days.len(), 2, "two snapshots: {days:?}");
    assert_eq!(days[1].days_since(days[0]), 30, "a month apart: {days:?}");
    for day in &days {
        assert_eq!(store.snapshot(*day).await.expect("snapshot").len(), 72);
    }
    assert!(store.count("customer_contacts").await.expect("count") > 60);
    assert!(store.count("consents").await.expect("count") > 0);
    store.close().await;

    let (code, _, stderr) = clientele(&demo, "");
    assert_eq!(code, 2, "a second demo on the same database is refused");
    assert!(
        stderr.contains("already has data") && stderr.contains("--force"),
        "the refusal says why and what to do: {stderr}"
    );
    let forced: Vec<&str> = demo.iter().copied().chain(["--force"]).collect();
    let (code, stdout, stderr) = clientele(&forced, "");
    assert_eq!(code, 0, "demo --force: {stderr}");
    let new_login = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Login: demo / "))
        .expect("a login line")
        .to_string();
    assert_ne!(new_login, login, "a new password on every run");

    let (code, _, stderr) = clientele(
        &["users", "passwd", "demo", "--db", &url],
        "first-password-1\n",
    );
    assert_eq!(code, 0, "users passwd: {stderr}");
    let (code, _, stderr) = clientele(&["passwd", "demo", "--db", &url], "second-password-2\n");
    assert_eq!(code, 0, "the old spelling still works: {stderr}");
    let (code, _, stderr) = clientele(
        &["users", "passwd", "nobody", "--db", &url],
        "some-password-3\n",
    );
    assert_eq!(code, 2, "an unknown user is an error");
    assert!(
        stderr.contains("nobody"),
        "the error names the user: {stderr}"
    );
    let (code, _, stderr) = clientele(&["users", "passwd", "demo", "--db", &url], "\n");
    assert_eq!(code, 2, "an empty password is refused: {stderr}");
    let store = Store::connect(&url)
        .await
        .expect("opening the demo database");
    store
        .verify_password("demo", "second-password-2")
        .await
        .expect("the last password set signs in");
    assert!(
        store
            .verify_password("demo", "first-password-1")
            .await
            .is_err()
    );
    assert!(store.verify_password("demo", &new_login).await.is_err());
    let (_, help, _) = clientele(&["--help"], "");
    assert!(
        !help.lines().any(|l| l.trim_start().starts_with("passwd")),
        "the old spelling is hidden from the help: {help}"
    );
    store.close().await;
}

#[test]
fn numbers_are_read_as_a_person_reads_them() {
    assert_eq!(number_in("1,800"), 1_800);
    assert_eq!(number_in("1\u{202f}800"), 1_800);
    assert_eq!(number_in("-12"), -12);
    assert_eq!(amount_in("1,234,567.89"), 1_234_567.89);
    assert_eq!(amount_in("1\u{202f}234\u{202f}567,89"), 1_234_567.89);
    assert_eq!(amount_in("1\u{a0}234\u{a0}568 ₽"), 1_234_568.0);
    assert_eq!(amount_in("1,234"), 1_234.0);
    assert_eq!(amount_in("-0.51"), -0.51);
}

/// The demo on PostgreSQL: the same database as on SQLite (the dossier's writes and both
/// snapshots go through the store's common SQL), and `--force` refuses to empty it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_postgresql() {
    let db = clientele_testdb::TestDb::new(clientele_testdb::Backend::Postgres);
    let demo = ["demo", "--db", &db.url, "--no-serve", "--customers", "40"];
    let (code, stdout, stderr) = clientele(&demo, "");
    assert_eq!(code, 0, "demo on PostgreSQL: {stderr}");
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Login: demo / "))
        .unwrap_or_else(|| panic!("a login line in {stdout:?}"))
        .to_string();
    let store = Store::connect(&db.url).await.expect("opening PostgreSQL");
    store
        .verify_password("demo", &password)
        .await
        .expect("the printed password signs in");
    let days = store.snapshot_days().await.expect("snapshot days");
    assert_eq!(days.len(), 2, "{days:?}");
    // 40 buyers and 8 prospects and visitors.
    assert_eq!(store.snapshot(days[1]).await.expect("snapshot").len(), 48);
    assert!(store.count("customer_contacts").await.expect("count") > 40);
    store.close().await;
    let forced: Vec<&str> = demo.iter().copied().chain(["--force"]).collect();
    let (code, _, stderr) = clientele(&forced, "");
    assert_eq!(code, 2, "--force never empties a PostgreSQL database");
    assert!(
        stderr.contains("only replaces SQLite files"),
        "the refusal says why: {stderr}"
    );
}

/// The portfolio page maps the demo's products by stage (every row in one of the four stages,
/// as many rows as the page size allows), and a self-assessment checklist answered in the
/// browser comes back with its feedback, one respondent and the history chart.
async fn portfolio_map_and_a_checklist_answered(w: &World) {
    w.client
        .goto(&w.url("/portfolio"))
        .await
        .expect("navigating");
    let columns = texts(&w.client, "#portfolio-map .stage h3").await;
    assert_eq!(columns.len(), 4, "four stage columns: {columns:?}");
    let rows = w
        .client
        .find_all(Locator::Css("#portfolio-table tr[data-stage]"))
        .await
        .expect("rows");
    assert!(!rows.is_empty(), "the demo's products are listed");
    for row in &rows {
        let stage = row
            .attr("data-stage")
            .await
            .expect("attribute")
            .unwrap_or_default();
        assert!(
            ["introduction", "growth", "maturity", "decline"].contains(&stage.as_str()),
            "a stage: {stage}"
        );
    }

    w.client
        .goto(&w.url("/assess/four_directions"))
        .await
        .expect("navigating");
    w.client
        .find(Locator::Css(
            "input[name=\"q.written_principles\"][value=yes]",
        ))
        .await
        .expect("a yes for the first question")
        .click()
        .await
        .expect("choosing yes");
    w.client
        .find(Locator::Css("input[name=\"q.loyalty_measured\"][value=no]"))
        .await
        .expect("a no for another")
        .click()
        .await
        .expect("choosing no");
    click_and_wait(&w.client, "#assess-submit").await;
    let url = w.client.current_url().await.expect("the url");
    assert_eq!(url.path(), "/assess/four_directions");
    let flash = texts(&w.client, "p.flash").await;
    assert_eq!(flash.len(), 1, "feedback after the answer: {flash:?}");
    let headline = texts(&w.client, "#assess-respondents").await;
    assert!(headline[0].starts_with("1 respondent"), "{headline:?}");
    let advice = texts(
        &w.client,
        "tr[data-question=loyalty_measured] .recommendation",
    )
    .await;
    assert_eq!(advice.len(), 1, "a recommendation for the no");
    assert_chart_rendered(&w.client, "#assess-chart").await;
}
