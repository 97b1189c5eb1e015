//! `clientele demo`: a demo database of a generated company, scored and served.
//!
//! The steps are the ones a real company goes through, through the same code: the generated
//! files are imported by `clientele import`, scored by `clientele score` (twice, a month apart,
//! so the flows between rungs have something to show), a user is added as by `clientele users
//! add` and the dashboard is served as by `clientele serve`. Only the dossier (contacts,
//! preferred channel, consents, favourite holidays, notes) has no command of its own: it is
//! written through the store's API.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clientele_ingest::values::normalize_phone;
use clientele_store::{
    Channel, ConsentRecord, DateRule, NewCustomer, PersonalDateRecord, Role, Store,
};
use clientele_synth::{ContactChannel, Holiday, SynthConfig, dossier};
use rand::Rng;

use crate::args::{AnalyzeModel, DemoArgs};
use crate::db::{ScoreSettings, Scored, add_user, score_store, set_password};
use crate::import::{DbArgs, ImportArgs, redact};
use crate::models::forecast::ForecastSettings;
use crate::report::group_digits;
use crate::serve::{init_logging, print_dashboard_address, serve_until_ctrl_c, server_runtime};

/// The demo user's name; it is an admin so every page and action can be tried.
pub const DEMO_USER: &str = "demo";

/// The observed window: two years, as the synth's default company.
const DEMO_YEARS_DAYS: i32 = 730;

/// Days between the two snapshots: the flows page shows the moves of this last month.
const SNAPSHOT_GAP_DAYS: i32 = 30;

pub fn run(args: DemoArgs) -> Result<()> {
    let started = Instant::now();
    // The company's two years end yesterday, so the dashboard's snapshot, "Today" and the
    // upcoming dates read as current. The seed decides the people; the window moves with the
    // calendar.
    let end = crate::import::today().plus_days(-1);
    let cfg = SynthConfig {
        start: end.plus_days(-DEMO_YEARS_DAYS),
        end,
        ..SynthConfig::new(args.customers, args.seed)
    };
    cfg.validate().map_err(|e| anyhow!("{e}"))?;
    if !args.no_serve {
        // Found out now rather than after building the database, which a second run would
        // then refuse to overwrite.
        std::net::TcpListener::bind(args.listen).with_context(|| {
            format!(
                "cannot listen on {}: pass --listen ADDR (127.0.0.1:0 picks a free port)",
                args.listen
            )
        })?;
    }
    let rt = server_runtime()?;
    rt.block_on(prepare_database(&args.db, args.force))?;

    let (dir, temporary) = match &args.out {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("clientele-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let imported = generate_and_import(&cfg, &dir, &args.db);
    // The temporary files go whether or not the import worked.
    if temporary && let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("note: could not remove {}: {e}", dir.display());
    }
    let contacts = imported?;

    rt.block_on(async {
        let store = Store::connect(&args.db)
            .await
            .with_context(|| format!("opening the demo database {}", redact(&args.db)))?;
        let dossier_started = Instant::now();
        let written = write_dossiers(&store, &cfg, &contacts).await?;
        eprintln!(
            "Dossiers: {} contacts, {} consents, {} personal dates, {} notes ({:.1} s).",
            group_digits(written.contacts as i64),
            group_digits(written.consents as i64),
            group_digits(written.dates as i64),
            group_digits(written.notes as i64),
            dossier_started.elapsed().as_secs_f64()
        );
        let (earlier, latest) = score_twice(&store).await?;
        eprintln!(
            "Scored {} customers as of {} and {} as of {}.",
            group_digits(earlier.customers as i64),
            earlier.as_of,
            group_digits(latest.customers as i64),
            latest.as_of
        );
        let password = random_password();
        add_user(&store, DEMO_USER, Role::Admin).await?;
        set_password(&store, DEMO_USER, &password).await?;
        eprintln!(
            "Demo database ready in {:.1} s: {}",
            started.elapsed().as_secs_f64(),
            redact(&args.db)
        );
        if args.no_serve {
            println!("Login: {DEMO_USER} / {password}");
            eprintln!("Serve it with: clientele serve --db {}", redact(&args.db));
            store.close().await;
            return Ok(());
        }
        init_logging();
        let settings = clientele_server::Settings {
            listen: args.listen,
            database_url: args.db.clone(),
            ..clientele_server::Settings::default()
        };
        let server = clientele_server::build_with_store(store, settings)
            .await
            .context("starting the server")?;
        print_dashboard_address(&server);
        println!("Login: {DEMO_USER} / {password}");
        serve_until_ctrl_c(server).await
    })
}

/// Writes the company's files into `dir` and imports them with `clientele import`'s code;
/// returns the people's contacts from the customers file, in person order.
fn generate_and_import(cfg: &SynthConfig, dir: &Path, db: &str) -> Result<Vec<PersonContacts>> {
    let orders = dir.join("orders.csv");
    let customers = dir.join("customers.csv");
    crate::generate::generate_files(cfg, &orders, Some(&customers), None)?;
    eprintln!(
        "Generated a company of {} buyers and {} prospects, {} to {}.",
        group_digits(cfg.customers as i64),
        group_digits(cfg.prospects as i64),
        cfg.start,
        cfg.end
    );
    // `import` runs its own runtime: call it outside ours.
    crate::import::run(ImportArgs {
        orders: vec![orders],
        customers: Some(customers.clone()),
        db: DbArgs {
            db: Some(db.to_string()),
        },
        map: Vec::new(),
        date_format: None,
        decimal: None,
        strict: false,
        rejects: None,
    })?;
    read_contacts(&customers)
}

/// Refuses a database that already has data unless `force`; with `force`, a SQLite file is
/// deleted (with its WAL files). A PostgreSQL database is never emptied by the demo: dropping a
/// team's tables is not something a demo command should be able to do.
async fn prepare_database(url: &str, force: bool) -> Result<()> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("opening the demo database {}", redact(url)))?;
    let mut rows = 0;
    for table in ["customers", "order_lines", "users"] {
        rows += store.count(table).await?;
    }
    store.close().await;
    if rows == 0 {
        return Ok(());
    }
    let path = sqlite_path(url);
    match (force, path) {
        (false, _) => bail!(
            "{} already has data; pass --force to replace it, or --db URL for another database",
            redact(url)
        ),
        (true, None) => bail!(
            "{} already has data; the demo only replaces SQLite files: drop and create the \
             PostgreSQL database yourself, or pass --db sqlite://PATH",
            redact(url)
        ),
        (true, Some(path)) => {
            for suffix in ["", "-wal", "-shm"] {
                let file = PathBuf::from(format!("{}{suffix}", path.display()));
                match std::fs::remove_file(&file) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e).with_context(|| format!("removing {}", file.display()));
                    }
                }
            }
            eprintln!("Replaced the demo database {}.", path.display());
            Ok(())
        }
    }
}

