//! Commands over the store: `score`, `transitions`, `backup`, `users add` and `users passwd`.
//! The steps `clientele demo` repeats (scoring, adding a user, setting a password) are async
//! functions over an open store that both call.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use clientele_core::{Analysis, Day, Rung, analyze_columns};
use clientele_store::{NewUser, Role, Store, StoreError, Transitions};

use crate::analyze::{load_rules, parse_user_date};
use crate::args::AnalyzeModel;
use crate::import::{DbArgs, open, runtime};
use crate::models::forecast::{ForecastSettings, ModelOutcome, fit_and_forecast};
use crate::report::group_digits;

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Score the state on this day (YYYY-MM-DD or DD.MM.YYYY). Default: the last order day.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Ladder rules (TOML); `clientele rules` prints the defaults.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// The customer-base model behind P(alive), expected purchases and CLV (as for `analyze`).
    #[arg(long, value_enum, default_value_t = AnalyzeModel::Mbgnbd)]
    pub model: AnalyzeModel,
    /// Forecast horizon in days for expected purchases and CLV.
    #[arg(long, default_value_t = 365)]
    pub horizon: u32,
    /// Annual discount rate for CLV.
    #[arg(long, default_value_t = 0.1)]
    pub discount_rate: f64,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct TransitionsArgs {
    /// Earlier snapshot day. Default: the second-latest snapshot.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Later snapshot day. Default: the latest snapshot.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to create (must not exist).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user and print a new API token (shown once) as the last line.
    Add(UsersAddArgs),
    /// Set a user's password for browser sign-in, read from standard input.
    Passwd(PasswdArgs),
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// The user whose password to set.
    pub name: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct UsersAddArgs {
    pub name: String,
    /// admin, analyst or manager.
    #[arg(long)]
    pub role: String,
    #[command(flatten)]
    pub db: DbArgs,
}

/// How `score` places customers: the rules and the model step (shared by `clientele demo`).
pub struct ScoreSettings {
    pub rules: clientele_core::LadderRules,
    pub forecast: ForecastSettings,
}

impl ScoreSettings {
    pub fn from_args(args: &ScoreArgs) -> Result<ScoreSettings> {
        Ok(ScoreSettings {
            rules: load_rules(args.rules.as_deref())?,
            forecast: ForecastSettings {
                kind: args.model.transaction_kind(),
                horizon_days: f64::from(args.horizon),
                annual_discount_rate: args.discount_rate,
            },
        })
    }
}

/// A snapshot just written.
pub struct Scored {
    pub as_of: Day,
    pub customers: u64,
    pub analysis: Analysis,
}

/// Scores every customer of the store as of `as_of` (default: the last order day) and writes the
/// snapshot; notes about the model go to standard error.
pub async fn score_store(
    store: &Store,
    as_of: Option<Day>,
    settings: &ScoreSettings,
) -> Result<Scored> {
    let as_of = match as_of {
        Some(d) => d,
        None => store
            .last_order_day()
            .await?
            .ok_or_else(|| anyhow!("the store has no orders yet: run `clientele import` first"))?,
    };
    let summaries = store
        .summaries(as_of)
        .await
        .context("summarising in the database")?;
    let profiles = store.profiles(as_of).await?;
    let (forecasts, model) = fit_and_forecast(&summaries.customers, as_of, settings.forecast);
    match &model {
        ModelOutcome::Refused { kind, reason } => {
            eprintln!(
                "note: {} not fitted ({reason}); statuses use rhythms and day limits",
                kind.cli_name()
            );
        }
        ModelOutcome::Fitted { kind, report, .. } if !report.converged => {
            eprintln!(
                "note: {} did not converge: {}",
                kind.cli_name(),
                report
                    .convergence_note
                    .as_deref()
                    .unwrap_or("no reason given")
            );
        }
        _ => {}
    }
    let summaries = summaries
        .customers
        .into_iter()
        .map(|(id, summary)| (id, Some(summary)))
        .collect();
    let analysis = analyze_columns(summaries, forecasts, profiles, &settings.rules, as_of);
    let customers = store
        .write_snapshot(&analysis)
        .await
        .context("writing the snapshot")?;
    Ok(Scored {
        as_of,
        customers,
        analysis,
    })
}

pub fn score(args: ScoreArgs) -> Result<()> {
    let settings = ScoreSettings::from_args(&args)?;
    let as_of = args.as_of.as_deref().map(parse_user_date).transpose()?;
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let scored = score_store(&store, as_of, &settings).await?;
        println!(
            "snapshot {}: {} customers",
            scored.as_of,
            group_digits(scored.customers as i64)
        );
        for row in &scored.analysis.ladder {
            println!(
                "  {:<9} {:>10} customers  {:>16} revenue",
                row.rung.as_str(),
                group_digits(row.total.customers as i64),
                row.total.revenue.to_string()
            );
        }
        store.close().await;
        Ok(())
    })
}

