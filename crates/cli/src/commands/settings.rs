//! `clientele settings currency [CODE|auto]`: the currency of the whole database
//! (`clientele_app::currency`), shown or set, with how it was chosen.

use anyhow::Result;
use clientele_app::currency::{describe, resolve, set};
use clientele_app::database::open_store;

use crate::args::settings::SettingsCommand;
use crate::runtime::runtime;

pub fn run(command: SettingsCommand) -> Result<()> {
    match command {
        SettingsCommand::Currency(args) => runtime()?.block_on(async {
            let store = open_store(&args.db.url()).await?;
            let choice = match &args.code {
                Some(code) => set(&store, code).await,
                None => resolve(&store).await,
            };
            store.close().await;
            outln!("{}", describe(&choice?));
            Ok(())
        }),
    }
}
