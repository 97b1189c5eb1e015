//! Users and how they sign in: accounts with API tokens, passwords and a dashboard language
//! (`accounts.rs`), and browser sessions (`sessions.rs`).

mod accounts;
mod sessions;

pub use accounts::{LANGUAGES, NewUser, Role, User};
pub use sessions::NewSession;
