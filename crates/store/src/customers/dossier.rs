//! The dossier: contacts, consents, tags, personal dates, notes, touches, survey answers,
//! feedback and the contact log, added one by one and read back per customer.

use clientele_core::Day;

use super::records::{
    CONSENTS_SQL, CONTACTS_SQL, Channel, ConsentColumns, ConsentRecord, ContactColumns,
    ContactRecord, DATES_SQL, DateColumns, FeedbackRecord, NOTES_SQL, NoteColumns, NoteRecord,
    PersonalDateRecord, SurveyRecord, TAGS_SQL, TouchKind, TouchRecord, consent_record,
    contact_record, date_record, note_record,
};
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

impl Store {
    pub async fn add_contact(&self, customer: i64, channel: Channel, value: &str) -> Result<()> {
        if value.trim().is_empty() {
            return Err(StoreError::invalid("contact", "the value is empty"));
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
            return Err(StoreError::invalid(
                "consent source",
                "say where the consent was given",
            ));
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
            return Err(StoreError::invalid("tag", "is empty"));
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
            return Err(StoreError::invalid("note", "the text is empty"));
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
            return Err(StoreError::invalid("nps", "must be between 0 and 10"));
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
            return Err(StoreError::invalid(
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
