//! Customers files and the ladder's inputs about people: applying one row of a customers file,
//! and every customer's profile as scoring reads it.

use std::collections::HashMap;

use clientele_core::{CustomerProfile, Day, NpsScore};

use super::records::{
    Channel, CustomerProfileUpdate, PersonalDateRecord, SurveyRecord, TouchKind, TouchRecord,
};
use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::Result;
use crate::recurrence::DateRule;

impl Store {
    /// Applies one row of a customers file: creates the customer if needed, sets name, manager,
    /// image-client flag and referrer, and records the birthday (a yearly date labelled
    /// "birthday"), the NPS answer (dated `today`, source "customers file") and the last touch,
    /// each only if the same fact is not already stored, so applying a file twice changes
    /// nothing. Returns the customer's id.
    pub async fn apply_profile(&self, profile: &CustomerProfile, today: Day) -> Result<i64> {
        let id = self.upsert_customer_id_only(&profile.id).await?;
        self.update_profile(
            id,
            &CustomerProfileUpdate {
                name: profile.name.clone(),
                manager: profile.manager.clone(),
                image_client: Some(profile.image_client),
                referrer: profile.referred_by.clone(),
            },
        )
        .await?;
        // A contact already on file is not added twice (UNIQUE (customer, channel, value)).
        for (channel, value) in [
            (Channel::Email, &profile.email),
            (Channel::Phone, &profile.phone),
        ] {
            if let Some(value) = value {
                self.add_contact(id, channel, value).await?;
            }
        }
        if let Some(b) = profile.birthday {
            let (year, month, day) = b.ymd();
            let has: i64 = dispatch!(self, pool => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM personal_dates WHERE customer_id = $1 AND label = 'birthday'",
                )
                .bind(id)
                .fetch_one(pool)
                .await?
            });
            if has == 0 {
                self.add_personal_date(
                    id,
                    &PersonalDateRecord {
                        label: "birthday".into(),
                        rule: DateRule::Yearly {
                            month,
                            day,
                            since: Some(year),
                        },
                    },
                )
                .await?;
            }
        }
        if let Some(nps) = profile.nps {
            let latest: Option<i64> = dispatch!(self, pool => {
                sqlx::query_scalar(
                    "SELECT nps FROM survey_responses WHERE customer_id = $1 AND source = 'customers file'
                     ORDER BY day DESC, id DESC LIMIT 1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?
                .flatten()
            });
            if latest != Some(i64::from(nps.get())) {
                self.add_survey_response(
                    id,
                    &SurveyRecord {
                        day: today,
                        nps: Some(nps.get()),
                        comment: None,
                        source: "customers file".into(),
                    },
                )
                .await?;
            }
        }
        if let Some(touch) = profile.last_touch {
            let has: i64 = dispatch!(self, pool => {
                sqlx::query_scalar("SELECT COUNT(*) FROM touches WHERE customer_id = $1 AND day = $2")
                    .bind(id)
                    .bind(day_to_db(touch))
                    .fetch_one(pool)
                    .await?
            });
            if has == 0 {
                self.add_touch(
                    id,
                    &TouchRecord {
                        day: touch,
                        kind: TouchKind::Other,
                        channel: None,
                        note: Some("from the customers file".into()),
                    },
                )
                .await?;
            }
        }
        Ok(id)
    }

    /// Profiles of all customers for the ladder: names, managers, referrers, image-client flag,
    /// the latest NPS answer on or before `as_of`, and the last touch.
    pub async fn profiles(&self, as_of: Day) -> Result<Vec<CustomerProfile>> {
        let d = day_to_db(as_of);
        type R = (
            String,
            Option<String>,
            Option<String>,
            bool,
            Option<String>,
            Option<i64>,
        );
        let (rows, nps): (Vec<R>, Vec<(String, i64)>) = dispatch!(self, pool => {
            let rows: Vec<R> = sqlx::query_as(
                "SELECT c.external_id, c.name, c.manager, c.image_client, r.external_id,
                        (SELECT MAX(t.day) FROM touches t WHERE t.customer_id = c.id AND t.day <= $1)
                 FROM customers c LEFT JOIN customers r ON r.id = c.referrer_id
                 WHERE c.erased_at IS NULL
                 ORDER BY c.external_id",
            )
            .bind(d)
            .fetch_all(pool)
            .await?;
            // The latest answer per customer: ordered so the last one seen wins.
            let nps: Vec<(String, i64)> = sqlx::query_as(
                "SELECT c.external_id, s.nps FROM survey_responses s JOIN customers c ON c.id = s.customer_id
                 WHERE s.nps IS NOT NULL AND s.day <= $1 ORDER BY s.customer_id, s.day, s.id",
            )
            .bind(d)
            .fetch_all(pool)
            .await?;
            (rows, nps)
        });
        let nps: HashMap<String, i64> = nps.into_iter().collect();
        Ok(rows
            .into_iter()
            .map(
                |(id, name, manager, image_client, referrer, last_touch)| CustomerProfile {
                    nps: nps.get(&id).and_then(|&n| NpsScore::new(n as u8)),
                    id,
                    name,
                    referred_by: referrer,
                    image_client,
                    manager,
                    birthday: None,
                    email: None,
                    phone: None,
                    last_touch: last_touch.map(day_from_db),
                },
            )
            .collect())
    }
}
