//! The web dashboard end to end: each test builds the server on port 0 over a fresh database,
//! signs in through the login form with a cookie-keeping client and reads the pages' HTML, once
//! on SQLite and once on a real PostgreSQL server. The fixture's numbers are small enough to
//! compute by hand; the expected values below are written out, not read from the server.

#[path = "web/assess.rs"]
mod assess;
#[path = "web/calendar.rs"]
mod calendar;
#[path = "web/campaigns.rs"]
mod campaigns;
#[path = "web/card.rs"]
mod card;
mod common;
#[path = "web/contact_log.rs"]
mod contact_log;
#[path = "web/contacts.rs"]
mod contacts;
#[path = "web/exports.rs"]
mod exports;
#[path = "web/feedback.rs"]
mod feedback;
#[path = "web/improvements.rs"]
mod improvements;
#[path = "web/nps_behaviour.rs"]
mod nps_behaviour;
#[path = "web/playbook.rs"]
mod playbook;
#[path = "web/portfolio.rs"]
mod portfolio;
#[path = "web/queue.rs"]
mod queue;
#[path = "web/search.rs"]
mod search;
#[path = "web/staff.rs"]
mod staff;
#[path = "web/survey_link.rs"]
mod survey_link;
#[path = "web/voice.rs"]
mod voice;
#[path = "web/winback.rs"]
mod winback;

use std::future::Future;

use clientele_core::{Day, Money, Rung};
use clientele_server::web::i18n::{CATALOGUES, Lang, Tr, message_ids};
use clientele_store::{
    Channel, ConsentRecord, Cursor, CustomerEdit, CustomerFilter, CustomerPage, DateRule,
    NewCustomer, NewOrderLine, PersonalDateRecord, Role, Scope, Store,
};
use clientele_testdb::Backend;
use common::RunningServer;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, LOCATION};

const PASSWORD: &str = "correct horse battery";
/// The grouping space of Russian numbers.
const NNBSP: char = '\u{202f}';

struct TestApp {
    server: RunningServer,
}

impl std::ops::Deref for TestApp {
    type Target = RunningServer;
    fn deref(&self) -> &RunningServer {
        &self.server
    }
}

