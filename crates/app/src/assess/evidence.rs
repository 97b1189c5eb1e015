//! The evidence beside the answers: what the product measures that bears on a question. The
//! customer NPS comes from the voice-of-the-customer report; response times, the win-back rate
//! and the consent coverage are left `None` ("not measured here") until their domains expose a
//! read-only figure — the lead wires them in `gather_evidence`.

use anyhow::Result;
use clientele_store::Store;

use crate::voice::{NpsReportSettings, nps_report};

use super::checklist::EvidenceKind;

/// The product's figures; `None` where it measures nothing (yet).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Customer NPS in points, with its respondents; `None` below the minimum sample.
    pub nps: Option<(f64, u64)>,
    /// Median hours to the first response to an inquiry or complaint.
    pub response_hours: Option<f64>,
    /// Returned of lost customers, 0..1.
    pub winback_rate: Option<f64>,
    /// Customers with a consent in force, 0..1.
    pub consent_coverage: Option<f64>,
}

impl Evidence {
    /// The figure for `kind`, as a number and its unit (`points`, `hours`, `share`).
    pub fn figure(&self, kind: EvidenceKind) -> Option<(f64, &'static str)> {
        match kind {
            EvidenceKind::Nps => self.nps.map(|(v, _)| (v, "points")),
            EvidenceKind::ResponseTime => self.response_hours.map(|v| (v, "hours")),
            EvidenceKind::WinbackRate => self.winback_rate.map(|v| (v, "share")),
            EvidenceKind::ConsentCoverage => self.consent_coverage.map(|v| (v, "share")),
        }
    }
}

/// Reads what the store measures (read-only).
pub async fn gather_evidence(store: &Store) -> Result<Evidence> {
    let nps = nps_report(store, &NpsReportSettings::default()).await?;
    Ok(Evidence {
        nps: nps.overall.nps.map(|v| (v, nps.overall.n)),
        ..Evidence::default()
    })
}
