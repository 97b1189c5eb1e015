//! Greetings written from the dossier.
//!
//! A greeting is an opening (by the customer's name, or the company's), the occasion, what the
//! company knows about the customer (their favourite categories or a product they bought, how
//! long they have been a customer or how many orders they made, cues from the managers' notes:
//! an interest in new arrivals, gifts for the family, a recommendation), a wish and a closing
//! signed by the manager or the company. Each part has several phrasings; a *variant* picks one
//! of each, so the same facts give up to [`VARIANTS`] different texts.
//!
//! No two customers of one occasion get the same text: [`unique_greeting`] starts at a variant
//! chosen by the customer's reference (so neighbours in a list do not all start alike) and walks
//! the variants until it finds a text the caller has not given to anyone else; if the first
//! [`MAX_TRIES`] are all taken (customers with identical facts, no name among them), it adds
//! the customer's own reference number, which no one else has.
//!
//! Notes are read only for cues that add a kind sentence; nothing of a note is quoted, so a
//! complaint written in the dossier never reaches a greeting.

use super::greeting_words::{CUE_GIFTS, CUE_NEW_ARRIVALS, CUE_RECOMMENDED, EN, RU, Words};
use super::{Language, ru_plural};
use crate::recurrence::holidays::Holiday;

/// What the greeting is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occasion<'a> {
    Birthday,
    NameDay,
    /// A holiday of the catalogue.
    Holiday(&'static Holiday),
    /// A holiday the catalogue does not know, by the label the company gave it.
    HolidayLabel(&'a str),
    /// The customer company's founding day; `years` since the founding when the year is known.
    FoundingDay {
        years: Option<i32>,
    },
    /// The anniversary of the first purchase, `years` after it.
    FirstPurchase {
        years: i32,
    },
    /// Any other date, by its label.
    Custom(&'a str),
}

/// What the company knows about the customer that a greeting may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GreetingFacts<'a> {
    /// The customer's name as stored (a person's or a company's); `None`: greeted without it.
    pub name: Option<&'a str>,
    /// A company rather than a person (other openings and wishes).
    pub company: bool,
    pub occasion: Occasion<'a>,
    /// Favourite categories, most bought first (the first two are named).
    pub categories: &'a [String],
    /// Products bought, most bought first (the first is named when no category is known).
    pub products: &'a [String],
    /// The year of the first purchase.
    pub since_year: Option<i32>,
    /// Whole years since the first purchase.
    pub tenure_years: Option<i32>,
    pub orders: u32,
    /// The managers' notes (read for cues only).
    pub notes: &'a [String],
    /// Who signs: the manager's name, or the company's; empty for an unsigned closing.
    pub signature: &'a str,
    /// The customer's own reference (their external id): the starting variant is chosen from
    /// it, and it is written out only when every variant tried is taken.
    pub reference: &'a str,
}

const OPENINGS: u32 = 5;
const OCCASIONS: u32 = 3;
const WISHES: u32 = 6;
const CLOSINGS: u32 = 4;
const STYLES: u32 = 2;

/// How many variants the phrasings give for one set of facts (some may coincide when the facts
/// leave a part out).
pub const VARIANTS: u32 = OPENINGS * OCCASIONS * WISHES * CLOSINGS * STYLES;

/// How many variants [`unique_greeting`] tries before it adds the customer's reference.
pub const MAX_TRIES: u32 = 96;

/// The longest text [`compose`] writes for facts within the store's bounds (names, categories
/// and products of at most 1,000 characters, a signature of at most 200): the opening, the
/// occasion, two categories or a product, the history, the cues, the wish and the closing.
pub const MAX_CHARS: usize = 4 * 1_000 + 200 + 1_200;

fn words(language: Language) -> &'static Words {
    match language {
        Language::En => &EN,
        Language::Ru => &RU,
    }
}

/// The parts a variant number picks, by mixed radix.
struct Picks {
    opening: usize,
    occasion: usize,
    wish: usize,
    closing: usize,
    style: usize,
}

fn picks(variant: u32) -> Picks {
    let mut v = variant % VARIANTS;
    let mut next = |radix: u32| {
        let r = v % radix;
        v /= radix;
        r as usize
    };
    Picks {
        opening: next(OPENINGS),
        occasion: next(OCCASIONS),
        wish: next(WISHES),
        closing: next(CLOSINGS),
        style: next(STYLES),
    }
}

