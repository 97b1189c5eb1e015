//! What the store knows about a customer, as records: the customer's row, contacts, consents,
//! tags, personal dates, dossier notes, touches, survey answers and feedback; with the
//! statements that read the lists (shared by the store's own readers in `dossier.rs` and by the
//! customer card in `card.rs`, which run the same texts) and their rows' conversion.

use clientele_core::Day;
use serde::Serialize;

use crate::db::day_from_db;
use crate::error::Result;
use crate::recurrence::DateRule;

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

    pub(crate) fn parse(s: &str) -> TouchKind {
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
    #[serde(serialize_with = "crate::serialize::ser_day")]
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
    #[serde(serialize_with = "crate::serialize::ser_day")]
    pub day: Day,
    pub kind: TouchKind,
    pub channel: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SurveyRecord {
    #[serde(serialize_with = "crate::serialize::ser_day")]
    pub day: Day,
    pub nps: Option<u8>,
    pub comment: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedbackRecord {
    #[serde(serialize_with = "crate::serialize::ser_day")]
    pub day: Day,
    pub kind: String,
    pub body: String,
    pub resolved_at: Option<i64>,
}

// The list statements. `$1` is the customer id.
pub(crate) const CONTACTS_SQL: &str =
    "SELECT channel, value FROM customer_contacts WHERE customer_id = $1 ORDER BY channel, value";
pub(crate) const CONSENTS_SQL: &str =
    "SELECT channel, granted, day, source FROM consents WHERE customer_id = $1 ORDER BY day, id";
pub(crate) const TAGS_SQL: &str =
    "SELECT tag FROM customer_tags WHERE customer_id = $1 ORDER BY tag";
pub(crate) const DATES_SQL: &str = "SELECT label, rule, year, month, day, weekday, nth, offset_days
 FROM personal_dates WHERE customer_id = $1 ORDER BY id";
pub(crate) const NOTES_SQL: &str = "SELECT id, author, author_user_id, created_at, body FROM notes
 WHERE customer_id = $1 ORDER BY created_at, id";

pub(crate) type ContactColumns = (String, String);
pub(crate) type ConsentColumns = (String, bool, i64, String);
pub(crate) type DateColumns = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);
pub(crate) type NoteColumns = (i64, String, Option<i64>, i64, String);

/// `None` for a channel this version does not know (skipped, as everywhere else).
pub(crate) fn contact_record((channel, value): ContactColumns) -> Option<ContactRecord> {
    Some(ContactRecord {
        channel: Channel::parse(&channel)?,
        value,
    })
}

/// `None` for a channel this version does not know.
pub(crate) fn consent_record(
    (channel, granted, day, source): ConsentColumns,
) -> Option<ConsentRecord> {
    Some(ConsentRecord {
        channel: Channel::parse(&channel)?,
        granted,
        day: day_from_db(day),
        source,
    })
}

/// Fails on columns that make no rule.
pub(crate) fn date_record(
    (label, rule, year, month, day, weekday, nth, offset): DateColumns,
) -> Result<PersonalDateRecord> {
    let rule = DateRule::from_columns(&rule, year, month, day, weekday, nth, offset)?;
    Ok(PersonalDateRecord { label, rule })
}

pub(crate) fn note_record(
    (id, author, author_user_id, created_at, body): NoteColumns,
) -> NoteRecord {
    NoteRecord {
        id,
        author,
        author_user_id,
        created_at,
        body,
    }
}
