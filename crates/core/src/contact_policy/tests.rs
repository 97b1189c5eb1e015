//! Hand-worked cases for consent, channels, quiet hours (checked against Python's `zoneinfo`
//! over the system tz database, an independent implementation: see the comments) and caps,
//! and a property test of the planner's cap guarantee.

use proptest::prelude::*;

use super::*;
use crate::{Day, Rung};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn profile(consented: &[Channel], preferred: Option<Channel>, zone: &str) -> ContactProfile {
    ContactProfile {
        consented: ChannelSet::of(consented.iter().copied()),
        reachable: ChannelSet::ALL,
        preferred,
        time_zone: time_zone(zone).unwrap(),
        quiet_hours: None,
        rung: None,
    }
}

fn contact(kind: MessageKind, wanted_at: &str) -> PlannedContact {
    PlannedContact {
        customer: 0,
        kind,
        module: Module::Queue,
        wanted_at: ts(wanted_at),
        deadline: None,
        channels: ChannelSet::MESSAGES,
        priority: 0,
    }
}

fn record(at: &str, kind: MessageKind) -> ContactRecord {
    ContactRecord { at: ts(at), kind }
}

fn sent(d: Decision) -> SendPlan {
    match d {
        Decision::Send(s) => s,
        Decision::Refused(r) => panic!("refused: {r:?}"),
    }
}

fn refused(d: Decision) -> Refusal {
    match d {
        Decision::Refused(r) => r,
        Decision::Send(s) => panic!("sent: {s:?}"),
    }
}

#[test]
fn the_latest_consent_event_per_channel_decides() {
    let events = [
        ConsentEvent {
            channel: Channel::Email,
            granted: true,
            day: day(2024, 1, 1),
            source: "import",
        },
        ConsentEvent {
            channel: Channel::Sms,
            granted: false,
            day: day(2024, 3, 3),
            source: "api",
        },
        ConsentEvent {
            channel: Channel::Email,
            granted: false,
            day: day(2024, 5, 5),
            source: "card",
        },
        // Same day as the SMS withdrawal, recorded after it: in force.
        ConsentEvent {
            channel: Channel::Sms,
            granted: true,
            day: day(2024, 3, 3),
            source: "card",
        },
        // Dated after the day asked about: not yet in force.
        ConsentEvent {
            channel: Channel::Phone,
            granted: true,
            day: day(2024, 7, 1),
            source: "form",
        },
    ];
    let now = consent_in_force(&events, day(2024, 6, 1));
    assert_eq!(now.consented(), ChannelSet::of([Channel::Sms]));
    assert_eq!(now.withdrawn(), ChannelSet::of([Channel::Email]));
    assert_eq!(now.get(Channel::Email).unwrap().source, "card");
    assert_eq!(now.get(Channel::Phone), None);
    // Before the e-mail withdrawal, e-mail was consented.
    let earlier = consent_in_force(&events, day(2024, 4, 1));
    assert_eq!(
        earlier.consented(),
        ChannelSet::of([Channel::Email, Channel::Sms])
    );
    assert!(
        consent_in_force(&[], day(2024, 1, 1))
            .consented()
            .is_empty()
    );
}

