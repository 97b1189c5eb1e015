//! Users: adding one (with its API token), setting a password for browser sign-in, disabling,
//! enabling and removing one and revoking their tokens (issue 23, item 5), each
//! recorded in the audit log or checked by the store.

use anyhow::{Context, Result};
use clientele_store::{NewUser, Role, Store, StoreError, User, UserRow};

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

/// What an admin did to a user, as the audit log names it.
fn audit_detail(user: &User) -> String {
    format!("{} ({})", user.name, user.role.as_str())
}

/// The user called `name`, enabled or not (the command line names users; the API uses ids).
pub async fn user_named(store: &Store, name: &str) -> Result<User, StoreError> {
    store.user_by_name(name).await
}

/// Disables a user (their tokens, sessions and password stop working at once), recorded in the
/// audit log as done by `actor`. The last enabled admin cannot be disabled.
pub async fn disable_user(store: &Store, actor: &str, id: i64) -> Result<UserRow, StoreError> {
    let row = store.disable_user(id).await?;
    store
        .audit(actor, "user disabled", None, &audit_detail(&row.user))
        .await?;
    Ok(row)
}

/// Lets a disabled user in again, recorded in the audit log.
pub async fn enable_user(store: &Store, actor: &str, id: i64) -> Result<UserRow, StoreError> {
    let row = store.enable_user(id).await?;
    store
        .audit(actor, "user enabled", None, &audit_detail(&row.user))
        .await?;
    Ok(row)
}

/// Removes a user with their tokens and sessions (what they wrote stays), recorded in the audit
/// log. The last enabled admin cannot be removed.
pub async fn remove_user(store: &Store, actor: &str, id: i64) -> Result<User, StoreError> {
    let user = store.remove_user(id).await?;
    store
        .audit(actor, "user removed", None, &audit_detail(&user))
        .await?;
    Ok(user)
}

/// Revokes every API token of a user (and with `reissue` creates one new token, shown once),
/// recorded in the audit log; returns how many tokens were revoked.
pub async fn revoke_tokens(
    store: &Store,
    actor: &str,
    id: i64,
    reissue: bool,
) -> Result<(u64, Option<NewUser>), StoreError> {
    let (revoked, new) = store.revoke_tokens(id, reissue).await?;
    let user = store.user_row(id).await?.user;
    let detail = format!(
        "{}: {revoked} token(s) revoked{}",
        audit_detail(&user),
        if new.is_some() {
            ", a new one issued"
        } else {
            ""
        }
    );
    store.audit(actor, "tokens revoked", None, &detail).await?;
    Ok((revoked, new))
}
