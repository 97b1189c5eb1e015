//! The dashboard's two languages: Fluent message catalogues (`locales/en/*.ftl` and their
//! `locales/ru/*.ftl` twins, one pair per domain,
//! embedded in the binary), the choice of language for a request, and numbers and dates written
//! the way each language writes them.
//!
//! Every word a page shows comes from a catalogue; code only picks message ids. A missing id
//! renders as `⟦id⟧`, which the tests look for.

use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use clientele_core::currency::Currency;
use clientele_core::{Day, Money, Rung, Status, Subgroup};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// One domain's catalogue file in both languages.
#[derive(Clone, Copy, Debug)]
pub struct Catalogue {
    /// The file name, the same under `locales/en/` and `locales/ru/`.
    pub file: &'static str,
    pub en: &'static str,
    pub ru: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));

/// The cookie remembering the language before login.
pub const LANGUAGE_COOKIE: &str = "clientele_lang";

/// Grouping separator in Russian: the narrow no-break space.
const NARROW_NBSP: char = '\u{202f}';

/// A language of the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The first of our languages in an `Accept-Language` header, by quality then order.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let primary = tag.split('-').next()?;
                let lang = Lang::parse(primary)?;
                let q = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }

    /// The user's stored choice, else the language cookie, else the browser's, else English.
    pub fn choose(stored: Option<&str>, headers: &HeaderMap) -> Lang {
        stored
            .and_then(Lang::parse)
            .or_else(|| crate::auth::cookie_value(headers, LANGUAGE_COOKIE).and_then(Lang::parse))
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::En)
    }
}

struct Catalogues {
    en: FluentBundle<FluentResource>,
    ru: FluentBundle<FluentResource>,
}

fn bundle(
    lang: &str,
    sources: impl Iterator<Item = (&'static str, &'static str)>,
) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks around arguments would end up inside table cells and CSV.
    bundle.set_use_isolating(false);
    for (file, source) in sources {
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, errors)| {
            panic!("locales/{lang}/{file} does not parse: {errors:?}")
        });
        // A message id defined by two files is an error here, not a silent override.
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("locales/{lang}/{file}: {errors:?}"));
    }
    bundle
}

fn catalogues() -> &'static Catalogues {
    static BUNDLES: OnceLock<Catalogues> = OnceLock::new();
    BUNDLES.get_or_init(|| Catalogues {
        en: bundle("en", CATALOGUES.iter().map(|c| (c.file, c.en))),
        ru: bundle("ru", CATALOGUES.iter().map(|c| (c.file, c.ru))),
    })
}

/// The message ids a catalogue source defines (for the test that both define the same).
pub fn message_ids(source: &str) -> Result<Vec<String>, String> {
    let resource =
        FluentResource::try_new(source.to_string()).map_err(|(_, e)| format!("{e:?}"))?;
    let mut ids: Vec<String> = resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect();
    ids.sort();
    Ok(ids)
}

/// An argument of a message.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A number: selects the plural form, shown without grouping.
    Num(f64),
    /// Text shown as it is (already formatted numbers, names).
    Text(String),
}