fn sqlite_path(url: &str) -> Option<&Path> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(Path::new)
}

/// The contacts columns of the generated customers file, one entry per person in file order
/// (which is the synth's person index).
struct PersonContacts {
    external_id: String,
    phone: Option<String>,
    image_client: bool,
}

fn read_contacts(path: &Path) -> Result<Vec<PersonContacts>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading {}", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("{}: no '{name}' column", path.display()))
    };
    let (id, phone, image) = (
        column("customer_id")?,
        column("phone")?,
        column("image_client")?,
    );
    let present = |s: &str| (!s.is_empty()).then(|| s.to_string());
    reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            let record = record.with_context(|| format!("{}, row {}", path.display(), i + 2))?;
            Ok(PersonContacts {
                external_id: record[id].to_string(),
                phone: present(&record[phone]),
                image_client: &record[image] == "1",
            })
        })
        .collect()
}

#[derive(Default)]
struct DossierCounts {
    contacts: u64,
    consents: u64,
    dates: u64,
    notes: u64,
}

fn store_channel(c: ContactChannel) -> Channel {
    match c {
        ContactChannel::Email => Channel::Email,
        ContactChannel::Phone => Channel::Phone,
        ContactChannel::Sms => Channel::Sms,
        ContactChannel::Messenger => Channel::Messenger,
    }
}