#[test]
fn the_preferred_channel_only_with_consent() {
    let rules = ContactRules::default();
    let c = contact(MessageKind::Offer, "2024-06-01T12:00:00Z");
    // Preferred e-mail without consent: the first consented channel of the fallback order.
    let p = profile(&[Channel::Phone, Channel::Sms], Some(Channel::Email), "UTC");
    let s = sent(decide(&c, &p, &[], &rules));
    assert_eq!((s.channel, s.preferred), (Channel::Sms, false));
    // Preferred phone with consent: phone.
    let p = profile(&[Channel::Phone, Channel::Sms], Some(Channel::Phone), "UTC");
    assert_eq!(sent(decide(&c, &p, &[], &rules)).channel, Channel::Phone);
    assert!(sent(decide(&c, &p, &[], &rules)).preferred);
    // The message cannot use phone or SMS (a survey link): nothing consented among its channels.
    let survey = PlannedContact {
        channels: ChannelSet::of([Channel::Email, Channel::Messenger]),
        ..c
    };
    assert_eq!(
        refused(decide(&survey, &p, &[], &rules)),
        Refusal::NoConsentedChannel
    );
    // No consent at all.
    let none = profile(&[], Some(Channel::Email), "UTC");
    assert_eq!(
        refused(decide(&c, &none, &[], &rules)),
        Refusal::NoConsentedChannel
    );
    // Consent but no number.
    let mut no_number = profile(&[Channel::Sms], None, "UTC");
    no_number.reachable = ChannelSet::of([Channel::Email]);
    assert_eq!(
        refused(decide(&c, &no_number, &[], &rules)),
        Refusal::NoContactDetails {
            consented: ChannelSet::of([Channel::Sms])
        }
    );
    // Visits are never chosen for a message unless the contact allows them.
    let visit_only = profile(&[Channel::Visit], Some(Channel::Visit), "UTC");
    assert_eq!(
        refused(decide(&c, &visit_only, &[], &rules)),
        Refusal::NoConsentedChannel
    );
    let invitation = PlannedContact {
        channels: ChannelSet::ALL,
        ..c
    };
    assert_eq!(
        sent(decide(&invitation, &visit_only, &[], &rules)).channel,
        Channel::Visit
    );
}

#[test]
fn quiet_hours_in_the_customers_time_zone() {
    let rules = ContactRules::default();
    let moscow = profile(&[Channel::Email], None, "Europe/Moscow");
    // 20:30Z is 23:30 in Moscow (UTC+3): moved to 09:00 next day = 06:00Z
    // (zoneinfo: datetime(2024,6,2,9,0,tzinfo=Europe/Moscow) = 2024-06-02 06:00 UTC).
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-06-01T20:30:00Z"),
        &moscow,
        &[],
        &rules,
    ));
    assert_eq!(
        (s.at, s.moved_out_of_quiet_hours),
        (ts("2024-06-02T06:00:00Z"), true)
    );
    // 03:00Z is 06:00 in Moscow: moved to 09:00 the same day.
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-06-01T03:00:00Z"),
        &moscow,
        &[],
        &rules,
    ));
    assert_eq!(s.at, ts("2024-06-01T06:00:00Z"));
    // 12:00Z is 15:00: unchanged. 06:00Z is exactly 09:00, the end: not quiet.
    for t in ["2024-06-01T12:00:00Z", "2024-06-01T06:00:00Z"] {
        let s = sent(decide(
            &contact(MessageKind::Offer, t),
            &moscow,
            &[],
            &rules,
        ));
        assert_eq!((s.at, s.moved_out_of_quiet_hours), (ts(t), false));
    }
    // 18:00Z is 21:00, the start: quiet.
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-06-01T18:00:00Z"),
        &moscow,
        &[],
        &rules,
    ));
    assert_eq!(s.at, ts("2024-06-02T06:00:00Z"));
    // New York on the day clocks go forward: 06:00Z is 01:00 EST; 09:00 that day is EDT
    // (zoneinfo: 2024-03-10 09:00 America/New_York = 13:00 UTC).
    let ny = profile(&[Channel::Email], None, "America/New_York");
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-03-10T06:00:00Z"),
        &ny,
        &[],
        &rules,
    ));
    assert_eq!(s.at, ts("2024-03-10T13:00:00Z"));
    // The customer's own quiet hours, ending at 02:30, a time that does not exist that night:
    // one hour later by the wall clock, 03:30 EDT = 07:30Z (zoneinfo, fold=0: 07:30 UTC).
    let mut own = ny.clone();
    own.quiet_hours = Some(QuietHours::from_hm((22, 0), (2, 30)).unwrap());
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-03-10T04:00:00Z"),
        &own,
        &[],
        &rules,
    ));
    assert_eq!(s.at, ts("2024-03-10T07:30:00Z"));
    // Ending at 01:30 on the night clocks go back (01:30 happens twice): the first, EDT,
    // 05:30Z (zoneinfo: 2024-11-03 01:30 America/New_York, fold=0 = 05:30 UTC).
    own.quiet_hours = Some(QuietHours::from_hm((22, 0), (1, 30)).unwrap());
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-11-03T03:00:00Z"),
        &own,
        &[],
        &rules,
    ));
    assert_eq!(s.at, ts("2024-11-03T05:30:00Z"));
    // Daytime quiet hours (not across midnight) and none at all.
    let mut lunch = moscow.clone();
    lunch.quiet_hours = Some(QuietHours::from_hm((13, 0), (14, 0)).unwrap());
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-06-01T10:30:00Z"),
        &lunch,
        &[],
        &rules,
    ));
    assert_eq!(s.at, ts("2024-06-01T11:00:00Z"));
    lunch.quiet_hours = Some(QuietHours::NONE);
    let s = sent(decide(
        &contact(MessageKind::Offer, "2024-06-01T00:00:00Z"),
        &lunch,
        &[],
        &rules,
    ));
    assert!(!s.moved_out_of_quiet_hours);
    assert!(QuietHours::from_hm((24, 0), (9, 0)).is_err());
    assert!(QuietHours::from_hm((21, 60), (9, 0)).is_err());
    assert!(QuietHours::from_hm((u32::MAX, 0), (9, 0)).is_err());
}

