//! How customers move between two snapshots: the one definition of a movement (up, down, out,
//! back, same, new) and of churn (at risk at the start, lost or gone at the end), in Rust for
//! whole snapshots read into memory ([`classify`], [`at_risk`], [`churned`]: the transitions and
//! the churn per rung of `transitions.rs`)
//! and as the SQL that writes the dashboard's `dash_movements` aggregate in the scoring
//! transaction ([`movement_sql`]). Both are built from the same rules and the same stored texts
//! (`Rung::ALL` in order, `Status::Lost`, `Movement::as_str`), side by side below, and a test on
//! both backends holds the aggregate to the Rust classification on snapshots holding every
//! movement (`tests/store/movement.rs`).

use clientele_core::{Rung, Status};

/// How one customer moved between two snapshots. The rules, in order of precedence (out and back
/// come before rung moves: losing a regular matters more than the rung it is shown on):
///
/// 1. **new**: not in the earlier snapshot;
/// 2. **out**: lost now, not lost before (also: in the earlier snapshot, not in the later);
/// 3. **back**: lost before and not now, or on a later turn of the spiral (a returner);
/// 4. **up** / **down**: on a higher / lower rung;
/// 5. **same**: anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Movement {
    Up,
    Down,
    /// Became lost (was not lost before), or left the snapshots.
    Out,
    /// Was lost, or came back for a new turn of the spiral: a returner.
    Back,
    Same,
    New,
}

impl Movement {
    pub const ALL: [Movement; 6] = [
        Movement::Up,
        Movement::Down,
        Movement::Out,
        Movement::Back,
        Movement::Same,
        Movement::New,
    ];

    /// The stored text (`dash_movements.movement`).
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Up => "up",
            Movement::Down => "down",
            Movement::Out => "out",
            Movement::Back => "back",
            Movement::Same => "same",
            Movement::New => "new",
        }
    }

    /// The movement `as_str` writes as `text`; `None` for any other text.
    pub fn parse(text: &str) -> Option<Movement> {
        Movement::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// What the movement rules read of a customer's snapshot row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub rung: Rung,
    pub status: Option<Status>,
    pub turn: u32,
}

/// The movement of a customer from `before` (`None`: not in the earlier snapshot) to `after`
/// (see [`Movement`] for the rules).
pub fn classify(before: Option<Standing>, after: Standing) -> Movement {
    let Some(b) = before else {
        return Movement::New;
    };
    let was_lost = b.status == Some(Status::Lost);
    let is_lost = after.status == Some(Status::Lost);
    if is_lost && !was_lost {
        return Movement::Out;
    }
    if (was_lost && !is_lost) || after.turn > b.turn {
        return Movement::Back;
    }
    match after.rung.cmp(&b.rung) {
        std::cmp::Ordering::Greater => Movement::Up,
        std::cmp::Ordering::Less => Movement::Down,
        std::cmp::Ordering::Equal => Movement::Same,
    }
}

/// Whether a customer counts as at risk of churning at the start of a period: a buyer (with a
/// status) who is not lost.
pub fn at_risk(status: Option<Status>) -> bool {
    status.is_some_and(|s| s != Status::Lost)
}

/// Whether a customer at risk at the start churned by the end: lost then (`Some(Lost)`), or no
/// longer in the snapshots (`None`).
pub fn churned(after: Option<Option<Status>>) -> bool {
    after.is_none_or(|status| status == Some(Status::Lost))
}

/// The SQL of the same rules over a later snapshot row `a` and its earlier row `b` (all of
/// whose columns are NULL when the customer was not in the earlier snapshot).
fn movement_case_sql() -> String {
    let lost = Status::Lost.as_str();
    // A rung's rank is its place in `Rung::ALL`, which is `Rung`'s order (`classify` compares
    // rungs by it).
    let rank = |row: &str| {
        let whens: Vec<String> = Rung::ALL
            .iter()
            .enumerate()
            .map(|(i, r)| format!("WHEN '{}' THEN {i}", r.as_str()))
            .collect();
        format!("CASE {row}.rung {} END", whens.join(" "))
    };
    let (a, b) = (rank("a"), rank("b"));
    let m = |m: Movement| m.as_str();
    format!(
        "CASE WHEN b.customer_id IS NULL THEN '{new}'
              WHEN a.status = '{lost}' AND COALESCE(b.status, '') <> '{lost}' THEN '{out}'
              WHEN (b.status = '{lost}' AND COALESCE(a.status, '') <> '{lost}') OR a.turn > b.turn THEN '{back}'
              WHEN {a} > {b} THEN '{up}'
              WHEN {a} < {b} THEN '{down}'
              ELSE '{same}' END",
        new = m(Movement::New),
        out = m(Movement::Out),
        back = m(Movement::Back),
        up = m(Movement::Up),
        down = m(Movement::Down),
        same = m(Movement::Same),
    )
}