/// The store's recurrence rule of a holiday.
fn holiday_rule(h: Holiday) -> DateRule {
    let yearly = |month, day| DateRule::Yearly {
        month,
        day,
        since: None,
    };
    match h {
        Holiday::NewYear => yearly(1, 1),
        Holiday::OrthodoxChristmas => yearly(1, 7),
        Holiday::DefenderOfTheFatherlandDay => yearly(2, 23),
        Holiday::InternationalWomensDay => yearly(3, 8),
        Holiday::OrthodoxEaster => DateRule::OrthodoxEaster { offset_days: 0 },
        Holiday::Easter => DateRule::Easter { offset_days: 0 },
        Holiday::MothersDay => DateRule::NthWeekday {
            month: 5,
            weekday: 7,
            nth: 2,
        },
        Holiday::MothersDayRussia => DateRule::NthWeekday {
            month: 11,
            weekday: 7,
            nth: -1,
        },
        Holiday::Christmas => yearly(12, 25),
    }
}

/// Writes each person's contacts and dossier; the customers are already in the store (the
/// import created them from the customers file).
async fn write_dossiers(
    store: &Store,
    cfg: &SynthConfig,
    people: &[PersonContacts],
) -> Result<DossierCounts> {
    let expected = cfg.customers + cfg.prospects;
    if people.len() as u64 != expected {
        bail!(
            "the generated customers file has {} people, expected {expected}",
            people.len()
        );
    }
    let mut counts = DossierCounts::default();
    for (index, person) in people.iter().enumerate() {
        let what = || format!("demo dossier of customer '{}'", person.external_id);
        let id = store
            .customer_id(&person.external_id)
            .await
            .with_context(what)?;
        let d = dossier(cfg, index as u64);
        let messenger = d.preferred_channel == Some(ContactChannel::Messenger)
            || d.consents
                .iter()
                .any(|c| c.channel == ContactChannel::Messenger);
        // The import stored the file's e-mail and phone already (normalised); the messenger
        // account is the same normalised number.
        let mut contacts: Vec<(Channel, String)> = Vec::new();
        if let Some(phone) = person.phone.as_deref().and_then(normalize_phone)
            && messenger
        {
            contacts.push((Channel::Messenger, phone));
        }
        for (channel, value) in contacts {
            store
                .add_contact(id, channel, &value)
                .await
                .with_context(what)?;
            counts.contacts += 1;
        }
        if let Some(channel) = d.preferred_channel {
            // The upsert rewrites the kind and the image-client flag: pass the file's values;
            // `None` keeps the name and manager the import stored.
            store
                .upsert_customer(&NewCustomer {
                    external_id: person.external_id.clone(),
                    preferred_channel: Some(store_channel(channel)),
                    image_client: person.image_client,
                    ..NewCustomer::default()
                })
                .await
                .with_context(what)?;
        }
        for consent in &d.consents {
            store
                .record_consent(
                    id,
                    &ConsentRecord {
                        channel: store_channel(consent.channel),
                        granted: consent.granted,
                        day: consent.day,
                        source: "demo: sign-up form".into(),
                    },
                )
                .await
                .with_context(what)?;
            counts.consents += 1;
        }
        for holiday in &d.holidays {
            store
                .add_personal_date(
                    id,
                    &PersonalDateRecord {
                        label: holiday.label().into(),
                        rule: holiday_rule(*holiday),
                    },
                )
                .await
                .with_context(what)?;
            counts.dates += 1;
        }
        for note in &d.notes {
            store
                .add_note(id, note.author, None, note.text)
                .await
                .with_context(what)?;
            counts.notes += 1;
        }
    }
    Ok(counts)
}

/// Scores a month before the last order day and on it, with the default rules and model, so
/// P(alive) is in the snapshots and the transitions between them are not empty.
async fn score_twice(store: &Store) -> Result<(Scored, Scored)> {
    let settings = ScoreSettings {
        rules: clientele_core::LadderRules::default(),
        forecast: ForecastSettings {
            kind: AnalyzeModel::Mbgnbd.transaction_kind(),
            horizon_days: 365.0,
            annual_discount_rate: 0.1,
        },
    };
    let end = store
        .last_order_day()
        .await?
        .ok_or_else(|| anyhow!("the demo import wrote no orders"))?;
    let earlier = score_store(store, Some(end.plus_days(-SNAPSHOT_GAP_DAYS)), &settings).await?;
    let latest = score_store(store, Some(end), &settings).await?;
    Ok((earlier, latest))
}

/// 16 letters and digits (about 95 bits), fresh on every run.
fn random_password() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}
