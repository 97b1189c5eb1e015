//! Campaigns with a control group as a use case: the customers a filter selects from the latest
//! snapshot, a seeded control share held back within each rung (the core's
//! [`assign_control`]), both arms recorded; the report reads what each arm bought in the
//! campaign's window and asks the core's [`uplift_report`] for the uplift, its interval and
//! p-value, the cost, the net value and the verdict.

use anyhow::{Result, bail};
use clientele_core::uplift::{
    Arm, ArmOutcome, AssignmentMethod, CampaignOutcome, ControlShare, UpliftOptions, UpliftReport,
    assign_control, uplift_report,
};
use clientele_core::winback::CampaignFilter;
use clientele_core::{Day, Money, Rung};
use clientele_store::{CampaignRecord, NewCampaign, Store};

use crate::InvalidSetting;

/// Days a campaign's purchases count for, unless set.
pub const DEFAULT_CAMPAIGN_WINDOW_DAYS: i32 = 30;

/// A campaign to create.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignSettings {
    pub name: String,
    pub filter: CampaignFilter,
    /// The share held back as control, 0 < share < 1.
    pub control_share: f64,
    /// The assignment's seed; `None` draws one from the clock (it is recorded either way).
    pub seed: Option<u64>,
    /// The first day purchases count (default: today).
    pub start_day: Day,
    pub window_days: i32,
    /// What contacting one treated customer costs.
    pub cost_per_contact: Money,
    pub created_by: String,
}

/// A campaign just created.
#[derive(Clone, Debug, PartialEq)]
pub struct CreatedCampaign {
    pub id: i64,
    pub treated: u64,
    pub control: u64,
    pub seed: u64,
}

/// Selects the customers, holds back the control share per rung and records the campaign (its
/// filter saved under the campaign's name).
pub async fn create_campaign(
    store: &Store,
    settings: &CampaignSettings,
) -> Result<CreatedCampaign> {
    create(store, settings, None).await
}

/// The same, selecting with the saved filter `filter_id` (the settings' own filter is not
/// read), which the campaign then names as its filter.
pub async fn create_campaign_from_filter(
    store: &Store,
    filter_id: i64,
    settings: &CampaignSettings,
) -> Result<CreatedCampaign> {
    let saved = store.saved_filter(filter_id).await?;
    let settings = CampaignSettings {
        filter: saved.filter,
        ..settings.clone()
    };
    create(store, &settings, Some(filter_id)).await
}

async fn create(
    store: &Store,
    settings: &CampaignSettings,
    filter_id: Option<i64>,
) -> Result<CreatedCampaign> {
    if !(settings.control_share > 0.0 && settings.control_share < 1.0) {
        return Err(InvalidSetting::value(
            "control",
            settings.control_share,
            "expected a share between 0 and 1 (e.g. 0.2)",
        )
        .into());
    }
    let share = ControlShare::new(settings.control_share)
        .map_err(|e| InvalidSetting::value("control", e.0, "expected a share between 0 and 1"))?;
    if !(1..=3660).contains(&settings.window_days) {
        return Err(InvalidSetting::value(
            "window_days",
            settings.window_days,
            "expected 1 to 3660",
        )
        .into());
    }
    let Some(as_of) = store.latest_snapshot_day().await? else {
        bail!("no snapshot yet: run `clientele score` first");
    };
    let candidates = store.campaign_candidates(as_of).await?;
    let chosen: Vec<_> = candidates
        .iter()
        .filter(|c| settings.filter.matches(c.rung, c.status, c.rfm))
        .collect();
    if chosen.is_empty() {
        return Err(
            InvalidSetting::new("filter", "selects no customer of the latest snapshot").into(),
        );
    }
    let seed = settings.seed.unwrap_or_else(clock_seed);
    let keyed: Vec<(&str, Rung)> = chosen
        .iter()
        .map(|c| (c.external_id.as_str(), c.rung))
        .collect();
    let arms = assign_control(&keyed, share, seed, AssignmentMethod::ExactPerStratum)?;
    let members: Vec<(i64, Rung, bool)> = chosen
        .iter()
        .zip(&arms)
        .map(|(c, arm)| (c.customer_id, c.rung, *arm == Arm::Control))
        .collect();
    let control = members.iter().filter(|m| m.2).count() as u64;
    let campaign = NewCampaign {
        name: settings.name.clone(),
        kind: settings.filter.kind(),
        filter_id,
        filter: settings.filter.clone(),
        snapshot_as_of: as_of,
        start_day: settings.start_day,
        window_days: settings.window_days,
        control_share: share,
        seed,
        method: "exact_per_stratum",
        cost_per_contact: settings.cost_per_contact,
        created_by: settings.created_by.clone(),
    };
    let id = store.create_campaign(&campaign, &members).await?;
    Ok(CreatedCampaign {
        id,
        treated: members.len() as u64 - control,
        control,
        seed,
    })
}

/// A seed from the clock's nanoseconds, for campaigns created without one.
fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A campaign and its report.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignReport {
    pub campaign: CampaignRecord,
    /// The data's last day the report reads.
    pub as_of: Day,
    pub report: UpliftReport,
}

/// The uplift of campaign `id` as of `as_of` (default: the latest snapshot's day): purchases in
/// the window from the start day up to the window's end or `as_of`, whichever is first.
pub async fn campaign_report(store: &Store, id: i64, as_of: Option<Day>) -> Result<CampaignReport> {
    let campaign = store.campaign(id).await?;
    let as_of = match as_of {
        Some(d) => d,
        None => store
            .latest_snapshot_day()
            .await?
            .unwrap_or(campaign.start_day),
    };
    let last = campaign.window_last_day().min(as_of);
    let arms = store
        .campaign_arm_revenue(id, campaign.start_day, last)
        .await?;
    let (mut treated, mut control) = (ArmOutcome::default(), ArmOutcome::default());
    let (mut active_treated, mut active_control) = (0u64, 0u64);
    for &(in_control, revenue, bought) in &arms.active {
        if in_control {
            control.add(bought, revenue);
            active_control += 1;
        } else {
            treated.add(bought, revenue);
            active_treated += 1;
        }
    }
    // Members without a line in the window count as not converted, with no revenue.
    for _ in active_treated..arms.treated {
        treated.add(false, Money::ZERO);
    }
    for _ in active_control..arms.control {
        control.add(false, Money::ZERO);
    }
    let cost = Money::from_units(
        campaign
            .cost_per_contact
            .units()
            .saturating_mul(i64::try_from(arms.treated).unwrap_or(i64::MAX)),
    );
    let outcome = CampaignOutcome {
        treated,
        control,
        cost,
        window_last_day: campaign.window_last_day(),
        as_of,
    };
    Ok(CampaignReport {
        campaign,
        as_of,
        report: uplift_report(&outcome, &UpliftOptions::default()),
    })
}
