//! The demo company (`clientele demo`): a database of a generated company, imported, with
//! dossiers, scored and with a user to sign in as. Serving it is the caller's.
//!
//! The steps are the ones a real company goes through, through the same use cases: the generated
//! files are imported as by `clientele import`, scored as by `clientele score` (twice, a month
//! apart, so the flows between rungs have something to show) and a user is added as by
//! `clientele users add`. Only the dossier (contacts, preferred channel, consents, favourite
//! holidays, notes) has no use case of its own: it is written through the store's API.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clientele_core::Day;
use clientele_ingest::pipeline::{ImportOptions, Reject};
use clientele_ingest::values::normalize_phone;
use clientele_models::TransactionKind;
use clientele_store::{
    Channel, ConsentRecord, DateRule, NewCustomer, PersonalDateRecord, Role, Store,
};
use clientele_synth::{ContactChannel, Holiday, SynthConfig, dossier};
use rand::Rng;

use crate::database::redact;
use crate::forecast::ForecastSettings;
use crate::generate::generate_files;
use crate::import::{ImportEvent, ImportSettings, import_files};
use crate::score::{ScoreSettings, Scored, score_store};
use crate::users::{add_user, set_password};

/// The demo user's name; it is an admin so every page and action can be tried.
pub const DEMO_USER: &str = "demo";

/// The observed window: two years, as the synth's default company.
const DEMO_YEARS_DAYS: i32 = 730;

/// Days between the two snapshots: the flows page shows the moves of this last month.
const SNAPSHOT_GAP_DAYS: i32 = 30;

/// Which demo to build, and where.
#[derive(Clone, Debug)]
pub struct DemoSettings {
    /// The demo database: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// Replace a demo database that already has data (SQLite: the file is deleted first).
    pub force: bool,
    /// Customers who buy (a fifth as many prospects and visitors come on top).
    pub customers: u64,
    /// The same seed gives the same people and purchase histories.
    pub seed: u64,
    /// Where to keep the generated files (default: a temporary directory, removed afterwards).
    pub out: Option<PathBuf>,
}

