//! Which customers a campaign is for: a saved filter of statuses, rungs and RFM segments, and
//! the kind of campaign it makes. The assignment to arms and the statistics are the
//! [`crate::uplift`] module's.

use crate::{Rfm, RfmSegment, Rung, Status};

/// The stable code of an RFM segment in filters and the API (`cannot_lose_them`).
pub fn segment_code(segment: RfmSegment) -> &'static str {
    match segment {
        RfmSegment::Champions => "champions",
        RfmSegment::LoyalCustomers => "loyal_customers",
        RfmSegment::PotentialLoyalists => "potential_loyalists",
        RfmSegment::NewCustomers => "new_customers",
        RfmSegment::Promising => "promising",
        RfmSegment::NeedAttention => "need_attention",
        RfmSegment::AboutToSleep => "about_to_sleep",
        RfmSegment::CannotLoseThem => "cannot_lose_them",
        RfmSegment::AtRisk => "at_risk",
        RfmSegment::Hibernating => "hibernating",
    }
}

/// The segment named by its code or by its name (`at_risk` or `at risk`, any case).
pub fn parse_segment(text: &str) -> Option<RfmSegment> {
    let t = text.trim().to_lowercase();
    RfmSegment::ALL
        .into_iter()
        .find(|&s| segment_code(s) == t || s.as_str() == t)
}

/// The customers a campaign selects from the latest snapshot: every list empty means "any";
/// otherwise a customer must match one value of each non-empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CampaignFilter {
    pub statuses: Vec<Status>,
    pub rungs: Vec<Rung>,
    pub segments: Vec<RfmSegment>,
}

impl CampaignFilter {
    pub fn matches(&self, rung: Rung, status: Option<Status>, rfm: Option<Rfm>) -> bool {
        let status_ok =
            self.statuses.is_empty() || status.is_some_and(|s| self.statuses.contains(&s));
        let rung_ok = self.rungs.is_empty() || self.rungs.contains(&rung);
        let segment_ok =
            self.segments.is_empty() || rfm.is_some_and(|r| self.segments.contains(&r.segment()));
        status_ok && rung_ok && segment_ok
    }

    /// The kind of campaign this filter makes: lost customers only → win-back, slipping
    /// customers only → a reminder, anything else → an offer.
    pub fn kind(&self) -> CampaignKind {
        match self.statuses.as_slice() {
            [Status::Lost] => CampaignKind::WinBack,
            [Status::Slipping] => CampaignKind::Reminder,
            _ => CampaignKind::Offer,
        }
    }
}

/// What a campaign is: it decides whether the report speaks of a return rate or a purchase
/// rate; the statistics are the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CampaignKind {
    WinBack,
    Reminder,
    Offer,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 3] = [
        CampaignKind::WinBack,
        CampaignKind::Reminder,
        CampaignKind::Offer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignKind::WinBack => "win_back",
            CampaignKind::Reminder => "reminder",
            CampaignKind::Offer => "offer",
        }
    }

    pub fn parse(text: &str) -> Option<CampaignKind> {
        CampaignKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}
