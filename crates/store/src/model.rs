//! Customers and what is known about them: contacts, consents, tags, personal dates, the
//! dossier, touches, surveys, feedback and the contact log.

use serde::Serialize;
use sqlx::Row;

use crate::card::{
    CONSENTS_SQL, CONTACTS_SQL, ConsentColumns, ContactColumns, DATES_SQL, DateColumns, NOTES_SQL,
    NoteColumns, TAGS_SQL, consent_record, contact_record, date_record, note_record,
};
use crate::recurrence::DateRule;
use crate::{Day, Result, Store, StoreError, day_from_db, day_to_db, dispatch, now};

/// A way to reach a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Phone,
    Sms,
    Messenger,
    Post,
    Visit,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Email,
        Channel::Phone,
        Channel::Sms,
        Channel::Messenger,
        Channel::Post,
        Channel::Visit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Messenger => "messenger",
            Channel::Post => "post",
            Channel::Visit => "visit",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    #[default]
    Person,
    Company,
}

impl CustomerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Person => "person",
            CustomerKind::Company => "company",
        }
    }

    pub(crate) fn parse(s: &str) -> CustomerKind {
        if s == "company" {
            CustomerKind::Company
        } else {
            CustomerKind::Person
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchKind {
    Inquiry,
    Visit,
    Lead,
    Other,
}

impl TouchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TouchKind::Inquiry => "inquiry",
            TouchKind::Visit => "visit",
            TouchKind::Lead => "lead",
            TouchKind::Other => "other",
        }
    }

    fn parse(s: &str) -> TouchKind {
        match s {
            "inquiry" => TouchKind::Inquiry,
            "visit" => TouchKind::Visit,
            "lead" => TouchKind::Lead,
            _ => TouchKind::Other,
        }
    }
}

/// A customer to create (or to update by external id).
#[derive(Clone, Debug, Default)]
pub struct NewCustomer {
    pub external_id: String,
    pub kind: CustomerKind,
    pub name: Option<String>,
    pub preferred_channel: Option<Channel>,
    pub manager: Option<String>,
    pub image_client: bool,
}

/// Profile fields to set on an existing customer; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CustomerProfileUpdate {
    pub name: Option<String>,
    pub manager: Option<String>,
    pub image_client: Option<bool>,
    /// External id of the customer who referred this one (created if unknown).
    pub referrer: Option<String>,
}