#[test]
fn a_deadline_that_quiet_hours_would_miss() {
    let rules = ContactRules::default();
    let moscow = profile(&[Channel::Email], None, "Europe/Moscow");
    // A birthday greeting wanted at 22:00 Moscow (19:00Z) on the day, deadline the day's end
    // (20:59:59Z): the quiet hours would move it to tomorrow.
    let greeting = PlannedContact {
        deadline: Some(ts("2024-06-01T20:59:59Z")),
        ..contact(MessageKind::Greeting, "2024-06-01T19:00:00Z")
    };
    assert_eq!(
        refused(decide(&greeting, &moscow, &[], &rules)),
        Refusal::PastDeadline {
            earliest: ts("2024-06-02T06:00:00Z")
        }
    );
}

#[test]
fn frequency_caps_count_rolling_windows() {
    let rules = ContactRules::default();
    let p = profile(&[Channel::Email], None, "UTC");
    let c = contact(MessageKind::Offer, "2024-06-10T12:00:00Z");
    // Two counted contacts in the 7 days before: the week is full.
    let week = [
        record("2024-06-04T12:00:01Z", MessageKind::Reminder),
        record("2024-06-08T10:00:00Z", MessageKind::Survey),
    ];
    assert_eq!(
        refused(decide(&c, &p, &week, &rules)),
        Refusal::CapReached {
            window: CapWindow::Week,
            limit: 2
        }
    );
    assert_eq!(
        refused(decide(&c, &p, &week, &rules)).code(),
        "weekly_cap_reached"
    );
    // 7 days and 1 second earlier is outside the window [t − 7 days, t].
    let older = [
        record("2024-06-03T11:59:59Z", MessageKind::Reminder),
        record("2024-06-08T10:00:00Z", MessageKind::Survey),
    ];
    assert!(decide(&c, &p, &older, &rules).is_send());
    // Exactly 7 days earlier: a window of 7 days starting then still holds t? No: windows are
    // [s, s + 7 days), so a contact exactly 7 days before and t never share one.
    let exact = [
        record("2024-06-03T12:00:00Z", MessageKind::Reminder),
        record("2024-06-08T10:00:00Z", MessageKind::Survey),
    ];
    assert!(decide(&c, &p, &exact, &rules).is_send());
    // Planned contacts after t count too: two in the next 7 days fill the week.
    let later = [
        record("2024-06-11T12:00:00Z", MessageKind::Offer),
        record("2024-06-16T12:00:00Z", MessageKind::Offer),
    ];
    assert!(!decide(&c, &p, &later, &rules).is_send());
    // One before and one after, 8 days apart: every 7-day window around t holds one of them.
    let around = [
        record("2024-06-05T12:00:00Z", MessageKind::Offer),
        record("2024-06-13T12:00:01Z", MessageKind::Offer),
    ];
    assert!(decide(&c, &p, &around, &rules).is_send());
    // Six in 30 days, spread one a week at most: the month is full.
    let month: Vec<ContactRecord> = (0..6)
        .map(|i| ContactRecord {
            at: ts("2024-05-13T12:00:00Z")
                .checked_add(jiff::SignedDuration::from_hours(24 * 5 * i))
                .unwrap(),
            kind: MessageKind::Offer,
        })
        .collect();
    assert_eq!(
        refused(decide(&c, &p, &month, &rules)),
        Refusal::CapReached {
            window: CapWindow::Month,
            limit: 6
        }
    );
    // Service notices are neither capped nor counted.
    let notice = contact(MessageKind::ServiceNotice, "2024-06-10T12:00:00Z");
    assert!(decide(&notice, &p, &week, &rules).is_send());
    let notices = [
        record("2024-06-09T12:00:00Z", MessageKind::ServiceNotice),
        record("2024-06-09T13:00:00Z", MessageKind::ServiceNotice),
        record("2024-06-09T14:00:00Z", MessageKind::ServiceNotice),
    ];
    assert!(decide(&c, &p, &notices, &rules).is_send());
}