pub fn transitions(args: TransitionsArgs) -> Result<()> {
    let from = args.from.as_deref().map(parse_user_date).transpose()?;
    let to = args.to.as_deref().map(parse_user_date).transpose()?;
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let days = store.snapshot_days().await?;
        let to = match to.or_else(|| days.last().copied()) {
            Some(d) => d,
            None => bail!("no snapshots yet: run `clientele score` (on two or more days)"),
        };
        let from = match from.or_else(|| days.iter().rev().find(|&&d| d < to).copied()) {
            Some(d) => d,
            None => bail!("only one snapshot ({to}); score another day or pass --from DATE"),
        };
        let t = match store.transitions(from, to).await {
            Ok(t) => t,
            Err(StoreError::NotFound { key, .. }) => {
                let known: Vec<String> = days.iter().map(|d| d.to_string()).collect();
                bail!(
                    "no snapshot on {key}; snapshots exist on: {}",
                    known.join(", ")
                )
            }
            Err(e) => return Err(e.into()),
        };
        print_transitions(&t);
        let churn = store.churn_by_rung().await?;
        println!("\nchurn per rung over all consecutive snapshots:");
        for c in churn.iter().filter(|c| c.at_risk > 0) {
            println!(
                "  {:<9} {:>6.1}%  ({} of {} lost per {:.0}-day period)",
                c.rung.as_str(),
                c.rate.unwrap_or(0.0) * 100.0,
                c.lost,
                c.at_risk,
                c.mean_period_days.unwrap_or(0.0)
            );
        }
        store.close().await;
        Ok(())
    })
}

fn rung_name(r: Option<Rung>, none: &'static str) -> &'static str {
    r.map_or(none, Rung::as_str)
}

fn print_transitions(t: &Transitions) {
    println!("ladder transitions {} → {}", t.from, t.to);
    println!(
        "  up {}  down {}  out (lost) {}  back (returners) {}  same {}  new {}",
        t.up, t.down, t.out, t.back, t.same, t.new
    );
    println!(
        "  {:<9} → {:<9} {:>10} {:>16} {:>16}",
        "from", "to", "customers", "revenue", "in period"
    );
    for c in &t.matrix {
        println!(
            "  {:<9} → {:<9} {:>10} {:>16} {:>16}",
            rung_name(c.from, "(new)"),
            rung_name(c.to, "(gone)"),
            group_digits(c.customers as i64),
            c.revenue.to_string(),
            c.period_revenue.to_string()
        );
    }
}

pub fn backup(args: BackupArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        store
            .backup_to(&args.file)
            .await
            .with_context(|| format!("backing up to {}", args.file.display()))?;
        store.close().await;
        eprintln!("backup written to {}", args.file.display());
        Ok(())
    })
}

/// Creates a user and records it in the audit log; the new API token is in the answer.
pub async fn add_user(store: &Store, name: &str, role: Role) -> Result<NewUser> {
    let new = store
        .add_user(name, role)
        .await
        .with_context(|| format!("adding user '{name}'"))?;
    store
        .audit(
            "cli",
            "user added",
            None,
            &format!("{} ({})", new.user.name, role.as_str()),
        )
        .await?;
    Ok(new)
}

/// Sets the browser sign-in password of the user called `name`.
pub async fn set_password(store: &Store, name: &str, password: &str) -> Result<()> {
    let user = store
        .user_by_name(name)
        .await
        .with_context(|| format!("finding user '{name}'"))?;
    store
        .set_password(user.id, password)
        .await
        .with_context(|| format!("setting the password of '{name}'"))
}

pub fn users(command: UsersCommand) -> Result<()> {
    match command {
        UsersCommand::Add(args) => {
            let role = Role::parse(&args.role).ok_or_else(|| {
                anyhow!("--role {}: expected admin, analyst or manager", args.role)
            })?;
            runtime()?.block_on(async {
                let store = open(&args.db).await?;
                let new = add_user(&store, &args.name, role).await?;
                store.close().await;
                println!(
                    "user '{}' ({}) created; API token (shown once, keep it safe):",
                    new.user.name,
                    role.as_str()
                );
                println!("{}", new.token);
                Ok(())
            })
        }
        UsersCommand::Passwd(args) => passwd(args),
    }
}

/// `clientele users passwd NAME`: the password comes from standard input, never from the command
/// line, where it would stay in the shell history and the process list.
pub fn passwd(args: PasswdArgs) -> Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!("no password on standard input (e.g. `clientele users passwd NAME < file`)");
    }
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        set_password(&store, &args.name, password).await?;
        store.close().await;
        eprintln!("password set for {}", args.name);
        Ok(())
    })
}
