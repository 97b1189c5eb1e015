//! Server-side SVG charts: line charts, grouped bar charts, heat maps, and the dashboard's ladder
//! stairs and flows between snapshots.
//!
//! Every chart is a self-contained SVG string with `role="img"`, a `<title>` and a `<desc>` that
//! state what it shows, so screen readers and printouts carry the meaning; all text is escaped
//! here. Colours come from one palette that stays distinct in greyscale print (dashes tell the
//! series apart too). No I/O: callers write the string where they need it.

mod dashboard;
mod numbers;
mod scale;
mod svg;

pub use dashboard::{FlowChart, Stairs, Step, identified};
pub use numbers::{NumberStyle, localize_numbers};

pub use svg::{BarChart, HeatMap, LineChart, Series, escape};