/// [`at_risk`] of the earlier row `b`, as 1 or 0.
fn at_risk_sql() -> String {
    let lost = Status::Lost.as_str();
    format!("CASE WHEN b.status IS NOT NULL AND b.status <> '{lost}' THEN 1 ELSE 0 END")
}

/// One row per customer of the later snapshot `$1` or the earlier `$2`: the customer, the rungs
/// before and after (`''` when not in that snapshot), the movement, whether they were at risk
/// and whether they churned (both 1 or 0), and their revenue in the later snapshot. The later
/// rows are found with their earlier row through the primary key, then the earlier rows
/// missing from the later snapshot (gone: out, churned if at risk).
pub(crate) fn movement_sql() -> String {
    let lost = Status::Lost.as_str();
    let (case, at_risk) = (movement_case_sql(), at_risk_sql());
    let out = Movement::Out.as_str();
    format!(
        "SELECT a.customer_id, COALESCE(b.rung, '') AS from_rung, a.rung AS to_rung,
                {case} AS movement,
                {at_risk} AS at_risk,
                CASE WHEN b.status IS NOT NULL AND b.status <> '{lost}' AND a.status = '{lost}' THEN 1 ELSE 0 END AS churned,
                a.revenue AS revenue
         FROM score_snapshots a
         LEFT JOIN score_snapshots b ON b.as_of = $2 AND b.customer_id = a.customer_id
         WHERE a.as_of = $1
         UNION ALL
         SELECT b.customer_id, b.rung, '', '{out}', {at_risk}, {at_risk}, 0
         FROM score_snapshots b
         WHERE b.as_of = $2
           AND NOT EXISTS (SELECT 1 FROM score_snapshots a WHERE a.as_of = $1 AND a.customer_id = b.customer_id)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rung_ranks_follow_the_rung_order() {
        // The SQL ranks rungs by their place in `Rung::ALL`; `classify` by `Rung`'s order.
        assert!(Rung::ALL.windows(2).all(|w| w[0] < w[1]));
        for m in Movement::ALL {
            assert_eq!(Movement::parse(m.as_str()), Some(m));
        }
        assert_eq!(Movement::parse("sideways"), None);
    }

    #[test]
    fn out_and_back_come_before_rung_moves() {
        let s = |rung, status, turn| Standing { rung, status, turn };
        let regular = s(Rung::Regular, Some(Status::Active), 1);
        assert_eq!(classify(None, regular), Movement::New);
        let lost_advocate = s(Rung::Advocate, Some(Status::Lost), 1);
        assert_eq!(classify(Some(regular), lost_advocate), Movement::Out);
        assert_eq!(classify(Some(lost_advocate), regular), Movement::Back);
        let second_turn = s(Rung::Newcomer, Some(Status::Active), 2);
        assert_eq!(classify(Some(regular), second_turn), Movement::Back);
        let advocate = s(Rung::Advocate, Some(Status::Slipping), 1);
        assert_eq!(classify(Some(regular), advocate), Movement::Up);
        assert_eq!(classify(Some(advocate), regular), Movement::Down);
        assert_eq!(classify(Some(lost_advocate), lost_advocate), Movement::Same);
        assert!(at_risk(Some(Status::Slipping)) && !at_risk(Some(Status::Lost)));
        assert!(!at_risk(None));
        assert!(churned(None) && churned(Some(Some(Status::Lost))));
        assert!(!churned(Some(Some(Status::Active))) && !churned(Some(None)));
    }
}
