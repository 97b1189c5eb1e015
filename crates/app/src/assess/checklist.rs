//! Checklists as data: the TOML format (a key, a title, areas of yes/no questions, each with
//! its recommendation for a "no" and optionally the evidence the product measures), the
//! shipped checklists, and the checks a company's own checklist must pass.

use std::collections::HashSet;

use anyhow::{Result, bail};
use serde::Deserialize;

use crate::InvalidSetting;

/// The shipped checklists' TOML.
pub const BUILT_IN: [&str; 4] = [
    include_str!("checklists/four_directions.toml"),
    include_str!("checklists/customer_journey.toml"),
    include_str!("checklists/winback_readiness.toml"),
    include_str!("checklists/service_quality.toml"),
];

const MAX_AREAS: usize = 50;
const MAX_QUESTIONS: usize = 500;
const MAX_TEXT_CHARS: usize = 2_000;
const MAX_KEY_CHARS: usize = 64;

/// A text in both languages of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub ru: String,
}

impl Text {
    /// The text in `lang` (`ru`, else English).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ru" { &self.ru } else { &self.en }
    }
}

/// What the product measures that bears on a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Customer NPS.
    Nps,
    /// First response to inquiries, support answers, complaint resolution.
    ResponseTime,
    /// Returned of lost customers.
    WinbackRate,
    /// Customers with a consent in force.
    ConsentCoverage,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Nps => "nps",
            EvidenceKind::ResponseTime => "response_time",
            EvidenceKind::WinbackRate => "winback_rate",
            EvidenceKind::ConsentCoverage => "consent_coverage",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub key: String,
    pub text: Text,
    pub recommendation: Text,
    pub evidence: Option<EvidenceKind>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub key: String,
    pub title: Text,
    pub questions: Vec<Question>,
}

/// A checklist.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub key: String,
    pub title: Text,
    pub areas: Vec<Area>,
}

impl Checklist {
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.areas
            .iter()
            .flat_map(|a| &a.questions)
            .find(|q| q.key == key)
    }

    pub fn question_count(&self) -> usize {
        self.areas.iter().map(|a| a.questions.len()).sum()
    }
}

fn check_key(what: &'static str, key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY_CHARS
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        bail!(InvalidSetting::value(
            what,
            key,
            format!("a key is 1 to {MAX_KEY_CHARS} of a-z, 0-9 and _")
        ));
    }
    Ok(())
}

fn check_text(what: &'static str, t: &Text) -> Result<()> {
    for s in [&t.en, &t.ru] {
        if s.trim().is_empty() || s.chars().count() > MAX_TEXT_CHARS {
            bail!(InvalidSetting::value(
                what,
                s,
                format!("a text is 1 to {MAX_TEXT_CHARS} characters, in English and Russian")
            ));
        }
    }
    Ok(())
}

/// Parses and checks a checklist: keys of a-z, 0-9 and _, unique within it; every text in
/// both languages; at most 50 areas and 500 questions.
pub fn parse_checklist(toml_text: &str) -> Result<Checklist> {
    let c: Checklist = toml::from_str(toml_text)
        .map_err(|e| InvalidSetting::new("toml", format!("is not a checklist: {e}")))?;
    check_key("key", &c.key)?;
    check_text("title", &c.title)?;
    if c.areas.is_empty() || c.areas.len() > MAX_AREAS {
        bail!(InvalidSetting::new(
            "areas",
            format!("a checklist has 1 to {MAX_AREAS} areas")
        ));
    }
    if c.question_count() > MAX_QUESTIONS {
        bail!(InvalidSetting::new(
            "questions",
            format!("a checklist has at most {MAX_QUESTIONS} questions")
        ));
    }
    let mut areas = HashSet::new();
    let mut questions = HashSet::new();
    for a in &c.areas {
        check_key("area", &a.key)?;
        check_text("title", &a.title)?;
        if !areas.insert(a.key.as_str()) {
            bail!(InvalidSetting::value("area", &a.key, "is listed twice"));
        }
        if a.questions.is_empty() {
            bail!(InvalidSetting::value("area", &a.key, "has no question"));
        }
        for q in &a.questions {
            check_key("question", &q.key)?;
            check_text("text", &q.text)?;
            check_text("recommendation", &q.recommendation)?;
            if !questions.insert(q.key.as_str()) {
                bail!(InvalidSetting::value("question", &q.key, "is listed twice"));
            }
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_checklists_parse_with_the_method_s_areas() {
        let all: Vec<Checklist> = BUILT_IN
            .iter()
            .map(|t| parse_checklist(t).unwrap())
            .collect();
        let keys: Vec<&str> = all.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "four_directions",
                "customer_journey",
                "winback_readiness",
                "service_quality"
            ]
        );
        assert_eq!(all[0].areas.len(), 4, "the four directions");
        let journey: Vec<&str> = all[1].areas.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            journey,
            ["positioning", "website", "product", "support", "logistics"]
        );
        assert!(all[1].question("one_click").is_some());
        assert!(all[1].question("tracked_real_time").is_some());
    }

    #[test]
    fn hostile_checklists_are_refused_naming_the_setting() {
        let field = |t: &str| {
            parse_checklist(t)
                .unwrap_err()
                .downcast::<InvalidSetting>()
                .unwrap()
                .field
        };
        assert_eq!(field("key = 1"), "toml");
        assert_eq!(
            field("key = \"Bad Key\"\ntitle = { en = \"a\", ru = \"б\" }\nareas = []"),
            "key"
        );
        assert_eq!(
            field("key = \"k\"\ntitle = { en = \"a\", ru = \"б\" }\nareas = []"),
            "areas"
        );
        let twice = "key = \"k\"\ntitle = { en = \"a\", ru = \"б\" }\n\
            [[areas]]\nkey = \"a\"\ntitle = { en = \"a\", ru = \"б\" }\n\
            [[areas.questions]]\nkey = \"q\"\ntext = { en = \"a\", ru = \"б\" }\nrecommendation = { en = \"a\", ru = \"б\" }\n\
            [[areas.questions]]\nkey = \"q\"\ntext = { en = \"a\", ru = \"б\" }\nrecommendation = { en = \"a\", ru = \"б\" }\n";
        assert_eq!(field(twice), "question");
        let no_russian = twice
            .replacen("ru = \"б\" }\n\n", "ru = \"\" }\n", 1)
            .replace(
                "title = { en = \"a\", ru = \"б\" }\n\n[[areas]]",
                "title = { en = \"a\", ru = \" \" }\n[[areas]]",
            );
        assert!(parse_checklist(&no_russian).is_err());
    }
}
