//! `clientele users add|passwd|list|disable|enable|remove|revoke-token` and `clientele backup`:
//! the store's people and its copy.

use std::io::Read;

use anyhow::{Context, Result, anyhow, bail};
use clientele_app::database::{backup, open_store};
use clientele_app::users::{
    add_user, disable_user, enable_user, remove_user, revoke_tokens, set_password, user_named,
};
use clientele_store::{Role, Store, User, UserRow};

use crate::args::store::{BackupArgs, PasswdArgs, UsersCommand};
use crate::args::users::{UsersFormat, UsersListArgs};
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
                outln!(
                    "user '{}' ({}) created; API token (shown once, keep it safe):",
                    new.user.name,
                    role.as_str()
                );
                outln!("{}", new.token);
                Ok(())
            })
        }
        UsersCommand::Passwd(args) => passwd(args),
        UsersCommand::List(args) => list(args),
        UsersCommand::Disable(args) => on_user(&args.db.url(), &args.name, |store, user| {
            Box::pin(async move {
                disable_user(store, ACTOR, user.id).await?;
                eprintln!("user '{}' disabled; their sessions are ended", user.name);
                Ok(())
            })
        }),
        UsersCommand::Enable(args) => on_user(&args.db.url(), &args.name, |store, user| {
            Box::pin(async move {
                enable_user(store, ACTOR, user.id).await?;
                eprintln!("user '{}' enabled", user.name);
                Ok(())
            })
        }),
        UsersCommand::Remove(args) => on_user(&args.db.url(), &args.name, |store, user| {
            Box::pin(async move {
                remove_user(store, ACTOR, user.id).await?;
                eprintln!("user '{}' removed", user.name);
                Ok(())
            })
        }),
        UsersCommand::RevokeToken(args) => {
            let reissue = args.reissue;
            on_user(&args.db.url(), &args.name, move |store, user| {
                Box::pin(async move {
                    let (revoked, new) = revoke_tokens(store, ACTOR, user.id, reissue).await?;
                    eprintln!("{revoked} token(s) of '{}' revoked", user.name);
                    if let Some(new) = new {
                        outln!(
                            "new API token of '{}' (shown once, keep it safe):",
                            user.name
                        );
                        outln!("{}", new.token);
                    }
                    Ok(())
                })
            })
        }
    }
}

type Step<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'a>>;

/// Opens the store, finds the user called `name` and runs `step` on them.
fn on_user(
    url: &str,
    name: &str,
    step: impl for<'a> FnOnce(&'a Store, User) -> Step<'a>,
) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(url).await?;
        let result = async {
            let user = user_named(&store, name)
                .await
                .with_context(|| format!("finding user '{name}'"))?;
            step(&store, user).await
        }
        .await;
        store.close().await;
        result
    })
}

/// `clientele users list`: one line per user, or a JSON array.
fn list(args: UsersListArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let users = store.list_users().await;
        store.close().await;
        let users: Vec<UserRow> = users?;
        match args.format {
            UsersFormat::Json => {
                let rows: Vec<serde_json::Value> = users
                    .iter()
                    .map(|u| {
                        serde_json::json!({
                            "id": u.user.id,
                            "name": u.user.name,
                            "role": u.user.role.as_str(),
                            "created_at": u.created_at,
                            "disabled_at": u.disabled_at,
                            "active_tokens": u.active_tokens,
                            "has_password": u.has_password,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&rows)?);
            }
            UsersFormat::Text => {
                if users.is_empty() {
                    eprintln!(
                        "no users yet (add one with `clientele users add NAME --role admin`)"
                    );
                }
                for u in &users {
                    outln!(
                        "{}\t{}\t{}\t{} active token(s)\t{}",
                        u.user.name,
                        u.user.role.as_str(),
                        if u.disabled_at.is_some() {
                            "disabled"
                        } else {
                            "enabled"
                        },
                        u.active_tokens,
                        if u.has_password {
                            "password set"
                        } else {
                            "no password"
                        }
                    );
                }
            }
        }
        Ok(())
    })
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
