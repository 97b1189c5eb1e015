//! Users and how they sign in: accounts with API tokens, passwords and a dashboard language
//! (`accounts.rs`), browser sessions (`sessions.rs`), and administering users: disabling,
//! removing, revoking tokens (`admin.rs`).

mod accounts;
mod admin;
mod sessions;

pub use accounts::{LANGUAGES, NewUser, Role, User};
pub use admin::UserRow;
pub use sessions::NewSession;
