//! `clientele demo`: the demo company's database built (by `clientele_app::demo`), its steps told
//! on standard error, and the dashboard served over it as by `clientele serve`.

use std::time::Instant;

use anyhow::{Context, Result};
use clientele_app::clock::today;
use clientele_app::database::redact;
use clientele_app::demo::{DemoEvent, build, company};

use super::import::print_event;
use super::score::print_model_note;
use super::serve::{init_logging, print_dashboard_address, serve_until_ctrl_c};
use crate::args::demo::DemoArgs;
use crate::report::group_digits;
use crate::runtime::server_runtime;

pub fn run(args: DemoArgs) -> Result<()> {
    let started = Instant::now();
    let settings = args.settings();
    let cfg = company(&settings, today())?;
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
    rt.block_on(async {
        let demo = build(&settings, &cfg, &mut print_demo_event).await?;
        let (store, password) = (demo.store, demo.password);
        eprintln!(
            "Demo database ready in {:.1} s: {}",
            started.elapsed().as_secs_f64(),
            redact(&args.db)
        );
        if args.no_serve {
            outln!("Login: {} / {password}", demo.user);
            eprintln!("Serve it with: clientele serve --db {}", redact(&args.db));
            store.close().await;
            return Ok(());
        }
        init_logging();
        let server_settings = clientele_server::Settings {
            listen: args.listen,
            database_url: args.db.clone(),
            ..clientele_server::Settings::default()
        };
        let server = clientele_server::build_with_store(store, server_settings)
            .await
            .context("starting the server")?;
        print_dashboard_address(&server);
        outln!("Login: {} / {password}", demo.user);
        serve_until_ctrl_c(server).await
    })
}

/// The line of a step of the demo, on standard error.
fn print_demo_event(event: DemoEvent<'_>) {
    match event {
        DemoEvent::Replaced { path } => {
            eprintln!("Replaced the demo database {}.", path.display());
        }
        DemoEvent::Generated { company } => eprintln!(
            "Generated a company of {} buyers and {} prospects, {} to {}.",
            group_digits(company.customers as i64),
            group_digits(company.prospects as i64),
            company.start,
            company.end
        ),
        DemoEvent::Import(event) => print_event(event),
        DemoEvent::Imported { rejects } => {
            if let Some(first) = rejects.first() {
                // The generator writes these rows on purpose, to show how bad input is told.
                eprintln!(
                    "{} deliberately dirty row(s) set aside, as a real import would (the demo's \
                     files carry them on purpose); the first: line {}, column '{}': {}",
                    rejects.len(),
                    first.row.line,
                    first.column,
                    first.reason
                );
            }
        }
        DemoEvent::NotRemoved { dir, error } => {
            eprintln!("note: could not remove {}: {error}", dir.display());
        }
        DemoEvent::Dossiers { counts, seconds } => eprintln!(
            "Dossiers: {} contacts, {} consents, {} personal dates, {} notes ({seconds:.1} s).",
            group_digits(counts.contacts as i64),
            group_digits(counts.consents as i64),
            group_digits(counts.dates as i64),
            group_digits(counts.notes as i64),
        ),
        DemoEvent::Scored { earlier, latest } => {
            print_model_note(&earlier.model);
            print_model_note(&latest.model);
            eprintln!(
                "Scored {} customers as of {} and {} as of {}.",
                group_digits(earlier.customers as i64),
                earlier.as_of,
                group_digits(latest.customers as i64),
                latest.as_of
            );
        }
    }
}