/// A browser: keeps cookies, does not follow redirects (the tests check them).
struct Browser {
    client: reqwest::Client,
    base: String,
    language: Option<&'static str>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    content_type: String,
    body: String,
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            language: None,
        }
    }

    async fn read(&self, req: reqwest::RequestBuilder) -> Page {
        let req = match self.language {
            Some(l) => req.header(ACCEPT_LANGUAGE, l),
            None => req,
        };
        let resp = req.send().await.unwrap();
        let header = |name| {
            resp.headers()
                .get(name)
                .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_string())
        };
        let location = header(LOCATION);
        let content_type = header(CONTENT_TYPE).unwrap_or_default();
        let status = resp.status();
        Page {
            status,
            location,
            content_type,
            body: resp.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.read(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        self.read(
            self.client
                .post(format!("{}{path}", self.base))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    /// Signs in through the form; panics unless redirected to `next`.
    async fn login(&self, name: &str, next: &str) {
        let page = self
            .post(
                "/login",
                &[("name", name), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location.as_deref(), Some(next));
    }

    /// The CSRF token from a page's hidden `csrf` input.
    async fn csrf(&self) -> String {
        let page = self.get("/customers").await;
        let at = page
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf input")
            + 19;
        page.body[at..at + page.body[at..].find('"').unwrap()].to_string()
    }
}

/// The text between the first `start` after `marker` and the next `end`.
fn after<'a>(html: &'a str, marker: &str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(marker)?;
    let rest = &html[from..];
    let s = rest.find(start)? + start.len();
    let e = rest[s..].find(end)? + s;
    Some(&rest[s..e])
}

/// The text of cell `class` in the table row whose opening tag contains `row_marker`.
fn cell(html: &str, row_marker: &str, class: &str) -> String {
    let from = html
        .find(row_marker)
        .unwrap_or_else(|| panic!("no row {row_marker}"));
    let row = &html[from..from + html[from..].find("</tr>").unwrap()];
    let marker = format!("class=\"{class}");
    let at = row
        .find(&marker)
        .unwrap_or_else(|| panic!("no cell {class} in {row}"));
    let s = at + row[at..].find('>').unwrap() + 1;
    let e = s + row[s..].find("</td>").unwrap();
    row[s..e].to_string()
}

/// Customer ids of a table's rows, in order.
fn row_ids(html: &str, table_id: &str) -> Vec<i64> {
    let table = after(html, &format!("id=\"{table_id}\""), "<tbody>", "</tbody>")
        .unwrap_or_else(|| panic!("no table {table_id}"));
    table
        .split("data-customer-id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Day::from_days_since_epoch((secs / 86_400) as i32)
}

/// The two snapshot days of the fixture.
const D1: (i32, u32, u32) = (2024, 9, 1);
const D2: (i32, u32, u32) = (2024, 10, 1);

/// One snapshot row with known values: (as_of, customer, rung, status, subgroup, turn, orders,
/// revenue, profit, abc, rfm, reason).
type Row = (
    Day,
    i64,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    i64,
    i64,
    i64,
    i64,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// Ids of the fixture's customers.
struct Fixture {
    alice: i64,
    hostile: i64,
    boris: i64,
    vera: i64,
    gleb: i64,
}

impl TestApp {
    async fn spawn(backend: Backend) -> TestApp {
        TestApp {
            server: RunningServer::start(backend, 2).await,
        }
    }

    async fn stop(self) {
        self.server.stop().await;
    }

    async fn user(&self, name: &str, role: Role) {
        let u = self.store.add_user(name, role).await.unwrap();
        self.store.set_password(u.user.id, PASSWORD).await.unwrap();
    }

    async fn customer(&self, external_id: &str, name: &str, channel: Option<Channel>) -> i64 {
        self.store
            .upsert_customer(&NewCustomer {
                external_id: external_id.into(),
                name: Some(name.into()),
                preferred_channel: channel,
                ..NewCustomer::default()
            })
            .await
            .unwrap()
    }

    async fn assign(&self, customer: i64, user: &str) {
        let u = self.store.user_by_name(user).await.unwrap();
        self.store
            .edit_customer_audited(
                Scope::All,
                customer,
                "test",
                &CustomerEdit {
                    manager_user_id: Some(Some(u.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();
    }

    async fn snapshot_row(&self, r: Row) {
        let sql = "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, orders, purchase_days, revenue, profit, abc, rfm, status_reason, scored_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, 0)";
        macro_rules! run {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(i64::from(r.0.days_since_epoch()))
                    .bind(r.1)
                    .bind(r.2)
                    .bind(r.3)
                    .bind(r.4)
                    .bind(r.5)
                    .bind(r.6)
                    .bind(Money::from_major(r.7).units())
                    .bind(Money::from_major(r.8).units())
                    .bind(r.9)
                    .bind(r.10)
                    .bind(r.11)
                    .execute($pool)
                    .await
                    .map(|_| ())
                    .unwrap()
            };
        }
        match &self.store {
            Store::Sqlite(p) => run!(p),
            Store::Postgres(p) => run!(p),
        };
    }

    async fn order_line(&self, customer: &str, order: &str, day: Day, amount: i64) {
        let mut tx = self
            .store
            .begin_import(&format!("{order}.csv"))
            .await
            .unwrap();
        tx.add(&[NewOrderLine {
            customer: customer.into(),
            order_id: Some(order.into()),
            product: "p".into(),
            day,
            amount: Money::from_major(amount),
            cost: None,
            quantity: None,
            price: None,
            list_price: None,
            category: None,
            full_price: None,
            row_line: 1,
            occurrence: 0,
        }])
        .await
        .unwrap();
        tx.commit(1, 0).await.unwrap();
    }

    /// Users ada (admin), ana (analyst) and max (manager of Alice and Boris), five customers,
    /// two snapshots written directly with known values, and the dashboard aggregates.
    ///
    /// At D2: Alice regular active (turn 2: a returner), profitable, 1,000 / 300, A 545;
    /// `<script>` regular slipping, middling, 500 / 100, B 335, "19 days late";
    /// Boris advocate slipping, profitable, 2,000 / 800, A 555, "9 days late";
    /// Vera newcomer lost, unprofitable, 100 / −20, C 111; Gleb prospect, no purchase.
    /// At D1 Alice and Vera were active newcomers, the other two active regulars, Gleb absent.
    async fn fixture(&self) -> Fixture {
        self.user("ada", Role::Admin).await;
        self.user("ana", Role::Analyst).await;
        self.user("max", Role::Manager).await;
        let f = Fixture {
            alice: self.customer("C1", "Alice", Some(Channel::Email)).await,
            hostile: self
                .customer("C2", "<script>alert(1)</script>", Some(Channel::Phone))
                .await,
            boris: self.customer("C3", "Boris", Some(Channel::Email)).await,
            vera: self.customer("C4", "Vera", None).await,
            gleb: self.customer("C5", "Gleb", None).await,
        };
        self.assign(f.alice, "max").await;
        self.assign(f.boris, "max").await;
        let (d1, d2) = (day(D1.0, D1.1, D1.2), day(D2.0, D2.1, D2.2));
        let late = |d| match d {
            19 => Some("late_by_rhythm every=30 spread=4 late=19"),
            _ => Some("late_by_rhythm every=14 spread=2 late=9"),
        };
        let rows: [Row; 9] = [
            (
                d1,
                f.alice,
                "newcomer",
                Some("active"),
                Some("profitable"),
                1,
                1,
                400,
                100,
                Some("B"),
                Some("345"),
                None,
            ),
            (
                d1,
                f.hostile,
                "regular",
                Some("active"),
                Some("middling"),
                1,
                5,
                400,
                80,
                Some("B"),
                Some("335"),
                None,
            ),
            (
                d1,
                f.boris,
                "regular",
                Some("active"),
                Some("profitable"),
                1,
                9,
                1500,
                600,
                Some("A"),
                Some("555"),
                None,
            ),
            (
                d1,
                f.vera,
                "newcomer",
                Some("active"),
                Some("unprofitable"),
                1,
                1,
                100,
                -20,
                Some("C"),
                Some("211"),
                None,
            ),
            (
                d2,
                f.alice,
                "regular",
                Some("active"),
                Some("profitable"),
                2,
                4,
                1000,
                300,
                Some("A"),
                Some("545"),
                None,
            ),
            (
                d2,
                f.hostile,
                "regular",
                Some("slipping"),
                Some("middling"),
                1,
                6,
                500,
                100,
                Some("B"),
                Some("335"),
                late(19),
            ),
            (
                d2,
                f.boris,
                "advocate",
                Some("slipping"),
                Some("profitable"),
                1,
                12,
                2000,
                800,
                Some("A"),
                Some("555"),
                late(9),
            ),
            (
                d2,
                f.vera,
                "newcomer",
                Some("lost"),
                Some("unprofitable"),
                1,
                1,
                100,
                -20,
                Some("C"),
                Some("111"),
                Some("gone days=401 limit=365"),
            ),
            (
                d2, f.gleb, "prospect", None, None, 1, 0, 0, 0, None, None, None,
            ),
        ];
        for r in rows {
            self.snapshot_row(r).await;
        }
        self.order_line("C4", "v1", day(2023, 8, 27), 100).await;
        self.store.refresh_dashboard(d1).await.unwrap();
        self.store.refresh_dashboard(d2).await.unwrap();
        f
    }
}

/// Runs `test` against a server on SQLite, then on PostgreSQL.
async fn on_both<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let app = TestApp::spawn(backend).await;
        let app = test(app).await;
        app.stop().await;
    }
}

fn assert_clean(page: &Page) {
    assert!(
        !page.body.contains('⟦'),
        "a message id is missing: {}",
        page.body
    );
    // The SVG namespace is a name, not a link.
    let body = page
        .body
        .replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !body.contains("http://") && !body.contains("https://") && !body.contains("src=\"//"),
        "an external URL: {}",
        page.body
    );
}

#[test]
fn both_catalogues_define_the_same_messages() {
    let mut all = 0;
    for catalogue in CATALOGUES {
        let en = message_ids(catalogue.en).unwrap();
        let ru = message_ids(catalogue.ru).unwrap();
        let only_en: Vec<_> = en.iter().filter(|id| !ru.contains(id)).collect();
        let only_ru: Vec<_> = ru.iter().filter(|id| !en.contains(id)).collect();
        let file = catalogue.file;
        assert!(only_en.is_empty(), "missing in ru/{file}: {only_en:?}");
        assert!(only_ru.is_empty(), "missing in en/{file}: {only_ru:?}");
        all += en.len();
    }
    assert!(all > 100, "{all} messages");
    // Loading the bundles panics on an id that two files define; a message proves they loaded.
    assert_ne!(
        Tr::new(Lang::Ru).get("page-login"),
        Tr::new(Lang::En).get("page-login")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_redirect_to_login_and_the_login_form_signs_in_and_out() {
    on_both(|app| async move {
        app.user("ada", Role::Admin).await;
        let b = Browser::new(&app);
        for (path, next) in [
            ("/", "%2F"),
            ("/customers?rung=regular", "%2Fcustomers%3Frung%3Dregular"),
            ("/dates", "%2Fdates"),
        ] {
            let page = b.get(path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(page.location, Some(format!("/login?next={next}")));
        }
        let login = b.get("/login?next=%2Fflows").await;
        assert_eq!(login.status, StatusCode::OK);
        assert!(
            login
                .body
                .contains("<form id=\"login-form\" method=\"post\" action=\"/login\"")
        );
        assert!(login.body.contains("name=\"next\" value=\"/flows\""));
        assert!(
            login
                .body
                .contains("<main id=\"page-login\">\n<h1>Sign in</h1>")
        );
        let wrong = b
            .post("/login", &[("name", "ada"), ("password", "nope nope nope")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong
                .body
                .contains("class=\"error\" role=\"alert\">Wrong name or password.</p>")
        );
        // A next pointing to another site is ignored.
        b.login("ada", "/").await;
        let evil = b
            .post(
                "/login",
                &[
                    ("name", "ada"),
                    ("password", PASSWORD),
                    ("next", "//evil.example/"),
                ],
            )
            .await;
        assert_eq!(evil.location.as_deref(), Some("/"));
        let overview = b.get("/").await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
        assert!(overview.body.contains("<html lang=\"en\">"));
        assert!(
            overview
                .body
                .contains("<main id=\"page-overview\">\n<h1>Overview</h1>")
        );
        assert!(overview.body.contains("No snapshot yet"));
        // Without any snapshot every page still renders with the contract's elements.
        for (path, page, element) in [
            ("/", "overview", "<table id=\"ladder-table\""),
            ("/flows", "flows", "<svg id=\"flows-chart\""),
            ("/flows", "flows", "<table id=\"churn-table\""),
            ("/today", "today", "<table id=\"today-list\""),
            ("/lost", "lost", "<table id=\"lost-list\""),
            ("/customers", "customers", "<table id=\"customer-list\""),
            ("/value", "value", "<svg id=\"pareto-chart\""),
            ("/dates", "dates", "<table id=\"dates-list\""),
        ] {
            let got = b.get(path).await;
            assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.body);
            assert_clean(&got);
            assert!(
                got.body.contains(&format!("<main id=\"page-{page}\">")),
                "{path}"
            );
            assert!(got.body.contains(element), "{path}: {element}");
        }
        let css = b.get("/static/app.css").await;
        assert!(css.content_type.starts_with("text/css") && css.body.contains("@media print"));
        let csrf = b.csrf().await;
        let refused = b.post("/logout", &[("csrf", "wrong")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let out = b.post("/logout", &[("csrf", csrf.as_str())]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location.as_deref(), Some("/login"));
        assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_the_fixture_for_each_role() {
    on_both(|app| async move {
        app.fixture().await;
        let admin = Browser::new(&app);
        admin.login("ada", "/").await;
        let page = admin.get("/").await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{:?}: {}",
            app.backend,
            page.body
        );
        assert_clean(&page);
        let html = &page.body;
        // Regulars at D2: Alice 1,000 + <script> 500; profit 300 + 100.
        assert_eq!(cell(html, "data-rung=\"regular\"", "customers"), "2");
        assert_eq!(cell(html, "data-rung=\"regular\"", "revenue"), "1,500.00");
        assert_eq!(cell(html, "data-rung=\"regular\"", "profit"), "400.00");
        assert_eq!(cell(html, "data-rung=\"newcomer\"", "profit"), "-20.00");
        assert_eq!(cell(html, "data-rung=\"visitor\"", "customers"), "0");
        assert_eq!(cell(html, "data-rung=\"advocate\"", "revenue"), "2,000.00");
        // Regulars went from 2 (D1) to 2, newcomers from 2 to 1, prospects from 0 to 1.
        assert_eq!(cell(html, "data-rung=\"newcomer\"", "change"), "-1");
        assert_eq!(cell(html, "data-rung=\"prospect\"", "change"), "+1");
        for (status, n) in [
            ("active", "1"),
            ("slipping", "2"),
            ("lost", "1"),
            ("returners", "1"),
        ] {
            assert_eq!(
                after(html, &format!("data-status=\"{status}\""), ">", "<"),
                Some(n),
                "{status}"
            );
        }
        // Buyers by revenue 2,000, 1,000, 500, 100 (Gleb never bought): the top one of four
        // brings 2,000 / 3,600.
        assert!(html.contains("The top 25.0% of buyers bring 55.6% of revenue."));
        // Boris moved up; Alice moved up on a new turn, which counts as coming back; Vera was
        // lost, <script> stayed, Gleb is new.
        for (m, n) in [
            ("up", "1"),
            ("down", "0"),
            ("out", "1"),
            ("back", "1"),
            ("same", "1"),
            ("new", "1"),
        ] {
            assert_eq!(
                after(html, &format!("data-movement=\"{m}\""), ">", "<"),
                Some(n),
                "{m}"
            );
        }
        assert!(html.contains("<svg id=\"ladder-chart\""));
        assert!(
            html.contains("role=\"img\" aria-labelledby=\"ladder-chart-title ladder-chart-desc\"")
        );
        assert!(html.contains("<title id=\"ladder-chart-title\">The loyalty ladder</title>"));
        for nav in [
            "/",
            "/flows",
            "/today",
            "/lost",
            "/customers",
            "/value",
            "/dates",
        ] {
            assert!(html.contains(&format!("<a href=\"{nav}\"")), "{nav}");
        }
        assert!(html.contains("<button name=\"lang\" value=\"ru\">Русский</button>"));

        // The manager sees Alice and Boris only.
        let manager = Browser::new(&app);
        manager.login("max", "/").await;
        let html = manager.get("/").await.body;
        assert_eq!(cell(&html, "data-rung=\"regular\"", "customers"), "1");
        assert_eq!(cell(&html, "data-rung=\"regular\"", "revenue"), "1,000.00");
        assert_eq!(cell(&html, "data-rung=\"advocate\"", "customers"), "1");
        assert_eq!(
            after(&html, "data-status=\"slipping\"", ">", "<"),
            Some("1")
        );
        assert_eq!(after(&html, "data-status=\"lost\"", ">", "<"), Some("0"));
        // 2,000 of 3,000 from the top one of two.
        assert!(html.contains("The top 50.0% of buyers bring 66.7% of revenue."));

        // The analyst reads Russian: grouping with narrow no-break spaces, decimal comma.
        let analyst = Browser {
            language: Some("ru-RU,ru;q=0.9"),
            ..Browser::new(&app)
        };
        analyst.login("ana", "/").await;
        let page = analyst.get("/").await;
        assert_clean(&page);
        let html = &page.body;
        assert!(html.contains("<html lang=\"ru\">"));
        assert!(html.contains("<main id=\"page-overview\">\n<h1>Обзор</h1>"));
        assert_eq!(
            cell(html, "data-rung=\"regular\"", "revenue"),
            format!("1{NNBSP}500,00")
        );
        assert!(html.contains(&format!(
            "Лучшие 25,0{NNBSP}% покупателей приносят 55,6{NNBSP}% выручки."
        )));
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_flows_value_and_dates_show_the_fixture() {
    on_both(|app| async move {
        let f = app.fixture().await;
        // A birthday of Alice in three days, and Boris's first purchase two years before the
        // fifth day from now (the anniversary falls in the window).
        let now = today();
        let mut soon = now.plus_days(5);
        if soon.ymd().1 == 2 && soon.ymd().2 == 29 {
            soon = now.plus_days(6);
        }
        let birthday = now.plus_days(3);
        let (_, bm, bd) = birthday.ymd();
        app.store
            .add_personal_date(
                f.alice,
                &PersonalDateRecord {
                    label: "Birthday <b>".into(),
                    rule: DateRule::Yearly { month: bm, day: bd, since: Some(1990) },
                },
            )
            .await
            .unwrap();
        // A movable date of Vera in ten days (the nth weekday of its month): the dates page
        // reads movable rules through their own partial index (migration 0022).
        let movable = now.plus_days(10);
        let (_, mm, md) = movable.ymd();
        let weekday = (movable.days_since(day(1970, 1, 1)) + 3).rem_euclid(7) as u32 + 1;
        app.store
            .add_personal_date(
                f.vera,
                &PersonalDateRecord {
                    label: "Name day".into(),
                    rule: DateRule::NthWeekday { month: mm, weekday, nth: ((md - 1) / 7 + 1) as i32 },
                },
            )
            .await
            .unwrap();
        let (sy, sm, sd) = soon.ymd();
        app.order_line("C3", "b0", day(sy - 2, sm, sd), 10).await;
        app.store.refresh_dashboard(day(D2.0, D2.1, D2.2)).await.unwrap();

        let b = Browser::new(&app);
        b.login("ada", "/today").await;
        let page = b.get("/today").await;
        assert_clean(&page);
        let html = &page.body;
        assert!(html.contains("<main id=\"page-today\">\n<h1>Today</h1>"));
        // Slipping regulars and advocates; no CLV in the fixture, so by revenue: Boris 2,000,
        // then <script> 500.
        assert_eq!(row_ids(html, "today-list"), vec![f.boris, f.hostile]);
        let hostile_row = format!("data-customer-id=\"{}\"", f.hostile);
        assert_eq!(cell(html, &hostile_row, "reason"), "buys every 30 ± 4 days, 19 days late");
        assert_eq!(
            cell(html, &hostile_row, "action"),
            "Keep the rhythm: remind them before their usual next purchase."
        );
        // Prefers the phone, but never gave consent for any channel.
        assert_eq!(cell(html, &hostile_row, "channel"), "No consented channel");
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{html}");
        assert!(!html.contains("<script>alert"));

        let html = b.get("/lost").await.body;
        assert_eq!(row_ids(&html, "lost-list"), vec![f.vera]);
        let vera = format!("data-customer-id=\"{}\"", f.vera);
        // Last purchase 2023-08-27, snapshot 2024-10-01: 366 + 35 days.
        assert_eq!(cell(&html, &vera, "since"), "401 days");
        // The fixture's snapshot forecast no CLV: no value at stake is shown (never past
        // revenue), and the page says why and what the list is ranked by.
        assert_eq!(cell(&html, &vera, "value"), "—");
        assert!(
            html.contains("No lifetime value was forecast for this snapshot"),
            "{html}"
        );
        assert_eq!(cell(&html, &vera, "reason"), "no purchase for 401 days (more than 365)");
        assert!(html.contains(&format!(
            "<input type=\"hidden\" name=\"customer\" value=\"{}\">",
            f.vera
        )));

        let page = b.get("/flows").await;
        assert_clean(&page);
        let html = &page.body;
        assert!(html.contains("<svg id=\"flows-chart\""));
        // At risk at D1: newcomers Alice and Vera (Vera lost), regulars <script> and Boris.
        assert_eq!(cell(html, "<tr data-rung=\"newcomer\"", "at-risk"), "2");
        assert_eq!(cell(html, "<tr data-rung=\"newcomer\"", "churned"), "1");
        assert_eq!(cell(html, "<tr data-rung=\"newcomer\"", "rate"), "50.0%");
        assert_eq!(cell(html, "<tr data-rung=\"regular\"", "rate"), "0.0%");
        assert!(html.contains("<p id=\"returners\">Came back in the last period: 1</p>"));
        assert!(html.contains("<title>Newcomer → Regular: 1 customer</title>"));

        let page = b.get("/value").await;
        assert_clean(&page);
        let html = &page.body;
        assert!(html.contains("<svg id=\"pareto-chart\""));
        assert!(html.contains("aria-labelledby=\"pareto-chart-title pareto-chart-desc\""));
        // A: Alice and Boris, 3,000 of 3,600.
        assert_eq!(cell(html, "<tr data-segment=\"A\"", "customers"), "2");
        assert_eq!(cell(html, "<tr data-segment=\"A\"", "revenue"), "3,000.00");

        let page = b.get("/dates").await;
        assert_clean(&page);
        let html = &page.body;
        let ids = row_ids(html, "dates-list");
        assert!(ids.contains(&f.alice) && ids.contains(&f.boris), "{html}");
        assert!(html.contains(&format!(
            "<td class=\"date\">{}</td><td class=\"in num\">in 3 days</td><td class=\"customer\"><a href=\"/customers/{}\">Alice</a> <span class=\"mark\">C1</span></td><td class=\"what\">Birthday &#60;b&#62;</td>",
            Day::to_string(&birthday),
            f.alice
        )));
        assert!(html.contains("First purchase, 2 years"));
        // Two rows a page in these tests: Vera's movable date, the latest, is on page 2.
        let html = b.get("/dates?page=2").await.body;
        assert_eq!(row_ids(&html, "dates-list"), vec![f.vera], "{html}");
        assert!(html.contains(&format!(
            "<td class=\"date\">{}</td><td class=\"in num\">in 10 days</td>",
            Day::to_string(&movable)
        )), "{html}");

        // The manager's lists hold only Alice and Boris; the analyst's everyone.
        let manager = Browser::new(&app);
        manager.login("max", "/").await;
        assert_eq!(row_ids(&manager.get("/today").await.body, "today-list"), vec![f.boris]);
        assert!(row_ids(&manager.get("/lost").await.body, "lost-list").is_empty());
        let dates = row_ids(&manager.get("/dates").await.body, "dates-list");
        assert!(dates.iter().all(|id| [f.alice, f.boris].contains(id)), "{dates:?}");
        let analyst = Browser::new(&app);
        analyst.login("ana", "/").await;
        assert_eq!(row_ids(&analyst.get("/today").await.body, "today-list"), vec![f.boris, f.hostile]);
        assert_eq!(row_ids(&analyst.get("/lost").await.body, "lost-list"), vec![f.vera]);
        app
    })
    .await;
}

/// Issue 24 item 1: every channel a page or the API suggests has consent in force today and
/// contact details, whatever the customer prefers; "no consented channel" is said plainly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_or_answer_suggests_a_channel_without_consent() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let consent = |channel, granted, d| ConsentRecord {
            channel,
            granted,
            day: d,
            source: "test".into(),
        };
        // Boris prefers e-mail but withdrew it; the phone is consented and known → Phone.
        let store = &app.store;
        store
            .add_contact(f.boris, Channel::Email, "boris@example.com")
            .await
            .unwrap();
        store
            .add_contact(f.boris, Channel::Phone, "+70000000001")
            .await
            .unwrap();
        store
            .record_consent(f.boris, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();
        store
            .record_consent(f.boris, &consent(Channel::Email, false, day(2024, 5, 1)))
            .await
            .unwrap();
        store
            .record_consent(f.boris, &consent(Channel::Phone, true, day(2024, 5, 1)))
            .await
            .unwrap();
        // <script> prefers the phone and has a number, but no consent at all.
        store
            .add_contact(f.hostile, Channel::Phone, "+70000000002")
            .await
            .unwrap();
        // Vera consented to e-mail, but there is no address.
        store
            .record_consent(f.vera, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();
        // Alice prefers e-mail, consented to it, address known → E-mail.
        store
            .add_contact(f.alice, Channel::Email, "alice@example.com")
            .await
            .unwrap();
        store
            .record_consent(f.alice, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();

        // Boris's latest snapshot expects his next purchase on 2024-10-15 (issue 24 items 2, 6).
        let sql =
            "UPDATE score_snapshots SET next_purchase = $1 WHERE customer_id = $2 AND as_of = $3";
        let (next, d2) = (day(2024, 10, 15), day(D2.0, D2.1, D2.2));
        macro_rules! set_next {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(i64::from(next.days_since_epoch()))
                    .bind(f.boris)
                    .bind(i64::from(d2.days_since_epoch()))
                    .execute($pool)
                    .await
                    .map(|_| ())
                    .unwrap()
            };
        }
        match &app.store {
            Store::Sqlite(p) => set_next!(p),
            Store::Postgres(p) => set_next!(p),
        };

        let b = Browser::new(&app);
        b.login("ada", "/today").await;
        let html = b.get("/today").await.body;
        let row = |id: i64| format!("data-customer-id=\"{id}\"");
        assert_eq!(cell(&html, &row(f.boris), "channel"), "Phone");
        assert_eq!(
            cell(&html, &row(f.hostile), "channel"),
            "No consented channel"
        );
        let html = b.get("/lost").await.body;
        assert_eq!(
            cell(&html, &row(f.vera), "channel"),
            "Consent given, but no contact details"
        );
        let reach_on = |html: &str| {
            after(html, "<dt>Reach on</dt>", "<dd>", "</dd>")
                .unwrap_or_else(|| panic!("no 'Reach on' on the card: {html}"))
                .to_string()
        };
        for (id, want) in [
            (f.boris, "Phone"),
            (f.hostile, "No consented channel"),
            (f.vera, "Consent given, but no contact details"),
            (f.alice, "E-mail"),
            (f.gleb, "No consented channel"),
        ] {
            let page = b.get(&format!("/customers/{id}")).await;
            assert_clean(&page);
            assert_eq!(reach_on(&page.body), want, "customer {id}");
            let next = after(
                &page.body,
                "<dt>Next purchase expected</dt>",
                "<dd>",
                "</dd>",
            );
            assert_eq!(
                next,
                (id == f.boris).then_some("2024-10-15"),
                "customer {id}"
            );
        }
        // The API's card says the same, as codes.
        let token = app
            .store
            .add_user("api", Role::Analyst)
            .await
            .unwrap()
            .token;
        let client = reqwest::Client::new();
        for (id, want) in [
            (f.boris, "phone"),
            (f.hostile, "no_consented_channel"),
            (f.vera, "no_contact_details"),
            (f.alice, "email"),
        ] {
            let card: serde_json::Value = client
                .get(format!("{}/api/v1/customers/{id}", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(card["reach"], want, "customer {id}: {card}");
        }
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_need_the_csrf_token_and_show_on_the_card() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("max", "/").await;
        let card = b.get(&format!("/customers/{}", f.alice)).await;
        assert_eq!(card.status, StatusCode::OK, "{}", card.body);
        assert_clean(&card);
        assert!(
            card.body
                .contains("<main id=\"page-card\">\n<h1>Alice</h1>")
        );
        assert!(card.body.contains(&format!(
            "<form id=\"note-form\" method=\"post\" action=\"/customers/{}/notes\">",
            f.alice
        )));
        let path = format!("/customers/{}/notes", f.alice);
        let text = "Call on Monday <img src=x onerror=alert(1)>";
        assert_eq!(
            b.post(&path, &[("text", text)]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            b.post(&path, &[("text", text), ("csrf", "forged")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let csrf = b.csrf().await;
        let empty = b.post(&path, &[("text", "  "), ("csrf", &csrf)]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Issue 23: the form held no limit and a 30 MB note was stored. One character over
        // 20,000 (two-byte letters) is refused and says the limit.
        let long = "ж".repeat(20_001);
        let refused = b.post(&path, &[("text", &long), ("csrf", &csrf)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("longer than 20000 characters"),
            "{}",
            refused.body
        );
        let saved = b.post(&path, &[("text", text), ("csrf", &csrf)]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        assert_eq!(
            saved.location,
            Some(format!("/customers/{}#notes", f.alice))
        );
        let card = b.get(&format!("/customers/{}", f.alice)).await.body;
        let notes = after(
            &card,
            "<section id=\"notes\">",
            "<ul class=\"notes\">",
            "</ul>",
        )
        .unwrap();
        assert_eq!(notes.matches("<li class=\"note\">").count(), 1);
        assert!(notes.contains("<span class=\"author\">max</span>"));
        assert!(notes.contains("Call on Monday &#60;img src=x onerror=alert(1)&#62;"));
        // Another manager's customer is not found, neither to read nor to write.
        assert_eq!(
            b.get(&format!("/customers/{}", f.vera)).await.status,
            StatusCode::NOT_FOUND
        );
        let other = format!("/customers/{}/notes", f.vera);
        assert_eq!(
            b.post(&other, &[("text", "x"), ("csrf", &csrf)])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_follows_the_choice_then_the_browser() {
    on_both(|app| async move {
        app.user("ada", Role::Admin).await;
        let german = Browser {
            language: Some("de-DE,de;q=0.9"),
            ..Browser::new(&app)
        };
        assert!(
            german
                .get("/login")
                .await
                .body
                .contains("<html lang=\"en\">")
        );
        let russian = Browser {
            language: Some("ru,en;q=0.5"),
            ..Browser::new(&app)
        };
        let page = russian.get("/login").await;
        assert!(page.body.contains("<html lang=\"ru\">"));
        assert!(page.body.contains("<h1>Вход</h1>"));
        // Switching on the login page sets the cookie.
        let switched = german
            .post("/language", &[("lang", "ru"), ("next", "/login")])
            .await;
        assert_eq!(switched.status, StatusCode::SEE_OTHER);
        assert_eq!(switched.location.as_deref(), Some("/login"));
        assert!(german.get("/login").await.body.contains("<h1>Вход</h1>"));
        assert_eq!(
            german.post("/language", &[("lang", "fr")]).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // Signed in, the choice is stored for the user (with the CSRF token).
        let b = Browser::new(&app);
        b.login("ada", "/").await;
        assert_eq!(
            b.post("/language", &[("lang", "ru"), ("next", "/")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let csrf = b.csrf().await;
        let ok = b
            .post(
                "/language",
                &[("lang", "ru"), ("next", "/customers"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(ok.location.as_deref(), Some("/customers"));
        // A fresh browser asking for English gets the stored Russian after signing in.
        let fresh = Browser {
            language: Some("en"),
            ..Browser::new(&app)
        };
        fresh.login("ada", "/").await;
        let page = fresh.get("/customers").await;
        assert!(page.body.contains("<html lang=\"ru\">"));
        assert!(page.body.contains("<h1>Клиенты</h1>"));
        app
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_list_filters_pages_and_exports_csv() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let b = Browser::new(&app);
        b.login("ana", "/").await;
        // Pages of two (the test server's default page size) by id.
        let first = b.get("/customers").await;
        assert_clean(&first);
        assert_eq!(
            row_ids(&first.body, "customer-list"),
            vec![f.alice, f.hostile]
        );
        assert!(!first.body.contains("rel=\"prev\""));
        let next = after(&first.body, "rel=\"next\"", "href=\"", "\"")
            .unwrap()
            .replace("&amp;", "&");
        assert_eq!(next, format!("/customers?after={}", f.hostile));
        let second = b.get(&next).await.body;
        assert_eq!(row_ids(&second, "customer-list"), vec![f.boris, f.vera]);
        let prev = after(&second, "rel=\"prev\"", "href=\"", "\"")
            .unwrap()
            .replace("&amp;", "&");
        assert_eq!(prev, format!("/customers?before={}", f.boris));
        assert_eq!(
            row_ids(&b.get(&prev).await.body, "customer-list"),
            vec![f.alice, f.hostile]
        );
        let next = after(&second, "rel=\"next\"", "href=\"", "\"")
            .unwrap()
            .replace("&amp;", "&");
        assert_eq!(
            row_ids(&b.get(&next).await.body, "customer-list"),
            vec![f.gleb]
        );

        // Filters, and the pagination keeps them.
        let regular = b.get("/customers?rung=regular&q=&status=").await.body;
        assert_eq!(row_ids(&regular, "customer-list"), vec![f.alice, f.hostile]);
        assert!(regular.contains("<option value=\"regular\" selected>Regular</option>"));
        assert!(regular.contains("id=\"export-csv\" href=\"/customers.csv?rung=regular\""));
        assert_eq!(
            row_ids(&b.get("/customers?segment=a").await.body, "customer-list"),
            vec![f.alice, f.boris]
        );
        assert_eq!(
            row_ids(&b.get("/customers?q=BOR").await.body, "customer-list"),
            vec![f.boris]
        );
        assert_eq!(
            row_ids(
                &b.get("/customers?manager=max&status=slipping").await.body,
                "customer-list"
            ),
            vec![f.boris]
        );
        assert_eq!(
            row_ids(
                &b.get("/customers?subgroup=unprofitable").await.body,
                "customer-list"
            ),
            vec![f.vera]
        );
        let bad = b.get("/customers?rung=king").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("Rung: “king” is none of Prospect, Visitor, Newcomer, Regular, Advocate."),
            "{}",
            bad.body
        );

        // The export holds every matching customer, not one page.
        let csv = b.get("/customers.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type.starts_with("text/csv"));
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(
            lines[0],
            "customer_id,external_id,name,rung,status,subgroup,revenue,profit,manager,abc,rfm"
        );
        assert_eq!(lines.len(), 6, "{}", csv.body);
        assert_eq!(
            lines[1],
            format!(
                "{},C1,Alice,regular,active,profitable,1000.00,300.00,max,A,545",
                f.alice
            )
        );
        assert_eq!(
            lines[4],
            format!(
                "{},C4,Vera,newcomer,lost,unprofitable,100.00,-20.00,,C,111",
                f.vera
            )
        );
        assert_eq!(
            lines[5],
            format!("{},C5,Gleb,prospect,,,0.00,0.00,,,", f.gleb)
        );
        let regular = b.get("/customers.csv?rung=regular").await.body;
        assert_eq!(regular.lines().count(), 3);

        // Excel's CSV when asked: a byte-order mark, `;`, words and decimal commas of the
        // reader's language (here Russian); a Russian reader gets it without asking, and the
        // plain file with ?excel=0.
        let mut ru = Browser::new(&app);
        ru.language = Some("ru");
        ru.login("ada", "/").await;
        let excel = ru.get("/customers.csv").await.body;
        assert!(excel.starts_with('\u{feff}'), "{excel:?}");
        let lines: Vec<&str> = excel.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "Номер;Номер в вашей системе;Имя;Ступень;Статус;Подгруппа;Выручка;Прибыль;Менеджер;Класс ABC;Ячейка RFM"
        );
        assert_eq!(
            lines[4],
            format!("{};C4;Vera;Новичок;Не покупает;Убыточные;100,00;-20,00;;C;111", f.vera)
        );
        assert_eq!(lines.len(), 6);
        let plain = ru.get("/customers.csv?excel=0").await.body;
        assert!(plain.starts_with("customer_id,external_id,"), "{plain}");
        let english_excel = b.get("/customers.csv?excel=1&rung=regular").await.body;
        let lines: Vec<&str> = english_excel.trim_start_matches('\u{feff}').lines().collect();
        assert!(english_excel.starts_with('\u{feff}'));
        assert_eq!(lines.len(), 3, "{english_excel}");
        assert_eq!(
            lines[1],
            format!("{};C1;Alice;Regular;Active;Profitable;1000.00;300.00;max;A;545", f.alice)
        );

        // The same list as .xlsx, read back with calamine: words in the reader's language,
        // amounts as numbers.
        let resp = ru
            .client
            .get(format!("{}/customers.xlsx", ru.base))
            .header(ACCEPT_LANGUAGE, "ru")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()[CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = resp.bytes().await.unwrap();
        use calamine::{Data, Reader as _};
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("Клиенты").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0][1], Data::String("Номер в вашей системе".into()));
        let vera = rows
            .iter()
            .find(|r| r[1] == Data::String("C4".into()))
            .expect("Vera's row");
        assert_eq!(vera[0], Data::Float(f.vera as f64));
        assert_eq!(vera[4], Data::String("Не покупает".into()));
        assert_eq!(vera[6], Data::Float(100.0));
        assert_eq!(vera[7], Data::Float(-20.0));
        // A name that looks like a formula stays text.
        assert!(rows.iter().any(|r| r[2] == Data::String("<script>alert(1)</script>".into())));
        app
    })
    .await;
}

/// Scores a small history the way `clientele score` does and checks the aggregates written in
/// the snapshot's transaction against the store's own transitions (computed in Rust).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoring_writes_aggregates_that_agree_with_the_transitions() {
    use clientele_core::{CustomerRecord, LadderRules, analyze};
    on_both(|app| async move {
        let lines = [
            ("r", "r1", day(2024, 1, 10), 110),
            ("r", "r2", day(2024, 2, 10), 110),
            ("r", "r3", day(2024, 3, 10), 110),
            ("r", "r4", day(2024, 4, 10), 110),
            ("n", "n1", day(2024, 1, 15), 60),
            ("b", "b1", day(2023, 1, 5), 70),
            ("b", "b2", day(2025, 3, 1), 80),
        ];
        for (c, o, d, a) in lines {
            app.order_line(c, o, d, a).await;
        }
        let (d1, d2) = (day(2024, 4, 30), day(2025, 3, 31));
        for as_of in [d2, d1] {
            // Scored out of order: writing d1 must refresh d2's movements too.
            let s = app.store.summaries(as_of).await.unwrap();
            let records = s
                .customers
                .into_iter()
                .map(|(id, summary)| CustomerRecord {
                    id: id.into_string(),
                    summary: Some(summary),
                    forecast: None,
                })
                .collect();
            let profiles = app.store.profiles(as_of).await.unwrap();
            let analysis = analyze(records, profiles, &LadderRules::default(), as_of);
            app.store.write_snapshot(&analysis).await.unwrap();
            // Every snapshot row keeps the rung's reason in its language-free form.
            for c in analysis.customers() {
                let id = app.store.customer_id(c.id).await.unwrap();
                let history = app.store.card_history(id, 10).await.unwrap();
                let row = history.iter().find(|h| h.as_of == as_of).unwrap();
                assert_eq!(
                    row.rung_reason.as_deref(),
                    Some(c.placement().reason.code().as_str())
                );
            }
        }
        let t = app.store.transitions(d1, d2).await.unwrap();
        let moves = app
            .store
            .movement_aggregates(Scope::All, Some(d2))
            .await
            .unwrap();
        let count = |m: &str| -> u64 {
            moves
                .iter()
                .filter(|a| a.movement.as_str() == m)
                .map(|a| a.customers as u64)
                .sum()
        };
        assert_eq!(
            (
                count("up"),
                count("down"),
                count("out"),
                count("back"),
                count("same"),
                count("new")
            ),
            (t.up, t.down, t.out, t.back, t.same, t.new)
        );
        assert_eq!((t.out, t.back), (2, 1));
        let (_, cells) = app
            .store
            .ladder_summary(Scope::All, Some(d2))
            .await
            .unwrap();
        let agg = app.store.ladder_aggregate(Scope::All, d2).await.unwrap();
        let total =
            |f: &dyn Fn(&clientele_store::LadderAggregate) -> i64| agg.iter().map(f).sum::<i64>();
        assert_eq!(
            total(&|a| a.customers),
            cells.iter().map(|c| c.customers).sum::<i64>()
        );
        assert_eq!(
            total(&|a| a.revenue.units()),
            cells.iter().map(|c| c.revenue.units()).sum::<i64>()
        );
        // b came back for a second turn.
        assert_eq!(total(&|a| a.returners), 1);
        app
    })
    .await;
}

/// The customer list's search reads the trigram indexes (migrations 0021_search): substrings
/// of 3+ characters in any case, Cyrillic included, through keyset pages and together with the
/// other filters; shorter text finds an exact external id; erased customers drop out of the index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_finds_substrings_in_any_case_and_forgets_erased_customers() {
    on_both(|app| async move {
        let f = app.fixture().await;
        let ivan = app.customer("RU-7", "Иван Петров", None).await;
        let maria = app.customer("RU-8", "Мария Петрова", None).await;
        let pyotr = app.customer("RU-9", "ПЁТР ИВАНОВ", None).await;
        let search = |text: &str| CustomerFilter {
            search: Some(text.into()),
            ..CustomerFilter::default()
        };
        let ids = |page: &CustomerPage| page.items.iter().map(|c| c.id).collect::<Vec<_>>();
        let find = |text: &'static str| {
            let store = app.store.clone();
            async move {
                let page = store
                    .dashboard_customers(Scope::All, &search(text), Cursor::First, 50)
                    .await
                    .unwrap();
                ids(&page)
            }
        };
        let backend = app.backend;
        // Cyrillic is folded both ways; a phrase spans the space; the substring must be whole.
        assert_eq!(find("петров").await, vec![ivan, maria], "{backend:?}");
        assert_eq!(find("ИВАН").await, vec![ivan, pyotr], "{backend:?}");
        assert_eq!(find("ван п").await, vec![ivan], "{backend:?}");
        assert_eq!(find("  Петрова ").await, vec![maria], "{backend:?}");
        assert_eq!(find("петровы").await, Vec::<i64>::new(), "{backend:?}");
        // External ids, ASCII case, and characters that mean something to FTS5 or LIKE.
        assert_eq!(find("ru-").await, vec![ivan, maria, pyotr], "{backend:?}");
        assert_eq!(find("LIC").await, vec![f.alice], "{backend:?}");
        assert_eq!(find("<script>").await, vec![f.hostile], "{backend:?}");
        assert_eq!(find("\"ru").await, Vec::<i64>::new(), "{backend:?}");
        assert_eq!(find("%_%").await, Vec::<i64>::new(), "{backend:?}");
        // Shorter than a trigram: the customer with that external id (as typed, upper- or
        // lower-cased), not a substring (which would scan every customer).
        assert_eq!(find("c4").await, vec![f.vera], "{backend:?}");
        assert_eq!(find("C4").await, vec![f.vera], "{backend:?}");
        assert_eq!(find("4").await, Vec::<i64>::new(), "{backend:?}");
        assert_eq!(find("ро").await, Vec::<i64>::new(), "{backend:?}");

        // Keyset pages over the matches, both ways.
        let page = |cursor| {
            let store = app.store.clone();
            async move {
                store
                    .dashboard_customers(Scope::All, &search("ru-"), cursor, 2)
                    .await
                    .unwrap()
            }
        };
        let first = page(Cursor::First).await;
        assert_eq!(ids(&first), vec![ivan, maria]);
        assert_eq!((first.next_after, first.prev_before), (Some(maria), None));
        let second = page(Cursor::After(maria)).await;
        assert_eq!(ids(&second), vec![pyotr]);
        assert_eq!((second.next_after, second.prev_before), (None, Some(pyotr)));
        let back = page(Cursor::Before(pyotr)).await;
        assert_eq!(ids(&back), vec![ivan, maria]);
        assert_eq!((back.next_after, back.prev_before), (Some(maria), None));

        // With another filter: Alice is on the regular rung at the latest snapshot.
        let regular = app
            .store
            .dashboard_customers(
                Scope::All,
                &CustomerFilter {
                    search: Some("ALI".into()),
                    rung: Some(Rung::Regular),
                    ..CustomerFilter::default()
                },
                Cursor::First,
                50,
            )
            .await
            .unwrap();
        assert_eq!(ids(&regular), vec![f.alice]);
        let newcomers = app
            .store
            .dashboard_customers(
                Scope::All,
                &CustomerFilter {
                    search: Some("ALI".into()),
                    rung: Some(Rung::Newcomer),
                    ..CustomerFilter::default()
                },
                Cursor::First,
                50,
            )
            .await
            .unwrap();
        assert_eq!(ids(&newcomers), Vec::<i64>::new());

        // A new name (the upsert's UPDATE) replaces the old one in the index.
        assert_eq!(app.customer("RU-8", "Мария Сидорова", None).await, maria);
        assert_eq!(find("СИДОР").await, vec![maria], "{backend:?}");
        assert_eq!(find("петров").await, vec![ivan], "{backend:?}");

        // Erasure rewrites the name and external id: the old text is no longer found.
        app.store.erase_customer(ivan, "test").await.unwrap();
        assert_eq!(find("петров").await, Vec::<i64>::new(), "{backend:?}");
        assert_eq!(find("RU-7").await, Vec::<i64>::new(), "{backend:?}");
        assert_eq!(find("erased-").await, vec![ivan], "{backend:?}");

        // PostgreSQL can serve the search's expressions (`dialect::PG_TRIGRAM_LIKE`, in the store) from
        // the trigram indexes; with 8 customers it would rather scan, so scans are forbidden.
        if let Store::Postgres(pool) = &app.store {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .unwrap();
            let plan: Vec<String> = sqlx::query_scalar(
                "EXPLAIN SELECT c.id FROM customers c
                 WHERE (replace(lower(c.external_id COLLATE \"und-x-icu\"), 'ё', 'е') LIKE '%сидор%' ESCAPE '\\'
                     OR replace(lower(c.name COLLATE \"und-x-icu\"), 'ё', 'е') LIKE '%сидор%' ESCAPE '\\')",
            )
            .fetch_all(&mut *tx)
            .await
            .unwrap();
            let plan = plan.join("\n");
            assert!(
                plan.contains("customers_search_name")
                    && plan.contains("customers_search_external_id"),
                "{plan}"
            );
        }

        // And through the page, as a user types it ("СИДОР").
        let b = Browser::new(&app);
        b.login("ana", "/").await;
        let html = b.get("/customers?q=%D0%A1%D0%98%D0%94%D0%9E%D0%A0").await;
        assert_clean(&html);
        assert_eq!(row_ids(&html.body, "customer-list"), vec![maria]);
        app
    })
    .await;
}

/// Every word of the English catalogue (Latin letters, two or more), without the message ids,
/// the variables and the variant keys: what a Russian page must not show.
fn english_words() -> std::collections::BTreeSet<String> {
    let mut words = std::collections::BTreeSet::new();
    for catalogue in CATALOGUES {
        for line in catalogue.en.lines() {
            let line = line.trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            // The text of a message line is after its `id =`; a variant line's after `[key]`.
            let text = match line.split_once(" = ") {
                Some((id, rest)) if !id.contains(' ') && !id.starts_with('[') => rest,
                _ => line,
            };
            let mut plain = String::new();
            let mut depth = 0;
            let mut in_key = false;
            for c in text.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    '[' if depth == 0 => in_key = true,
                    ']' if in_key => in_key = false,
                    _ if depth == 0 && !in_key => plain.push(c),
                    _ => plain.push(' '),
                }
            }
            for w in plain.split(|c: char| !c.is_ascii_alphabetic()) {
                if w.len() >= 2 {
                    words.insert(w.to_lowercase());
                }
            }
        }
    }
    words
}

/// The text a reader sees on a page: the text between tags, and the attributes a browser shows
/// (tooltips, placeholders, labels read aloud), with the entities askama writes decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open..open + close];
        for attr in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\""] {
            if let Some(at) = tag.find(attr) {
                let value = &tag[at + attr.len()..];
                out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                out.push(' ');
            }
        }
        rest = &rest[open + close + 1..];
        // Scripts and styles are not read.
        for skip in ["script", "style"] {
            if tag.starts_with(&format!("<{skip}"))
                && let Some(end) = rest.find(&format!("</{skip}>"))
            {
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    out.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The internal links of a page that a GET may follow (not exports, not the API).
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let link = part[..part.find('"').unwrap_or(0)].replace("&amp;", "&");
        if link.starts_with('/')
            && !link.starts_with("//")
            && !link.starts_with("/static/")
            && !link.starts_with("/api/")
            && !link.contains(".csv")
            && !link.contains(".xlsx")
        {
            found.push(link);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russian_pages_show_no_word_of_the_english_catalogue() {
    // Words that are the same in both languages: names of products and abbreviations.
    const SHARED: [&str; 10] = [
        "clientele",
        "iana",
        "sms",
        "rfm",
        "abc",
        "csv",
        "xlsx",
        "nps",
        "clv",
        "excel",
    ];
    let english = english_words();
    assert!(
        english.contains("customers") && english.contains("id"),
        "{english:?}"
    );
    let english = &english;
    on_both(|app| async move {
        let f = app.fixture().await;
        // A birthday today, a holiday tomorrow and a consent from the demo's form, so the
        // dates page and the card show the words the product writes for them.
        let today = today();
        let tomorrow = today.plus_days(1);
        for (label, d) in [("birthday", today), ("New Year", tomorrow)] {
            let (_, m, dd) = d.ymd();
            app.store
                .add_personal_date(
                    f.alice,
                    &PersonalDateRecord {
                        label: label.into(),
                        rule: DateRule::Yearly {
                            month: m,
                            day: dd,
                            since: None,
                        },
                    },
                )
                .await
                .unwrap();
        }
        app.store
            .record_consent(
                f.alice,
                &clientele_store::ConsentRecord {
                    channel: Channel::Email,
                    granted: true,
                    day: day(2024, 1, 5),
                    source: "demo: sign-up form".into(),
                },
            )
            .await
            .unwrap();
        // Names and ids of the fixture are the user's words, not ours.
        let data: Vec<String> = ["alice", "boris", "vera", "gleb", "script", "alert"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut b = Browser::new(&app);
        b.language = Some("ru");
        b.login("ada", "/").await;
        let mut queue: Vec<String> = vec![
            "/".into(),
            "/no/such/page".into(),
            format!("/customers/{}", f.gleb + 1000),
            "/customers/abc".into(),
        ];
        let mut seen = std::collections::BTreeSet::new();
        let mut leaks = Vec::new();
        while let Some(path) = queue.pop() {
            // Pages of a list differ only in their rows: one page of each is enough.
            let key = path.split("page=").next().unwrap_or(&path).to_string();
            if !seen.insert(key) || seen.len() > 60 {
                continue;
            }
            let page = b.get(&path).await;
            assert!(
                page.content_type.starts_with("text/html"),
                "{path}: {} {}",
                page.content_type,
                page.body
            );
            assert!(
                page.body.contains("<nav id=\"main-nav\""),
                "{path} is in the frame"
            );
            assert_clean(&page);
            // A command in «» quotes is typed as it is: not a word of the page.
            let text = visible_text(&page.body);
            let mut words_of_page = String::new();
            for (i, part) in text.split(['«', '»']).enumerate() {
                if i % 2 == 0 {
                    words_of_page.push_str(part);
                    words_of_page.push(' ');
                }
            }
            for word in words_of_page
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 2)
            {
                let w = word.to_lowercase();
                if english.contains(&w) && !SHARED.contains(&w.as_str()) && !data.contains(&w) {
                    leaks.push(format!("{path}: {word}"));
                }
            }
            queue.extend(links(&page.body).into_iter().filter(|l| l != "/logout"));
        }
        assert!(seen.len() >= 12, "crawled {seen:?}");
        assert!(leaks.is_empty(), "English on Russian pages: {leaks:?}");
        let bad = b.get("/customers?status=gone").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("Статус: «gone» — не из списка: Покупает, Затихает, Не покупает."),
            "{}",
            bad.body
        );
        let dates = b.get("/dates").await.body;
        assert!(
            dates.contains(">сегодня<") && dates.contains(">завтра<"),
            "{dates}"
        );
        assert!(
            dates.contains("День рождения") && dates.contains("Новый год"),
            "{dates}"
        );
        let card = b.get(&format!("/customers/{}", f.alice)).await.body;
        assert!(card.contains("анкета при регистрации (демо)"), "{card}");
        // Vera's sub-group lost money (−20): "loss-making"; none other is called so.
        let overview = b.get("/").await.body;
        assert_eq!(overview.matches("Убыточные").count(), 1, "{overview}");
        app
    })
    .await;
}