fn years_word(language: Language, n: i32) -> &'static str {
    match language {
        Language::En if n == 1 => "year",
        Language::En => "years",
        Language::Ru => ru_plural(n.unsigned_abs().into(), "год", "года", "лет"),
    }
}

fn orders_word(language: Language, n: u32) -> &'static str {
    match language {
        Language::En if n == 1 => "order",
        Language::En => "orders",
        Language::Ru => ru_plural(n.into(), "заказ", "заказа", "заказов"),
    }
}

/// Which kind sentences the notes ask for.
fn cues(notes: &[String]) -> (bool, bool, bool) {
    let lower: Vec<String> = notes.iter().map(|n| n.to_lowercase()).collect();
    let any = |fragments: &[&str]| {
        lower
            .iter()
            .any(|n| fragments.iter().any(|f| n.contains(f)))
    };
    (
        any(&CUE_NEW_ARRIVALS),
        any(&CUE_GIFTS),
        any(&CUE_RECOMMENDED),
    )
}

fn quoted(w: &Words, text: &str) -> String {
    format!("{}{}{}", w.quotes.0, text.trim(), w.quotes.1)
}

/// The greeting for `facts` in `language`, phrased by `variant` (any number: it is taken
/// modulo [`VARIANTS`]). Lines are separated by `\n`.
pub fn compose(facts: &GreetingFacts<'_>, language: Language, variant: u32) -> String {
    let w = words(language);
    let p = picks(variant);
    let name = facts.name.map(str::trim).filter(|n| !n.is_empty());
    let opening = match (name, facts.company) {
        (Some(n), true) => w.openings_company[p.opening].replace("{name}", n),
        (Some(n), false) => w.openings_named[p.opening].replace("{name}", n),
        (None, _) => w.openings_unnamed[p.opening].to_string(),
    };
    let occasion = match facts.occasion {
        Occasion::Birthday => w.birthday[p.occasion].to_string(),
        Occasion::NameDay => w.name_day[p.occasion].to_string(),
        Occasion::Holiday(h) => {
            let wish = match language {
                Language::En => h.wish_en,
                Language::Ru => h.wish_ru,
            };
            w.holiday[p.occasion].replace("{wish}", wish)
        }
        Occasion::HolidayLabel(label) => w.holiday_label[p.occasion].replace("{label}", label),
        Occasion::FoundingDay { years: Some(n) } if n > 0 => w.founding_years[p.occasion]
            .replace("{n}", &n.to_string())
            .replace("{years}", years_word(language, n)),
        Occasion::FoundingDay { .. } => w.founding[p.occasion].to_string(),
        Occasion::FirstPurchase { years } => w.first_purchase[p.occasion]
            .replace("{n}", &years.to_string())
            .replace("{years}", years_word(language, years)),
        Occasion::Custom(label) => w.custom[p.occasion].replace("{label}", label),
    };
    let mut body = vec![occasion];
    let categories: Vec<String> = facts
        .categories
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .take(2)
        .map(|c| quoted(w, c))
        .collect();
    if !categories.is_empty() {
        body.push(w.categories[p.style].replace("{c}", &categories.join(w.and)));
    } else if let Some(product) = facts
        .products
        .iter()
        .map(|p| p.trim())
        .find(|p| !p.is_empty())
    {
        body.push(w.product[p.style].replace("{p}", &quoted(w, product)));
    }
    // The first purchase's anniversary already says how long; other occasions thank for it.
    let anniversary = matches!(facts.occasion, Occasion::FirstPurchase { .. });
    match (facts.since_year, facts.tenure_years) {
        (Some(year), Some(n)) if n >= 1 && !anniversary => body.push(if p.style == 0 {
            w.since.replace("{year}", &year.to_string())
        } else {
            w.tenure
                .replace("{n}", &n.to_string())
                .replace("{years}", years_word(language, n))
        }),
        _ if facts.orders >= 3 => body.push(
            w.orders[p.style]
                .replace("{n}", &facts.orders.to_string())
                .replace("{orders}", orders_word(language, facts.orders)),
        ),
        _ => {}
    }
    let (new_arrivals, gifts, recommended) = cues(facts.notes);
    if new_arrivals {
        body.push(w.cue_new_arrivals.to_string());
    }
    if gifts {
        body.push(w.cue_gifts.to_string());
    }
    if recommended {
        body.push(w.cue_recommended.to_string());
    }
    body.push(
        if facts.company {
            w.wishes_company[p.wish]
        } else {
            w.wishes_person[p.wish]
        }
        .to_string(),
    );
    let signature = facts.signature.trim();
    let closing = if signature.is_empty() {
        w.closings_unsigned[p.closing].to_string()
    } else {
        w.closings[p.closing].replace("{sig}", signature)
    };
    format!("{opening}\n{}\n{closing}", body.join(" "))
}

