//! The currency amounts are in: a small closed set of ISO 4217 codes with their signs, and the
//! detection of a company's currency from what its data says about where it is.
//!
//! Amounts are stored as plain [`crate::Money`] (the exports carry no currency column), so the
//! currency is a setting of the whole database. When nobody has set it, [`detect`] reads the
//! customers' phone numbers and names: the country calling codes of the phones (+7 Russia and
//! Kazakhstan's shared plan is read as roubles, +375 Belarusian roubles, +380 hryvnias, +44
//! pounds, +1 dollars, the euro area's codes euros), else names in Cyrillic (roubles). A detection
//! needs a clear majority ([`MAJORITY`]) of the evidence and at least [`MIN_EVIDENCE`] customers
//! with it; otherwise no currency is assumed and amounts are shown without a sign, which the pages
//! say (nothing is guessed silently).

/// A currency amounts can be shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Currency {
    Rub,
    Usd,
    Eur,
    Gbp,
    Kzt,
    Byn,
    Uah,
}

/// The share of the evidence one currency must have to be detected.
pub const MAJORITY: f64 = 0.6;
/// The fewest customers with evidence (a phone with a country code, a name) a detection needs.
pub const MIN_EVIDENCE: usize = 5;

impl Currency {
    pub const ALL: [Currency; 7] = [
        Currency::Rub,
        Currency::Usd,
        Currency::Eur,
        Currency::Gbp,
        Currency::Kzt,
        Currency::Byn,
        Currency::Uah,
    ];

    /// The ISO 4217 code: `RUB`.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Rub => "RUB",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Kzt => "KZT",
            Currency::Byn => "BYN",
            Currency::Uah => "UAH",
        }
    }

    /// The sign written beside amounts: `₽`, `$`.
    pub fn sign(self) -> &'static str {
        match self {
            Currency::Rub => "₽",
            Currency::Usd => "$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Kzt => "₸",
            Currency::Byn => "Br",
            Currency::Uah => "₴",
        }
    }

    /// Whether English writes the sign before the number (`$1.50`) rather than after it
    /// (`1.50 ₽`); Russian always writes it after.
    pub fn sign_first_in_english(self) -> bool {
        matches!(self, Currency::Usd | Currency::Eur | Currency::Gbp)
    }

    /// The currency of an ISO code, in any case (`rub`, `RUB`).
    pub fn parse(code: &str) -> Option<Currency> {
        let code = code.trim();
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What a detection found, for the sentence that says how the currency was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// `count` of `of` phone numbers carry the currency's country calling code.
    Phones { count: usize, of: usize },
    /// `count` of `of` names are written in Cyrillic.
    CyrillicNames { count: usize, of: usize },
}

/// A detected currency and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub currency: Currency,
    pub evidence: Evidence,
}

/// The currency a phone number's country calling code points to (`+7 912 …`, `8 912 …` and
/// `007…` read as +7); `None` for numbers without a code we know.
pub fn currency_of_phone(phone: &str) -> Option<Currency> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let plus = phone.trim_start().starts_with('+');
    let international = if plus {
        digits.as_str()
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest
    } else if digits.len() == 11 && digits.starts_with('8') {
        // The Russian trunk prefix: 8 912 345-67-89.
        return Some(Currency::Rub);
    } else {
        return None;
    };
    const CODES: [(&str, Currency); 25] = [
        ("375", Currency::Byn),
        ("380", Currency::Uah),
        ("353", Currency::Eur),
        ("351", Currency::Eur),
        ("358", Currency::Eur),
        ("372", Currency::Eur),
        ("371", Currency::Eur),
        ("370", Currency::Eur),
        ("356", Currency::Eur),
        ("357", Currency::Eur),
        ("385", Currency::Eur),
        ("386", Currency::Eur),
        ("421", Currency::Eur),
        ("352", Currency::Eur),
        ("30", Currency::Eur),
        ("31", Currency::Eur),
        ("32", Currency::Eur),
        ("33", Currency::Eur),
        ("34", Currency::Eur),
        ("39", Currency::Eur),
        ("43", Currency::Eur),
        ("49", Currency::Eur),
        ("44", Currency::Gbp),
        ("1", Currency::Usd),
        ("7", Currency::Rub),
    ];
    // Kazakhstan shares +7 with Russia: its numbers start +7 6 or +7 7.
    if let Some(rest) = international.strip_prefix('7')
        && (rest.starts_with('6') || rest.starts_with('7'))
    {
        return Some(Currency::Kzt);
    }
    CODES
        .iter()
        .find(|(code, _)| international.starts_with(code))
        .map(|&(_, c)| c)
}

