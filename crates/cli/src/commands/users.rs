//! `clientele users add|passwd` and `clientele backup`: the store's people and its copy.

use std::io::Read;

use anyhow::{Context, Result, anyhow, bail};
use clientele_app::database::{backup, open_store};
use clientele_app::users::{add_user, set_password};
use clientele_store::Role;

use crate::args::store::{BackupArgs, PasswdArgs, UsersCommand};
use crate::runtime::runtime;

/// Who the audit log says did what the command line does.
const ACTOR: &str = "cli";

pub fn users(command: UsersCommand) -> Result<()> {
    match command {
        UsersCommand::Add(args) => {
            let role = Role::parse(&args.role).ok_or_else(|| {
                anyhow!("--role {}: expected admin, analyst or manager", args.role)
            })?;
            runtime()?.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let new = add_user(&store, ACTOR, &args.name, role).await?;
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
        let store = open_store(&args.db.url()).await?;
        set_password(&store, &args.name, password).await?;
        store.close().await;
        eprintln!("password set for {}", args.name);
        Ok(())
    })
}

pub fn backup_command(args: BackupArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        backup(&store, &args.file).await?;
        store.close().await;
        eprintln!("backup written to {}", args.file.display());
        Ok(())
    })
}
