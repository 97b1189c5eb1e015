//! Score snapshots: every customer's place on the ladder and value on a day, written by scoring
//! with the dashboard's aggregates (`write.rs`, `aggregates.rs`); read back per customer
//! (`history.rs`), as whole snapshots compared with each other (`transitions.rs`, by the movement
//! rules of `movement.rs`), and as the dashboard's aggregates (`dashboard.rs`).
//!
//! Each file holds one part and imports only its siblings' and the crate's leaf modules; this
//! file only names the parts and what they export.

pub(crate) mod aggregates;
mod dashboard;
mod history;
mod movement;
mod relations;
mod transitions;
mod write;

pub use dashboard::{
    LadderAggregate, LadderCell, MovementAggregate, ParetoPoint, Segment, SegmentCount,
};
pub use history::{CustomerSnapshot, StatusReasonRecord};
pub(crate) use history::{SNAPSHOTS_SQL, SnapshotColumns, customer_snapshot};
pub use movement::{Movement, Standing, at_risk, churned, classify};
pub use relations::{BuyerGroup, SnapshotRelations};
pub use transitions::{ChurnRow, SnapshotRow, TransitionCell, Transitions, compute_transitions};
