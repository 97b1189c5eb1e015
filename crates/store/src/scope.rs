//! Which customers a user may see and edit. Every read of a customer or of a list takes a
//! [`Scope`]: a manager's scope is a condition of the query itself, so a customer outside it is
//! simply not found (the server answers 404), never fetched and then hidden.

/// Which customers a user may see and edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every customer (admins and analysts).
    All,
    /// Only the customers assigned to this user (managers).
    Manager(i64),
}

impl Scope {
    /// The manager whose customers the scope holds; `None` for everyone.
    pub(crate) fn manager(self) -> Option<i64> {
        match self {
            Scope::All => None,
            Scope::Manager(id) => Some(id),
        }
    }

    /// The `scope` column of the dashboard's aggregate tables: 0 for every customer, else the
    /// manager's user id.
    pub(crate) fn key(self) -> i64 {
        match self {
            Scope::All => 0,
            Scope::Manager(id) => id,
        }
    }
}