/// What building the demo tells its caller as it goes.
#[derive(Debug)]
pub enum DemoEvent<'a> {
    /// The SQLite file that had data was deleted (`force`).
    Replaced { path: &'a Path },
    /// The company's files are written.
    Generated { company: &'a SynthConfig },
    /// A step of the import.
    Import(ImportEvent<'a>),
    /// The import is done; these rows were rejected (the generator writes dirty rows on purpose).
    Imported { rejects: &'a [Reject] },
    /// The temporary directory of the files could not be removed.
    NotRemoved {
        dir: &'a Path,
        error: &'a std::io::Error,
    },
    /// The dossiers are written.
    Dossiers { counts: DossierCounts, seconds: f64 },
    /// The two snapshots are scored.
    Scored {
        earlier: &'a Scored,
        latest: &'a Scored,
    },
}

/// The demo database, open, with the demo user's password (fresh on every run).
#[derive(Debug)]
pub struct DemoDatabase {
    pub store: Store,
    pub user: &'static str,
    pub password: String,
}

/// The demo's company: two years that end the day before `today`, so the dashboard's snapshot,
/// "Today" and the upcoming dates read as current. It acquires customers over the whole window,
/// up to yesterday, as a living company does (acquiring only in the first year left the last
/// snapshot with no new customer and half the buyers looking lost). The seed decides the
/// people; the window moves with the calendar.
pub fn company(settings: &DemoSettings, today: Day) -> Result<SynthConfig> {
    let end = today.plus_days(-1);
    let cfg = SynthConfig {
        start: end.plus_days(-DEMO_YEARS_DAYS),
        acquisition_days: DEMO_YEARS_DAYS as u32 + 1,
        end,
        ..SynthConfig::new(settings.customers, settings.seed)
    };
    cfg.validate().map_err(|e| anyhow!("{e}"))?;
    Ok(cfg)
}

/// Builds the demo database of `company`: refuses (or, with `force`, replaces) a database with
/// data, generates and imports the files, writes the dossiers, scores two snapshots and adds the
/// demo user.
pub async fn build(
    settings: &DemoSettings,
    company: &SynthConfig,
    on_event: &mut (dyn FnMut(DemoEvent<'_>) + Send),
) -> Result<DemoDatabase> {
    let url = &settings.database_url;
    prepare_database(url, settings.force, on_event).await?;
    let (dir, temporary) = match &settings.out {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("clientele-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let store = Store::connect(url)
        .await
        .with_context(|| format!("opening the demo database {}", redact(url)))?;
    let imported = generate_and_import(&store, company, &dir, on_event).await;
    // The temporary files go whether or not the import worked.
    if temporary && let Err(error) = std::fs::remove_dir_all(&dir) {
        on_event(DemoEvent::NotRemoved {
            dir: &dir,
            error: &error,
        });
    }
    let contacts = imported?;

    let dossier_started = Instant::now();
    let counts = write_dossiers(&store, company, &contacts).await?;
    on_event(DemoEvent::Dossiers {
        counts,
        seconds: dossier_started.elapsed().as_secs_f64(),
    });
    let (earlier, latest) = score_twice(&store).await?;
    on_event(DemoEvent::Scored {
        earlier: &earlier,
        latest: &latest,
    });
    let password = random_password();
    add_user(&store, "cli", DEMO_USER, Role::Admin).await?;
    set_password(&store, DEMO_USER, &password).await?;
    Ok(DemoDatabase {
        store,
        user: DEMO_USER,
        password,
    })
}

/// Writes the company's files into `dir` and imports them as `clientele import` does; returns the
/// people's contacts from the customers file, in person order.
async fn generate_and_import(
    store: &Store,
    company: &SynthConfig,
    dir: &Path,
    on_event: &mut (dyn FnMut(DemoEvent<'_>) + Send),
) -> Result<Vec<PersonContacts>> {
    let orders = dir.join("orders.csv");
    let customers = dir.join("customers.csv");
    {
        let (company, orders, customers) = (company.clone(), orders.clone(), customers.clone());
        tokio::task::spawn_blocking(move || {
            generate_files(&company, &orders, Some(&customers), None)
        })
        .await
        .map_err(|e| anyhow!("generating the demo files failed: {e}"))??;
    }
    on_event(DemoEvent::Generated { company });
    let settings = ImportSettings {
        orders: vec![orders],
        customers: Some(customers.clone()),
        options: ImportOptions::default(),
    };
    let rejects = import_files(store, &settings, &mut |e| on_event(DemoEvent::Import(e))).await?;
    on_event(DemoEvent::Imported { rejects: &rejects });
    read_contacts(&customers)
}

/// Refuses a database that already has data unless `force`; with `force`, a SQLite file is
/// deleted (with its WAL files). A PostgreSQL database is never emptied by the demo: dropping a
/// team's tables is not something a demo command should be able to do.
async fn prepare_database(
    url: &str,
    force: bool,
    on_event: &mut (dyn FnMut(DemoEvent<'_>) + Send),
) -> Result<()> {
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
            on_event(DemoEvent::Replaced { path });
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

/// What the demo wrote into the dossiers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DossierCounts {
    pub contacts: u64,
    pub consents: u64,
    pub dates: u64,
    pub notes: u64,
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
    let end = store
        .last_order_day()
        .await?
        .ok_or_else(|| anyhow!("the demo import wrote no orders"))?;
    let on = |as_of| ScoreSettings {
        as_of: Some(as_of),
        rules: clientele_core::LadderRules::default(),
        forecast: ForecastSettings {
            kind: Some(TransactionKind::MbgNbd),
            horizon_days: 365.0,
            annual_discount_rate: 0.1,
        },
    };
    let earlier = score_store(store, &on(end.plus_days(-SNAPSHOT_GAP_DAYS)), &|_| {}).await?;
    let latest = score_store(store, &on(end), &|_| {}).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_company_acquires_customers_up_to_yesterday() {
        let settings = DemoSettings {
            database_url: "sqlite://unused.db".into(),
            force: false,
            customers: 100,
            seed: 1,
            out: None,
        };
        let today = Day::from_ymd(2026, 12, 7).unwrap();
        let cfg = company(&settings, today).unwrap();
        let yesterday = Day::from_ymd(2026, 12, 6).unwrap();
        assert_eq!(cfg.end, yesterday);
        // The last day a first purchase can fall on is the window's last day.
        let last_acquisition = cfg.start.plus_days(cfg.acquisition_days as i32 - 1);
        assert_eq!(last_acquisition, yesterday);
        assert_eq!(cfg.start, Day::from_ymd(2024, 12, 6).unwrap());
    }
}
