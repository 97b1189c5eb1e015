//! What a CRM knows about a generated person besides orders and the customers file: how they like
//! to be reached, the consents they gave or withdrew, the holidays they celebrate and what their
//! manager noted. The demo database is filled from it, so the dashboard's card, "Today" channels
//! and "Upcoming dates" have something real-looking to show.
//!
//! Like the files, a dossier is a pure function of (configuration, person index): its draws come
//! from their own stream, so adding a dossier field never changes the orders or customers files.

use clientele_core::Day;
use rand::Rng;

use crate::config::SynthConfig;
use crate::names::MANAGERS;
use crate::rng::{Stream, Xoshiro};

/// A way to reach a person that a consent or a preference can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactChannel {
    Email,
    Phone,
    Sms,
    Messenger,
}

impl ContactChannel {
    pub const ALL: [ContactChannel; 4] = [
        ContactChannel::Email,
        ContactChannel::Phone,
        ContactChannel::Sms,
        ContactChannel::Messenger,
    ];
}

/// How people prefer to be reached, in [`ContactChannel::ALL`] order; the rest (5 %) state no
/// preference.
pub const PREFERRED_CHANNEL_SHARES: [f64; 4] = [0.35, 0.30, 0.10, 0.20];

/// Share of people who consented to marketing on their preferred channel; on any other channel
/// it is [`OTHER_CONSENT_SHARE`].
pub const PREFERRED_CONSENT_SHARE: f64 = 0.9;
pub const OTHER_CONSENT_SHARE: f64 = 0.3;
/// Share of given consents that are later withdrawn (a second, later record).
pub const WITHDRAWN_SHARE: f64 = 0.1;

/// A consent given (or withdrawn) on a day, as a CRM records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Consent {
    pub channel: ContactChannel,
    pub granted: bool,
    pub day: Day,
}

/// Holidays a person celebrates and a shop greets them on. Each has a fixed rule; the store's
/// recurrence rules (yearly, nth weekday, Easter-relative) express all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holiday {
    /// 1 January.
    NewYear,
    /// 7 January (Orthodox Christmas on the Gregorian calendar).
    OrthodoxChristmas,
    /// 23 February.
    DefenderOfTheFatherlandDay,
    /// 8 March.
    InternationalWomensDay,
    /// Orthodox Easter Sunday.
    OrthodoxEaster,
    /// Western Easter Sunday.
    Easter,
    /// The second Sunday of May (most countries).
    MothersDay,
    /// The last Sunday of November (Russia).
    MothersDayRussia,
    /// 25 December.
    Christmas,
}

impl Holiday {
    pub const ALL: [Holiday; 9] = [
        Holiday::NewYear,
        Holiday::OrthodoxChristmas,
        Holiday::DefenderOfTheFatherlandDay,
        Holiday::InternationalWomensDay,
        Holiday::OrthodoxEaster,
        Holiday::Easter,
        Holiday::MothersDay,
        Holiday::MothersDayRussia,
        Holiday::Christmas,
    ];

    /// The label a personal date of this holiday carries.
    pub fn label(self) -> &'static str {
        match self {
            Holiday::NewYear => "New Year",
            Holiday::OrthodoxChristmas => "Orthodox Christmas",
            Holiday::DefenderOfTheFatherlandDay => "Defender of the Fatherland Day",
            Holiday::InternationalWomensDay => "International Women's Day",
            Holiday::OrthodoxEaster => "Orthodox Easter",
            Holiday::Easter => "Easter",
            Holiday::MothersDay => "Mother's Day",
            Holiday::MothersDayRussia => "Mother's Day (Russia)",
            Holiday::Christmas => "Christmas",
        }
    }
}

/// Share of people with one favourite holiday on record; [`TWO_HOLIDAYS_SHARE`] of everyone has
/// a second one as well.
pub const HOLIDAY_SHARE: f64 = 0.4;
pub const TWO_HOLIDAYS_SHARE: f64 = 0.1;

/// A dossier note: who wrote it and what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DossierNote {
    pub author: &'static str,
    pub text: &'static str,
}