/// The customer's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerRow {
    pub id: i64,
    pub external_id: String,
    pub kind: CustomerKind,
    pub name: Option<String>,
    pub preferred_channel: Option<Channel>,
    pub manager: Option<String>,
    pub manager_user_id: Option<i64>,
    pub referrer_id: Option<i64>,
    pub image_client: bool,
    pub created_at: i64,
    pub erased_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContactRecord {
    pub channel: Channel,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    pub channel: Channel,
    pub granted: bool,
    #[serde(serialize_with = "crate::privacy::ser_day")]
    pub day: Day,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonalDateRecord {
    pub label: String,
    #[serde(serialize_with = "crate::recurrence::serialize_rule")]
    pub rule: DateRule,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoteRecord {
    pub id: i64,
    pub author: String,
    pub author_user_id: Option<i64>,
    pub created_at: i64,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TouchRecord {
    #[serde(serialize_with = "crate::privacy::ser_day")]
    pub day: Day,
    pub kind: TouchKind,
    pub channel: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SurveyRecord {
    #[serde(serialize_with = "crate::privacy::ser_day")]
    pub day: Day,
    pub nps: Option<u8>,
    pub comment: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedbackRecord {
    #[serde(serialize_with = "crate::privacy::ser_day")]
    pub day: Day,
    pub kind: String,
    pub body: String,
    pub resolved_at: Option<i64>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field,
        reason: reason.into(),
    }
}

impl Store {
    /// Creates a customer, or updates the profile fields of the one with this external id;
    /// returns its id.
    pub async fn upsert_customer(&self, c: &NewCustomer) -> Result<i64> {
        if c.external_id.trim().is_empty() {
            return Err(invalid("external_id", "is empty"));
        }
        let id: i64 = dispatch!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO customers (external_id, kind, name, preferred_channel, manager, image_client, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (external_id) DO UPDATE SET
                   kind = excluded.kind,
                   name = COALESCE(excluded.name, customers.name),
                   preferred_channel = COALESCE(excluded.preferred_channel, customers.preferred_channel),
                   manager = COALESCE(excluded.manager, customers.manager),
                   image_client = excluded.image_client
                 RETURNING id",
            )
            .bind(&c.external_id)
            .bind(c.kind.as_str())
            .bind(&c.name)
            .bind(c.preferred_channel.map(Channel::as_str))
            .bind(&c.manager)
            .bind(c.image_client)
            .bind(now())
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    /// The id of the customer with this external id.
    pub async fn customer_id(&self, external_id: &str) -> Result<i64> {
        let id: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT id FROM customers WHERE external_id = $1")
                .bind(external_id)
                .fetch_optional(pool)
                .await?
        });
        id.ok_or_else(|| StoreError::not_found("customer", external_id))
    }

    pub async fn customer(&self, id: i64) -> Result<CustomerRow> {
        let row = dispatch!(self, pool => {
            let r = sqlx::query(
                "SELECT id, external_id, kind, name, preferred_channel, manager, manager_user_id,
                        referrer_id, image_client, created_at, erased_at
                 FROM customers WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            match r {
                None => None,
                Some(r) => Some(CustomerRow {
                    id: r.try_get("id")?,
                    external_id: r.try_get("external_id")?,
                    kind: CustomerKind::parse(r.try_get::<&str, _>("kind")?),
                    name: r.try_get("name")?,
                    preferred_channel: r
                        .try_get::<Option<&str>, _>("preferred_channel")?
                        .and_then(Channel::parse),
                    manager: r.try_get("manager")?,
                    manager_user_id: r.try_get("manager_user_id")?,
                    referrer_id: r.try_get("referrer_id")?,
                    image_client: r.try_get("image_client")?,
                    created_at: r.try_get("created_at")?,
                    erased_at: r.try_get("erased_at")?,
                }),
            }
        });
        row.ok_or_else(|| StoreError::not_found("customer", id))
    }

    /// Sets profile fields of a customer (the customers file's columns).
    pub async fn update_profile(&self, id: i64, update: &CustomerProfileUpdate) -> Result<()> {
        let referrer_id = match &update.referrer {
            Some(r) if !r.trim().is_empty() => Some(self.upsert_customer_id_only(r).await?),
            _ => None,
        };
        let changed = dispatch!(self, pool => {
            sqlx::query(
                "UPDATE customers SET
                   name = COALESCE($2, name),
                   manager = COALESCE($3, manager),
                   image_client = COALESCE($4, image_client),
                   referrer_id = COALESCE($5, referrer_id)
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&update.name)
            .bind(&update.manager)
            .bind(update.image_client)
            .bind(referrer_id.filter(|&r| r != id))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::not_found("customer", id));
        }
        Ok(())
    }

    /// The id of the customer with this external id, creating a bare customer if there is none.
    pub async fn upsert_customer_id_only(&self, external_id: &str) -> Result<i64> {
        if external_id.trim().is_empty() {
            return Err(invalid("external_id", "is empty"));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO customers (external_id, created_at) VALUES ($1, $2)
                 ON CONFLICT (external_id) DO NOTHING",
            )
            .bind(external_id)
            .bind(now())
            .execute(pool)
            .await?;
        });
        self.customer_id(external_id).await
    }

    pub async fn add_contact(&self, customer: i64, channel: Channel, value: &str) -> Result<()> {
        if value.trim().is_empty() {
            return Err(invalid("contact", "the value is empty"));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO customer_contacts (customer_id, channel, value) VALUES ($1, $2, $3)
                 ON CONFLICT (customer_id, channel, value) DO NOTHING",
            )
            .bind(customer)
            .bind(channel.as_str())
            .bind(value.trim())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records a consent given or withdrawn for a channel; the latest per channel is in force.
    pub async fn record_consent(&self, customer: i64, consent: &ConsentRecord) -> Result<()> {
        if consent.source.trim().is_empty() {
            return Err(invalid("consent source", "say where the consent was given"));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO consents (customer_id, channel, granted, day, source) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(customer)
            .bind(consent.channel.as_str())
            .bind(consent.granted)
            .bind(day_to_db(consent.day))
            .bind(&consent.source)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn add_tag(&self, customer: i64, tag: &str) -> Result<()> {
        let tag = tag.trim();
        if tag.is_empty() {
            return Err(invalid("tag", "is empty"));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO customer_tags (customer_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(customer)
            .bind(tag)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn add_personal_date(&self, customer: i64, date: &PersonalDateRecord) -> Result<()> {
        date.rule.validate()?;
        let c = date.rule.columns();
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO personal_dates (customer_id, label, rule, year, month, day, weekday, nth, offset_days)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(customer)
            .bind(&date.label)
            .bind(c.rule)
            .bind(c.year)
            .bind(c.month)
            .bind(c.day)
            .bind(c.weekday)
            .bind(c.nth)
            .bind(c.offset_days)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Adds a dossier note; returns its id.
    pub async fn add_note(
        &self,
        customer: i64,
        author: &str,
        author_user_id: Option<i64>,
        body: &str,
    ) -> Result<i64> {
        if body.trim().is_empty() {
            return Err(invalid("note", "the text is empty"));
        }
        let id: i64 = dispatch!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO notes (customer_id, author_user_id, author, created_at, body)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(customer)
            .bind(author_user_id)
            .bind(author)
            .bind(now())
            .bind(body)
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    pub async fn add_touch(&self, customer: i64, touch: &TouchRecord) -> Result<()> {
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO touches (customer_id, day, kind, channel, note) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(customer)
            .bind(day_to_db(touch.day))
            .bind(touch.kind.as_str())
            .bind(&touch.channel)
            .bind(&touch.note)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn add_survey_response(&self, customer: i64, survey: &SurveyRecord) -> Result<()> {
        if survey.nps.is_some_and(|n| n > 10) {
            return Err(invalid("nps", "must be between 0 and 10"));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO survey_responses (customer_id, day, nps, comment, source) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(customer)
            .bind(day_to_db(survey.day))
            .bind(survey.nps.map(i64::from))
            .bind(&survey.comment)
            .bind(&survey.source)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn add_feedback(&self, customer: i64, feedback: &FeedbackRecord) -> Result<()> {
        if !["complaint", "praise", "suggestion", "question"].contains(&feedback.kind.as_str()) {
            return Err(invalid(
                "feedback kind",
                format!(
                    "'{}' is not one of complaint, praise, suggestion, question",
                    feedback.kind
                ),
            ));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO feedback (customer_id, day, kind, body, resolved_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(customer)
            .bind(day_to_db(feedback.day))
            .bind(&feedback.kind)
            .bind(&feedback.body)
            .bind(feedback.resolved_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Logs a contact with the customer (a call, a letter, a visit).
    pub async fn log_contact(
        &self,
        customer: i64,
        channel: Channel,
        outgoing: bool,
        user_id: Option<i64>,
        subject: &str,
        outcome: Option<&str>,
    ) -> Result<()> {
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO contact_log (customer_id, at, channel, direction, user_id, subject, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(customer)
            .bind(now())
            .bind(channel.as_str())
            .bind(if outgoing { "out" } else { "in" })
            .bind(user_id)
            .bind(subject)
            .bind(outcome)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn contacts(&self, customer: i64) -> Result<Vec<ContactRecord>> {
        let rows: Vec<ContactColumns> = dispatch!(self, pool => {
            sqlx::query_as(CONTACTS_SQL).bind(customer).fetch_all(pool).await?
        });
        Ok(rows.into_iter().filter_map(contact_record).collect())
    }

    /// Consent history, oldest first.
    pub async fn consents(&self, customer: i64) -> Result<Vec<ConsentRecord>> {
        let rows: Vec<ConsentColumns> = dispatch!(self, pool => {
            sqlx::query_as(CONSENTS_SQL).bind(customer).fetch_all(pool).await?
        });
        Ok(rows.into_iter().filter_map(consent_record).collect())
    }

    /// Whether the customer may be contacted on `channel` on `day`: the latest consent recorded
    /// on or before that day decides; without one, no.
    pub async fn has_consent(&self, customer: i64, channel: Channel, day: Day) -> Result<bool> {
        let latest = self
            .consents(customer)
            .await?
            .into_iter()
            .rfind(|c| c.channel == channel && c.day <= day);
        Ok(latest.is_some_and(|c| c.granted))
    }

    pub async fn tags(&self, customer: i64) -> Result<Vec<String>> {
        let tags: Vec<String> = dispatch!(self, pool => {
            sqlx::query_scalar(TAGS_SQL).bind(customer).fetch_all(pool).await?
        });
        Ok(tags)
    }

    pub async fn personal_dates(&self, customer: i64) -> Result<Vec<PersonalDateRecord>> {
        let rows: Vec<DateColumns> = dispatch!(self, pool => {
            sqlx::query_as(DATES_SQL).bind(customer).fetch_all(pool).await?
        });
        rows.into_iter().map(date_record).collect()
    }

    /// Dossier notes, oldest first.
    pub async fn notes(&self, customer: i64) -> Result<Vec<NoteRecord>> {
        let rows: Vec<NoteColumns> = dispatch!(self, pool => {
            sqlx::query_as(NOTES_SQL).bind(customer).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(note_record).collect())
    }

    pub async fn touches(&self, customer: i64) -> Result<Vec<TouchRecord>> {
        let rows: Vec<(i64, String, Option<String>, Option<String>)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT day, kind, channel, note FROM touches WHERE customer_id = $1 ORDER BY day, id",
            )
            .bind(customer)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(day, kind, channel, note)| TouchRecord {
                day: day_from_db(day),
                kind: TouchKind::parse(&kind),
                channel,
                note,
            })
            .collect())
    }

    pub async fn survey_responses(&self, customer: i64) -> Result<Vec<SurveyRecord>> {
        let rows: Vec<(i64, Option<i64>, Option<String>, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT day, nps, comment, source FROM survey_responses WHERE customer_id = $1 ORDER BY day, id",
            )
            .bind(customer)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(day, nps, comment, source)| SurveyRecord {
                day: day_from_db(day),
                nps: nps.map(|n| n as u8),
                comment,
                source,
            })
            .collect())
    }

    pub async fn feedback(&self, customer: i64) -> Result<Vec<FeedbackRecord>> {
        let rows: Vec<(i64, String, String, Option<i64>)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT day, kind, body, resolved_at FROM feedback WHERE customer_id = $1 ORDER BY day, id",
            )
            .bind(customer)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(day, kind, body, resolved_at)| FeedbackRecord {
                day: day_from_db(day),
                kind,
                body,
                resolved_at,
            })
            .collect())
    }
}

impl Store {
    /// Applies one row of a customers file: creates the customer if needed, sets name, manager,
    /// image-client flag and referrer, and records the birthday (a yearly date labelled
    /// "birthday"), the NPS answer (dated `today`, source "customers file") and the last touch,
    /// each only if the same fact is not already stored, so applying a file twice changes
    /// nothing. Returns the customer's id.
    pub async fn apply_profile(
        &self,
        profile: &clientele_core::CustomerProfile,
        today: Day,
    ) -> Result<i64> {
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
}