#[test]
fn caps_by_rung() {
    let mut rules = ContactRules::default();
    rules.caps.set(
        Rung::Advocate,
        FrequencyCap {
            per_week: Some(1),
            per_month: None,
        },
    );
    rules.caps.set(
        Rung::Prospect,
        FrequencyCap {
            per_week: Some(0),
            per_month: Some(0),
        },
    );
    let c = contact(MessageKind::Offer, "2024-06-10T12:00:00Z");
    let one = [record("2024-06-09T12:00:00Z", MessageKind::Offer)];
    let mut p = profile(&[Channel::Email], None, "UTC");
    assert!(decide(&c, &p, &one, &rules).is_send());
    p.rung = Some(Rung::Advocate);
    assert_eq!(
        refused(decide(&c, &p, &one, &rules)),
        Refusal::CapReached {
            window: CapWindow::Week,
            limit: 1
        }
    );
    p.rung = Some(Rung::Prospect);
    assert!(!decide(&c, &p, &[], &rules).is_send());
    p.rung = Some(Rung::Regular);
    assert_eq!(rules.caps.for_rung(p.rung), FrequencyCap::default());
}

#[test]
fn time_zones_come_from_the_compiled_in_database() {
    let z = time_zone("europe/moscow").unwrap();
    assert_eq!(z.iana_name(), Some("Europe/Moscow"));
    assert!(time_zone("UTC").is_ok());
    assert_eq!(
        time_zone("Mars/Olympus").unwrap_err().to_string(),
        "unknown time zone 'Mars/Olympus' (expected an IANA name such as Europe/Moscow)"
    );
    assert!(time_zone("").is_err());
    assert_eq!(Channel::parse("sms"), Some(Channel::Sms));
    assert_eq!(MessageKind::parse("win_back"), Some(MessageKind::WinBack));
    assert_eq!(Module::parse("calendar"), Some(Module::Calendar));
    assert_eq!(Channel::parse("fax"), None);
}

#[test]
fn the_planner_decides_by_priority_and_counts_what_it_allows() {
    let mut rules = ContactRules::default();
    rules.caps.default = FrequencyCap {
        per_week: Some(1),
        per_month: None,
    };
    let profiles = vec![
        profile(&[Channel::Email], None, "UTC"),
        profile(&[], None, "UTC"),
    ];
    let low = PlannedContact {
        priority: 1,
        ..contact(MessageKind::Offer, "2024-06-10T10:00:00Z")
    };
    let high = PlannedContact {
        priority: 5,
        ..contact(MessageKind::Survey, "2024-06-11T10:00:00Z")
    };
    let notice = contact(MessageKind::ServiceNotice, "2024-06-10T11:00:00Z");
    let other = PlannedContact { customer: 1, ..low };
    let stranger = PlannedContact { customer: 7, ..low };
    let contacts = [low, other, high, notice, stranger];
    let decisions = plan(&contacts, &profiles, &ContactHistory::empty(2), &rules);
    // The survey has the higher priority and takes the week's only slot.
    assert!(decisions[2].is_send());
    assert_eq!(
        decisions[0],
        Decision::Refused(Refusal::CapReached {
            window: CapWindow::Week,
            limit: 1
        })
    );
    assert!(decisions[3].is_send());
    assert_eq!(decisions[1], Decision::Refused(Refusal::NoConsentedChannel));
    assert_eq!(decisions[4], Decision::Refused(Refusal::UnknownCustomer));
    // History counts: with one offer already in the week, nothing but the notice goes.
    let history = ContactHistory::new(
        2,
        [(0, record("2024-06-09T10:00:00Z", MessageKind::Reminder))],
    )
    .unwrap();
    let decisions = plan(&contacts, &profiles, &history, &rules);
    assert_eq!(decisions.iter().filter(|d| d.is_send()).count(), 1);
    assert!(decisions[3].is_send());
    assert!(
        ContactHistory::new(2, [(2, record("2024-06-09T10:00:00Z", MessageKind::Offer))]).is_err()
    );
    assert!(plan(&[], &profiles, &history, &rules).is_empty());
}

