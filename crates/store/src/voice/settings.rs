//! The domain's settings: how often a person may be invited, the minimum sample of a score, the
//! follow-up targets and the complaint targets per severity — one row per setting in
//! `voice_settings`, read and written as the core's checked types.

use clientele_core::closed_loop::{ComplaintTargets, InvitePeriod, ResponseTargets, Severity};

use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// The largest minimum sample accepted (a report needing more answers than this never shows a
/// number).
pub const MAX_MIN_ANSWERS: u64 = 100_000;

/// The voice of the customer's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoiceSettings {
    /// At most one invitation per person per period, whatever the survey (default 90 days).
    pub invite_period: InvitePeriod,
    /// Below this many answers a report says "not enough answers" (default 30).
    pub min_answers: u64,
    /// Follow-up targets (default 48 hours for detractors, 7 days for passives).
    pub targets: ResponseTargets,
    /// Complaint targets per severity.
    pub complaint_targets: ComplaintTargets,
}

impl Default for VoiceSettings {
    fn default() -> VoiceSettings {
        VoiceSettings {
            invite_period: InvitePeriod::default(),
            min_answers: 30,
            targets: ResponseTargets::default(),
            complaint_targets: ComplaintTargets::default(),
        }
    }
}

fn first_key(s: Severity) -> String {
    format!("complaint_{}_first_hours", s.as_str())
}

fn resolution_key(s: Severity) -> String {
    format!("complaint_{}_resolution_hours", s.as_str())
}

fn unreadable(name: &str, value: Option<i64>) -> StoreError {
    StoreError::Unreadable {
        column: "voice_settings.value",
        value: format!("{name} = {value:?}"),
    }
}

impl VoiceSettings {
    /// The settings as stored rows (name, value).
    fn rows(&self) -> Vec<(String, Option<i64>)> {
        let mut rows = vec![
            (
                "invite_period_days".to_string(),
                Some(i64::from(self.invite_period.get())),
            ),
            ("min_answers".to_string(), Some(self.min_answers as i64)),
            (
                "detractor_target_hours".to_string(),
                Some(i64::from(self.targets.detractor_hours())),
            ),
            (
                "passive_target_hours".to_string(),
                self.targets.passive_hours().map(i64::from),
            ),
        ];
        for s in Severity::ALL {
            let t = self.complaint_targets.get(s);
            rows.push((first_key(s), Some(t.first_response / 3_600)));
            rows.push((resolution_key(s), Some(t.resolution / 3_600)));
        }
        rows
    }

    /// Settings from stored rows; a missing row keeps its default, a value the core refuses is
    /// [`StoreError::Unreadable`].
    fn from_rows(rows: &[(String, Option<i64>)]) -> Result<VoiceSettings> {
        let get = |name: &str| rows.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        let hours = |name: &str, v: Option<i64>| -> Result<u32> {
            v.and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| unreadable(name, v))
        };
        let mut s = VoiceSettings::default();
        if let Some(v) = get("invite_period_days") {
            let days = hours("invite_period_days", v)?;
            s.invite_period =
                InvitePeriod::days(days).map_err(|_| unreadable("invite_period_days", v))?;
        }
        if let Some(v) = get("min_answers") {
            s.min_answers = v
                .and_then(|v| u64::try_from(v).ok())
                .filter(|&n| (1..=MAX_MIN_ANSWERS).contains(&n))
                .ok_or_else(|| unreadable("min_answers", v))?;
        }
        let detractor = match get("detractor_target_hours") {
            Some(v) => hours("detractor_target_hours", v)?,
            None => s.targets.detractor_hours(),
        };
        let passive = match get("passive_target_hours") {
            Some(None) => None,
            Some(v) => Some(hours("passive_target_hours", v)?),
            None => s.targets.passive_hours(),
        };
        s.targets = ResponseTargets::from_hours(detractor, passive)
            .map_err(|_| unreadable("detractor_target_hours", Some(i64::from(detractor))))?;
        for sev in Severity::ALL {
            let (fk, rk) = (first_key(sev), resolution_key(sev));
            let current = s.complaint_targets.get(sev);
            let first = match get(&fk) {
                Some(v) => hours(&fk, v)?,
                None => (current.first_response / 3_600) as u32,
            };
            let resolution = match get(&rk) {
                Some(v) => hours(&rk, v)?,
                None => (current.resolution / 3_600) as u32,
            };
            s.complaint_targets
                .set_hours(sev, first, resolution)
                .map_err(|_| unreadable(&fk, Some(i64::from(first))))?;
        }
        Ok(s)
    }
}

impl Store {
    /// The voice of the customer's settings.
    pub async fn voice_settings(&self) -> Result<VoiceSettings> {
        let rows: Vec<(String, Option<i64>)> = dispatch!(self, pool => {
            sqlx::query_as("SELECT name, value FROM voice_settings")
                .fetch_all(pool)
                .await?
        });
        VoiceSettings::from_rows(&rows)
    }

    /// Replaces the settings (already checked by the core's constructors), with an audit entry
    /// naming `actor`, in one transaction. Open tasks and complaints keep the due times they got
    /// when they came in.
    pub async fn set_voice_settings(&self, settings: &VoiceSettings, actor: &str) -> Result<()> {
        if !(1..=MAX_MIN_ANSWERS).contains(&settings.min_answers) {
            return Err(StoreError::invalid(
                "min_answers",
                format!("must be between 1 and {MAX_MIN_ANSWERS}"),
            ));
        }
        let rows = settings.rows();
        let detail: Vec<String> = rows
            .iter()
            .map(|(n, v)| format!("{n}={}", v.map_or("off".to_string(), |v| v.to_string())))
            .collect();
        let detail = detail.join(" ");
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            for (name, value) in &rows {
                sqlx::query(
                    "INSERT INTO voice_settings (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(name)
                .bind(*value)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'voice settings', NULL, $3)",
            )
            .bind(now())
            .bind(actor)
            .bind(&detail)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_as_the_same_settings() {
        let mut s = VoiceSettings {
            invite_period: InvitePeriod::days(30).unwrap(),
            min_answers: 50,
            targets: ResponseTargets::from_hours(24, None).unwrap(),
            ..VoiceSettings::default()
        };
        s.complaint_targets
            .set_hours(Severity::Critical, 1, 8)
            .unwrap();
        assert_eq!(VoiceSettings::from_rows(&s.rows()).unwrap(), s);
        assert_eq!(
            VoiceSettings::from_rows(&[]).unwrap(),
            VoiceSettings::default()
        );
        let bad = [("min_answers".to_string(), Some(0))];
        assert!(matches!(
            VoiceSettings::from_rows(&bad),
            Err(StoreError::Unreadable { .. })
        ));
    }
}
