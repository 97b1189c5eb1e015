//! Arguments of `clientele users list|disable|enable|remove|revoke-token` (issue 23, item 5).

use clap::{Args, ValueEnum};

use super::common::DbArgs;

/// How `users list` writes its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum UsersFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct UsersListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: UsersFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct UserNameArgs {
    /// The user's name.
    pub name: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct RevokeTokenArgs {
    /// The user whose API tokens to revoke (all of them).
    pub name: String,
    /// Then create one new token and print it (shown once) as the last line.
    #[arg(long)]
    pub reissue: bool,
    #[command(flatten)]
    pub db: DbArgs,
}