/// Every window `[x, x + w)` starting at a counted time x that holds `t`: the busiest window
/// around `t` starts at one of them (an independent, quadratic check of the planner).
fn windows_over_cap(times: &[i64], t: i64, w: i64, limit: u32) -> bool {
    times
        .iter()
        .filter(|&&x| x > t - w && x <= t)
        .any(|&x| times.iter().filter(|&&y| y >= x && y < x + w).count() as u32 > limit)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn no_customer_ever_exceeds_a_cap(
        per_week in proptest::option::of(0u32..4),
        per_month in proptest::option::of(0u32..9),
        history in proptest::collection::vec((0u32..4, 0i64..(60 * 86_400), 0usize..7), 0..20),
        planned in proptest::collection::vec((0u32..4, 0i64..(60 * 86_400), 0usize..7, -3i32..3), 0..80),
    ) {
        let mut rules = ContactRules::default();
        rules.caps.default = FrequencyCap { per_week, per_month };
        rules.quiet_hours = QuietHours::NONE;
        let profiles: Vec<ContactProfile> =
            (0..4).map(|_| profile(&[Channel::Email], None, "UTC")).collect();
        let base = ts("2024-01-01T00:00:00Z").as_second();
        let at = |s: i64| Timestamp::from_second(base + s).unwrap();
        let records: Vec<(u32, ContactRecord)> = history
            .iter()
            .map(|&(c, s, k)| (c, ContactRecord { at: at(s), kind: MessageKind::ALL[k] }))
            .collect();
        let contacts: Vec<PlannedContact> = planned
            .iter()
            .map(|&(c, s, k, priority)| PlannedContact {
                customer: c,
                kind: MessageKind::ALL[k],
                module: Module::Campaigns,
                wanted_at: at(s),
                deadline: None,
                channels: ChannelSet::MESSAGES,
                priority,
            })
            .collect();
        let hist = ContactHistory::new(4, records.iter().copied()).unwrap();
        let decisions = plan(&contacts, &profiles, &hist, &rules);
        for c in 0..4u32 {
            let mut counted: Vec<i64> = hist.of(c).to_vec();
            let mut new = Vec::new();
            for (p, d) in contacts.iter().zip(&decisions) {
                if let (true, Decision::Send(s)) = (p.customer == c, d) {
                    prop_assert_eq!(s.at, p.wanted_at);
                    if p.kind.counts_toward_cap() {
                        counted.push(s.at.as_second());
                        new.push(s.at.as_second());
                    }
                }
            }
            for &t in &new {
                for (limit, w) in [(per_week, 7 * 86_400), (per_month, 30 * 86_400)] {
                    if let Some(limit) = limit {
                        prop_assert!(!windows_over_cap(&counted, t, w, limit));
                    }
                }
            }
        }
        // Refusals are for the cap only here (everyone has e-mail, no quiet hours), and only
        // when a cap exists.
        for d in &decisions {
            if let Decision::Refused(r) = d {
                let is_cap = matches!(r, Refusal::CapReached { .. });
                prop_assert!(is_cap, "refused for another reason: {:?}", r);
            }
        }
    }

    #[test]
    fn busiest_window_matches_brute_force(
        mut times in proptest::collection::vec(0i64..100, 0..30), t in 0i64..100, w in 1i64..40
    ) {
        times.sort_unstable();
        let brute = (t - w + 1..=t)
            .map(|s| times.iter().filter(|&&x| x >= s && x < s + w).count() as u32)
            .max()
            .unwrap_or(0);
        prop_assert_eq!(busiest_window(&times, t, w), brute);
    }
}