/// The translator of one request: words from the catalogue, numbers and dates in the request's
/// language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
    /// The currency amounts are written in ([`Tr::money`]); `None` writes them without a sign.
    pub currency: Option<Currency>,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            currency: None,
        }
    }

    /// The same translator, writing amounts in `currency`.
    pub fn with_currency(self, currency: Option<Currency>) -> Tr {
        Tr { currency, ..self }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    fn bundle(&self) -> &'static FluentBundle<FluentResource> {
        match self.lang {
            Lang::En => &catalogues().en,
            Lang::Ru => &catalogues().ru,
        }
    }

    /// A message without arguments.
    pub fn get(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// A message with arguments.
    pub fn with(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.try_with(id, args).unwrap_or_else(|| format!("⟦{id}⟧"))
    }

    /// A message with arguments, or `None` when the catalogue has no such message or it cannot
    /// be formatted with these arguments (for callers with a better fallback than `⟦id⟧`).
    pub fn try_with(&self, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let bundle = self.bundle();
        let pattern = bundle.get_message(id).and_then(|m| m.value())?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Num(n) => fluent_args.set(*name, FluentValue::from(*n)),
                Arg::Text(t) => fluent_args.set(*name, FluentValue::from(t.clone())),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// A count with its noun in the right plural form: the message gets `$n` (for the plural
    /// rule) and `$count` (the number formatted for the language).
    pub fn count(&self, id: &str, n: i64) -> String {
        self.with(
            id,
            &[("n", Arg::Num(n as f64)), ("count", Arg::Text(self.int(n)))],
        )
    }

    fn group(&self, digits: &str) -> String {
        let sep = match self.lang {
            Lang::En => ',',
            Lang::Ru => NARROW_NBSP,
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// An integer with thousands grouped: `1,234,567` / `1 234 567`.
    pub fn int(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sign = if n < 0 { "-" } else { "" };
        format!("{sign}{}", self.group(&digits))
    }

    /// An amount to the cent with the currency's sign when it is known: `$1,234,567.89`,
    /// `1,234,567.89 ₽` / `1 234 567,89 ₽` (a sign after the number is joined by a no-break
    /// space, so a line never breaks between them).
    pub fn money(&self, m: Money) -> String {
        let number = self.amount(m);
        match self.currency {
            None => number,
            Some(c) if self.lang == Lang::En && c.sign_first_in_english() => {
                match number.strip_prefix('-') {
                    Some(abs) => format!("-{}{abs}", c.sign()),
                    None => format!("{}{number}", c.sign()),
                }
            }
            Some(c) => format!("{number}\u{a0}{}", c.sign()),
        }
    }

    /// An amount to the cent without a sign: `1,234,567.89` / `1 234 567,89`.
    pub fn amount(&self, m: Money) -> String {
        let units = m.units();
        // Ten-thousandths to cents, half away from zero.
        let cents = (units.unsigned_abs() + 50) / 100;
        let sign = if units < 0 && cents > 0 { "-" } else { "" };
        let point = match self.lang {
            Lang::En => '.',
            Lang::Ru => ',',
        };
        format!(
            "{sign}{}{point}{:02}",
            self.group(&(cents / 100).to_string()),
            cents % 100
        )
    }

    /// A share as a percentage with one decimal: `12.5%` / `12,5 %`.
    pub fn percent(&self, share: f64) -> String {
        if !share.is_finite() {
            return "—".into();
        }
        let text = format!("{:.1}", share * 100.0);
        match self.lang {
            Lang::En => format!("{text}%"),
            Lang::Ru => format!("{}{NARROW_NBSP}%", text.replace('.', ",")),
        }
    }

    /// A probability with two decimals: `0.83` / `0,83`.
    pub fn probability(&self, p: f64) -> String {
        let text = format!("{p:.2}");
        match self.lang {
            Lang::En => text,
            Lang::Ru => text.replace('.', ","),
        }
    }

    /// A day: `2024-10-04` / `04.10.2024`.
    pub fn date(&self, d: Day) -> String {
        let (y, m, dd) = d.ymd();
        match self.lang {
            Lang::En => format!("{y:04}-{m:02}-{dd:02}"),
            Lang::Ru => format!("{dd:02}.{m:02}.{y:04}"),
        }
    }

    /// A Unix time as date and time (UTC).
    pub fn instant(&self, unix: i64) -> String {
        let day = Day::from_days_since_epoch(unix.div_euclid(86_400) as i32);
        let secs = unix.rem_euclid(86_400);
        format!(
            "{} {:02}:{:02}",
            self.date(day),
            secs / 3600,
            secs % 3600 / 60
        )
    }

    pub fn rung(&self, r: Rung) -> String {
        self.get(&format!("rung-{}", r.as_str()))
    }

    pub fn rung_opt(&self, r: &Option<Rung>) -> String {
        r.map_or_else(|| self.get("none"), |r| self.rung(r))
    }

    pub fn status(&self, s: Status) -> String {
        self.get(&format!("status-{}", s.as_str()))
    }

    pub fn status_opt(&self, s: &Option<Status>) -> String {
        s.map_or_else(|| self.get("none"), |s| self.status(s))
    }

    pub fn subgroup(&self, g: Option<Subgroup>) -> String {
        g.map_or_else(
            || self.get("none"),
            |g| self.get(&format!("subgroup-{}", g.as_str())),
        )
    }

    pub fn money_opt(&self, m: &Option<Money>) -> String {
        m.map_or_else(|| self.get("none"), |m| self.money(m))
    }

    /// A sub-group's name for a group whose profit is `profit`: the lowest third is
    /// "low-profit", and "loss-making" only when its profit is below zero (the word must not
    /// claim a loss the numbers do not show).
    pub fn subgroup_by_profit(&self, g: Option<Subgroup>, profit: Option<Money>) -> String {
        match (g, profit) {
            (Some(Subgroup::Unprofitable), Some(p)) if p.units() < 0 => {
                self.get("subgroup-loss-making")
            }
            _ => self.subgroup(g),
        }
    }

    /// A chart's SVG with its numbers written the reader's way (`0,25`, `1 234`).
    pub fn chart(&self, svg: String) -> String {
        match self.lang {
            Lang::En => svg,
            Lang::Ru => {
                clientele_charts::localize_numbers(&svg, clientele_charts::NumberStyle::RUSSIAN)
            }
        }
    }

    /// How far ahead a day is: "today", "tomorrow", "in 5 days".
    pub fn in_days(&self, days: i64) -> String {
        self.count("in-days", days)
    }

    /// The label of a personal date in the reader's language when it is one the product knows
    /// (birthdays, the demo's holidays); a label a user typed is shown as typed.
    pub fn date_label(&self, label: &str) -> String {
        let id = match label.trim().to_lowercase().as_str() {
            "birthday" | "день рождения" => "date-birthday",
            "new year" => "holiday-new-year",
            "orthodox christmas" => "holiday-orthodox-christmas",
            "defender of the fatherland day" => "holiday-defender-day",
            "international women's day" => "holiday-womens-day",
            "orthodox easter" => "holiday-orthodox-easter",
            "easter" => "holiday-easter",
            "mother's day" => "holiday-mothers-day",
            "mother's day (russia)" => "holiday-mothers-day-russia",
            "christmas" => "holiday-christmas",
            _ => return label.to_string(),
        };
        self.get(id)
    }

    /// Where a consent came from, in the reader's language when the product wrote it (the
    /// demo's sign-up form); a source an import or a user gave is shown as given.
    pub fn consent_source(&self, source: &str) -> String {
        match source {
            "demo: sign-up form" => self.get("consent-source-demo-form"),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_follow_the_language() {
        let (en, ru) = (Tr::new(Lang::En), Tr::new(Lang::Ru));
        let m = Money::from_units(12_345_678_912);
        assert_eq!(en.money(m), "1,234,567.89");
        assert_eq!(ru.money(m), "1\u{202f}234\u{202f}567,89");
        assert_eq!(en.money(Money::from_units(-5_050)), "-0.51");
        assert_eq!(en.int(999), "999");
        assert_eq!(en.int(1_000), "1,000");
        assert_eq!(ru.percent(0.125), "12,5\u{202f}%");
        let d = Day::from_ymd(2024, 10, 4).unwrap();
        assert_eq!(en.date(d), "2024-10-04");
        assert_eq!(ru.date(d), "04.10.2024");
    }

    #[test]
    fn amounts_carry_the_currency_sign_where_each_language_writes_it() {
        let m = Money::from_units(12_345_600);
        let en = Tr::new(Lang::En);
        let ru = Tr::new(Lang::Ru);
        assert_eq!(en.money(m), "1,234.56", "no currency, no sign");
        assert_eq!(en.with_currency(Some(Currency::Usd)).money(m), "$1,234.56");
        assert_eq!(
            en.with_currency(Some(Currency::Gbp))
                .money(Money::from_units(-12_345_600)),
            "-£1,234.56"
        );
        assert_eq!(
            en.with_currency(Some(Currency::Rub)).money(m),
            "1,234.56\u{a0}₽"
        );
        assert_eq!(
            ru.with_currency(Some(Currency::Rub)).money(m),
            "1\u{202f}234,56\u{a0}₽"
        );
        assert_eq!(
            ru.with_currency(Some(Currency::Usd)).money(m),
            "1\u{202f}234,56\u{a0}$"
        );
    }

    #[test]
    fn accept_language_picks_the_best_of_ours() {
        assert_eq!(
            Lang::from_accept_language("de-DE, ru;q=0.8, en;q=0.9"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("ru-RU,ru;q=0.9,en-US;q=0.8"),
            Some(Lang::Ru)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("ru;q=0"), None);
    }

    #[test]
    fn near_days_are_words_and_known_labels_are_translated() {
        let (en, ru) = (Tr::new(Lang::En), Tr::new(Lang::Ru));
        assert_eq!(ru.in_days(0), "сегодня");
        assert_eq!(ru.in_days(1), "завтра");
        assert_eq!(ru.in_days(2), "через 2 дня");
        assert_eq!(ru.in_days(21), "через 21 день");
        assert_eq!(ru.in_days(25), "через 25 дней");
        assert_eq!(en.in_days(1), "tomorrow");
        assert_eq!(en.in_days(3), "in 3 days");
        assert_eq!(ru.date_label("birthday"), "День рождения");
        assert_eq!(ru.date_label("New Year"), "Новый год");
        assert_eq!(
            ru.date_label("Именины"),
            "Именины",
            "a user's label is kept"
        );
        let low = Some(Subgroup::Unprofitable);
        assert_eq!(
            ru.subgroup_by_profit(low, Some(Money::from_major(5))),
            "Малоприбыльные"
        );
        assert_eq!(
            ru.subgroup_by_profit(low, Some(Money::from_major(-5))),
            "Убыточные"
        );
        assert_eq!(en.subgroup_by_profit(low, Some(Money::ZERO)), "Low-profit");
    }

    #[test]
    fn russian_plurals_take_three_forms() {
        let ru = Tr::new(Lang::Ru);
        assert_eq!(ru.count("customers-count", 1), "1 клиент");
        assert_eq!(ru.count("customers-count", 3), "3 клиента");
        assert_eq!(ru.count("customers-count", 5), "5 клиентов");
        assert_eq!(ru.count("customers-count", 21), "21 клиент");
    }
}