/// Share of buyers with at least one dossier note; [`TWO_NOTES_SHARE`] of buyers have two.
/// People who never bought have none.
pub const NOTE_SHARE: f64 = 0.08;
pub const TWO_NOTES_SHARE: f64 = 0.02;

/// What account managers write down (in Russian: the managers and most customers are Russian
/// speakers).
pub const NOTE_TEXTS: [&str; 10] = [
    "Предпочитает звонки после 18:00.",
    "Просила не присылать рассылки по выходным.",
    "Покупает подарки к праздникам: предложить подборку заранее.",
    "Была жалоба на доставку, решили скидкой на следующий заказ.",
    "Интересуется новинками, просил сообщать о поступлениях.",
    "Оплата только по счёту, документы отправлять на почту.",
    "Любит, когда обращаются по имени и отчеству.",
    "Постоянный гость магазина на Тверской, знает продавцов по именам.",
    "Сравнивает цены с конкурентами: важна персональная скидка.",
    "Рекомендовал нас коллегам, поблагодарить при следующем звонке.",
];

/// Everything [`dossier`] says about one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dossier {
    pub preferred_channel: Option<ContactChannel>,
    /// In the order they happened: a withdrawal follows the consent it withdraws.
    pub consents: Vec<Consent>,
    pub holidays: Vec<Holiday>,
    pub notes: Vec<DossierNote>,
}

/// The dossier of person `index` (buyers are `0..cfg.customers`, then the people who never
/// bought, as in the customers file).
pub fn dossier(cfg: &SynthConfig, index: u64) -> Dossier {
    let mut rng = Xoshiro::for_person(cfg.seed, index, Stream::Dossier);
    let preferred_channel =
        pick_share(&mut rng, &PREFERRED_CHANNEL_SHARES).map(|i| ContactChannel::ALL[i]);
    let span = cfg.end.days_since(cfg.start) + 1;
    let mut consents = Vec::new();
    for channel in ContactChannel::ALL {
        let share = if Some(channel) == preferred_channel {
            PREFERRED_CONSENT_SHARE
        } else {
            OTHER_CONSENT_SHARE
        };
        if rng.random::<f64>() >= share {
            continue;
        }
        let given = cfg.start.plus_days(rng.random_range(0..span));
        consents.push(Consent {
            channel,
            granted: true,
            day: given,
        });
        if rng.random::<f64>() < WITHDRAWN_SHARE {
            let left = cfg.end.days_since(given);
            consents.push(Consent {
                channel,
                granted: false,
                day: given.plus_days(rng.random_range(0..=left)),
            });
        }
    }
    let mut holidays = Vec::new();
    let u = rng.random::<f64>();
    let wanted = if u < TWO_HOLIDAYS_SHARE {
        2
    } else if u < HOLIDAY_SHARE {
        1
    } else {
        0
    };
    while holidays.len() < wanted {
        let h = Holiday::ALL[rng.random_range(0..Holiday::ALL.len())];
        if !holidays.contains(&h) {
            holidays.push(h);
        }
    }
    let mut notes = Vec::new();
    if index < cfg.customers {
        let u = rng.random::<f64>();
        let count = if u < TWO_NOTES_SHARE {
            2
        } else if u < NOTE_SHARE {
            1
        } else {
            0
        };
        for _ in 0..count {
            notes.push(DossierNote {
                author: MANAGERS[rng.random_range(0..MANAGERS.len())],
                text: NOTE_TEXTS[rng.random_range(0..NOTE_TEXTS.len())],
            });
        }
    }
    Dossier {
        preferred_channel,
        consents,
        holidays,
        notes,
    }
}

/// The index whose cumulative share first exceeds a uniform draw, or `None` for the remainder.
fn pick_share(rng: &mut Xoshiro, shares: &[f64]) -> Option<usize> {
    let u = rng.random::<f64>();
    let mut cumulative = 0.0;
    for (i, share) in shares.iter().enumerate() {
        cumulative += share;
        if u < cumulative {
            return Some(i);
        }
    }
    None
}