/// Whether a name is written mostly in Cyrillic letters.
pub fn is_cyrillic_name(name: &str) -> bool {
    let (mut cyrillic, mut letters) = (0usize, 0usize);
    for c in name.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if ('\u{0400}'..='\u{04ff}').contains(&c) {
            cyrillic += 1;
        }
    }
    letters > 0 && cyrillic * 2 > letters
}

/// The company's currency from a sample of its customers' phone numbers and names: the phones'
/// country codes first (a clear majority of at least [`MIN_EVIDENCE`] numbers), else Cyrillic
/// names for roubles. `None` when the data does not say.
pub fn detect<'a>(
    phones: impl IntoIterator<Item = &'a str>,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<Detected> {
    let mut counts = [0usize; Currency::ALL.len()];
    let mut of = 0;
    for phone in phones {
        if let Some(c) = currency_of_phone(phone) {
            of += 1;
            counts[Currency::ALL.iter().position(|&x| x == c).unwrap_or(0)] += 1;
        }
    }
    if of >= MIN_EVIDENCE {
        let (best, &count) = counts.iter().enumerate().max_by_key(|&(_, n)| *n)?;
        if count as f64 >= MAJORITY * of as f64 {
            return Some(Detected {
                currency: Currency::ALL[best],
                evidence: Evidence::Phones { count, of },
            });
        }
    }
    let (mut count, mut of) = (0, 0);
    for name in names {
        if name.chars().any(char::is_alphabetic) {
            of += 1;
            count += usize::from(is_cyrillic_name(name));
        }
    }
    (of >= MIN_EVIDENCE && count as f64 >= MAJORITY * of as f64).then_some(Detected {
        currency: Currency::Rub,
        evidence: Evidence::CyrillicNames { count, of },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_name_their_country() {
        assert_eq!(currency_of_phone("+7 912 345-67-89"), Some(Currency::Rub));
        assert_eq!(currency_of_phone("8 (912) 345-67-89"), Some(Currency::Rub));
        assert_eq!(currency_of_phone("+7 701 123 4567"), Some(Currency::Kzt));
        assert_eq!(currency_of_phone("+375 29 123-45-67"), Some(Currency::Byn));
        assert_eq!(currency_of_phone("+44 20 7946 0958"), Some(Currency::Gbp));
        assert_eq!(currency_of_phone("+1 212 555 0100"), Some(Currency::Usd));
        assert_eq!(currency_of_phone("0049 30 1234567"), Some(Currency::Eur));
        assert_eq!(currency_of_phone("912 345 67 89"), None);
        assert_eq!(currency_of_phone(""), None);
    }

    #[test]
    fn detection_needs_a_clear_majority() {
        let ru = ["+7 912 000-00-01"; 4];
        // Four numbers are not enough evidence; five are.
        assert_eq!(detect(ru, []), None);
        let five = ["+7 912 000-00-01"; 5];
        assert_eq!(
            detect(five, []),
            Some(Detected {
                currency: Currency::Rub,
                evidence: Evidence::Phones { count: 5, of: 5 }
            })
        );
        // 3 of 6 is no majority: the names decide.
        let mixed = [
            "+7 912 1", "+7 912 2", "+7 912 3", "+1 212 1", "+1 212 2", "+44 20 1",
        ];
        assert_eq!(detect(mixed, ["Alice", "Bob"]), None);
        let names = [
            "Ольга Смирнова",
            "Иван",
            "Пётр Иванов",
            "Anna",
            "Мария",
            "Олег",
        ];
        assert_eq!(
            detect(mixed, names),
            Some(Detected {
                currency: Currency::Rub,
                evidence: Evidence::CyrillicNames { count: 5, of: 6 }
            })
        );
        assert_eq!(detect([], ["Alice", "Bob", "Carol", "Dan", "Eve"]), None);
    }

    #[test]
    fn codes_read_back_in_any_case() {
        for c in Currency::ALL {
            assert_eq!(Currency::parse(c.code()), Some(c));
            assert_eq!(Currency::parse(&c.code().to_lowercase()), Some(c));
        }
        assert_eq!(Currency::parse("XYZ"), None);
    }
}
