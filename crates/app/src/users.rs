//! Users: adding one (with its API token) and setting a password for browser sign-in, each
//! recorded in the audit log or checked by the store.

use anyhow::{Context, Result};
use clientele_store::{NewUser, Role, Store};

/// Creates a user and records it in the audit log as done by `actor`; the new API token (shown
/// once) is in the answer.
pub async fn add_user(store: &Store, actor: &str, name: &str, role: Role) -> Result<NewUser> {
    let new = store
        .add_user(name, role)
        .await
        .with_context(|| format!("adding user '{name}'"))?;
    store
        .audit(
            actor,
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