/// FNV-1a: a fixed hash of the reference (the same on every machine and run), to start each
/// customer at a different variant.
fn start_variant(reference: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in reference.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % u64::from(VARIANTS)) as u32
}

/// A greeting for `facts` that `taken` says nobody else of the occasion has: the variants from
/// the customer's starting one, at most [`MAX_TRIES`] of them, then the starting variant with
/// the customer's reference added (unique as long as references are). Returns the text and
/// the variant used (`None` when the reference had to be added).
pub fn unique_greeting(
    facts: &GreetingFacts<'_>,
    language: Language,
    taken: impl Fn(&str) -> bool,
) -> (String, Option<u32>) {
    let start = start_variant(facts.reference);
    for k in 0..MAX_TRIES {
        let variant = (start + k) % VARIANTS;
        let text = compose(facts, language, variant);
        if !taken(&text) {
            return (text, Some(variant));
        }
    }
    let text = compose(facts, language, start);
    let reference = words(language)
        .reference
        .replace("{ref}", facts.reference.trim());
    // Before the closing line: "…wish. Your customer number: C17.\nBest regards, Anna".
    let with_reference = match text.rfind('\n') {
        Some(at) => format!("{} {reference}{}", &text[..at], &text[at..]),
        None => format!("{text} {reference}"),
    };
    (with_reference, None)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::recurrence::holidays::holiday;

    fn facts<'a>(
        name: Option<&'a str>,
        occasion: Occasion<'a>,
        categories: &'a [String],
        notes: &'a [String],
        reference: &'a str,
    ) -> GreetingFacts<'a> {
        GreetingFacts {
            name,
            company: false,
            occasion,
            categories,
            products: &[],
            since_year: Some(2019),
            tenure_years: Some(5),
            orders: 12,
            notes,
            signature: "Анна Смирнова",
            reference,
        }
    }

    #[test]
    fn a_russian_greeting_reads_as_written_by_hand() {
        let categories = vec!["Книги".to_string(), "Канцелярия".to_string()];
        let notes = vec!["Интересуется новинками, просил сообщать о поступлениях.".to_string()];
        let f = facts(
            Some("Мария Петрова"),
            Occasion::Holiday(holiday("new_year").unwrap()),
            &categories,
            &notes,
            "C17",
        );
        // Variant 0: the first phrasing of every part, style 0.
        assert_eq!(
            compose(&f, Language::Ru, 0),
            "Здравствуйте, Мария Петрова!\n\
             Поздравляем вас с Новым годом! Мы помним, как вы любите «Книги» и «Канцелярия». \
             Вы с нами с 2019 года: спасибо за доверие! \
             Как и обещали, первыми расскажем вам о новинках. \
             Желаем счастья, здоровья и прекрасного настроения!\n\
             С уважением, Анна Смирнова"
        );
        // The last variant: the last phrasing of every part, style 1.
        assert_eq!(
            compose(&f, Language::Ru, VARIANTS - 1),
            "Приветствуем вас, Мария Петрова!\n\
             Сердечно поздравляем вас с Новым годом! Спасибо, что выбираете у нас «Книги» и \
             «Канцелярия». Спасибо, что вы с нами уже 5 лет! \
             Как и обещали, первыми расскажем вам о новинках. \
             Желаем вдохновения и удачи во всём!\n\
             С теплом, Анна Смирнова"
        );
    }

    #[test]
    fn an_english_anniversary_counts_its_years_and_orders() {
        let f = GreetingFacts {
            name: Some("John Smith"),
            company: false,
            occasion: Occasion::FirstPurchase { years: 1 },
            categories: &[],
            products: &["Espresso machine".to_string()],
            since_year: Some(2023),
            tenure_years: Some(1),
            orders: 3,
            notes: &[],
            signature: "",
            reference: "C1",
        };
        assert_eq!(
            compose(&f, Language::En, 0),
            "Hello John Smith!\n\
             Exactly 1 year ago you made your first purchase with us, and we remember it! \
             We hope “Espresso machine” still brings you joy. \
             Thank you for all 3 orders: each one matters to us. \
             Wishing you health, happiness and a wonderful mood!\n\
             Best regards!"
        );
    }

    #[test]
    fn russian_counts_take_their_plural_forms() {
        let mut f = facts(None, Occasion::FirstPurchase { years: 2 }, &[], &[], "C2");
        f.orders = 21;
        let text = compose(&f, Language::Ru, 0);
        assert!(text.contains("Ровно 2 года назад"), "{text}");
        assert!(text.contains("Спасибо за 21 заказ:"), "{text}");
        f.occasion = Occasion::FirstPurchase { years: 11 };
        f.orders = 14;
        let text = compose(&f, Language::Ru, 0);
        assert!(text.contains("Ровно 11 лет назад"), "{text}");
        assert!(text.contains("Спасибо за 14 заказов:"), "{text}");
    }

    #[test]
    fn complaints_in_notes_never_reach_the_text() {
        let notes = vec![
            "Была жалоба на доставку, решили скидкой на следующий заказ.".to_string(),
            "Покупает подарки к праздникам.".to_string(),
        ];
        let f = facts(Some("Олег"), Occasion::Birthday, &[], &notes, "C3");
        for v in 0..VARIANTS {
            let text = compose(&f, Language::Ru, v);
            assert!(
                !text.contains("жалоб") && !text.contains("доставк"),
                "{text}"
            );
            assert!(text.contains("поможем подобрать"), "the gift cue: {text}");
        }
    }

    /// 5,000 customers with identical facts and no name (the worst case: nothing tells them
    /// apart) all greeted on one occasion: every text differs, a reference is written only in
    /// the texts that needed one, and the first [`MAX_TRIES`] customers never need one (each
    /// tries that many consecutive variants, fewer of which are taken).
    #[test]
    fn no_two_customers_of_one_occasion_get_the_same_text() {
        let holiday = Occasion::Holiday(holiday("womens_day").unwrap());
        // Without a name the variants differ in opening, occasion, wish, closing and style
        // (the style picks between "since 2019" and "5 years"): all of them are distinct.
        let one = facts(None, holiday, &[], &[], "C0");
        let all: HashSet<String> = (0..VARIANTS)
            .map(|v| compose(&one, Language::En, v))
            .collect();
        assert_eq!(all.len(), VARIANTS as usize);
        let references: Vec<String> = (0..5_000).map(|i| format!("C{i}")).collect();
        let mut given: HashSet<String> = HashSet::new();
        for (i, r) in references.iter().enumerate() {
            let f = facts(None, holiday, &[], &[], r);
            let (text, variant) = unique_greeting(&f, Language::En, |t| given.contains(t));
            if variant.is_some() {
                assert!(!text.contains("customer number"), "{text}");
            } else {
                assert!(i >= MAX_TRIES as usize, "customer {i} needed a reference");
                assert!(
                    text.contains(&format!("Your customer number: {r}.\n")),
                    "{text}"
                );
            }
            assert!(given.insert(text), "a text given twice");
        }
        assert_eq!(given.len(), 5_000);
    }

    #[test]
    fn texts_stay_within_the_documented_bound() {
        let long = "я".repeat(1_000);
        let categories = vec![long.clone(), long.clone()];
        let notes = vec!["новинки, подарки, рекомендовал нас".to_string()];
        let sig = "s".repeat(200);
        let f = GreetingFacts {
            name: Some(&long),
            company: true,
            occasion: Occasion::HolidayLabel(&long),
            categories: &categories,
            products: &[],
            since_year: Some(2000),
            tenure_years: Some(24),
            orders: 1_000_000,
            notes: &notes,
            signature: &sig,
            reference: "C",
        };
        for language in Language::ALL {
            for v in 0..VARIANTS {
                assert!(compose(&f, language, v).chars().count() <= MAX_CHARS);
            }
        }
    }
}
