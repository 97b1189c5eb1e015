//! The playbook's bounds, the next best action, the value at stake, the policy's answer for a
//! queue item, cases and the funnel, each against values worked out by hand.

use super::*;
use crate::codes::StatusReasonCode;
use crate::contact_policy::{
    Channel, ChannelSet, ContactProfile, ContactRecord, ContactRules, Decision, MessageKind,
    Refusal, Timestamp, time_zone,
};
use crate::tolerances::CLOSED_FORM;
use crate::{Day, Money, Rfm, RfmSegment, Rung, Status, Strategy, Subgroup};

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= CLOSED_FORM * expected.abs().max(1.0),
        "{actual} is not {expected}"
    );
}

fn customer(rung: Rung, status: Option<Status>, subgroup: Option<Subgroup>) -> QueueCustomer {
    QueueCustomer {
        rung,
        status,
        subgroup,
        orders: 4,
        revenue: Money::from_major(4000),
        profit: Money::from_major(1000),
        days_since_last: Some(40),
        p_alive: Some(0.5),
        expected_purchases: Some(2.0),
        clv: Some(8400.0),
        days_since_contact: None,
        spent: Money::ZERO,
    }
}

fn code_of(p: &Playbook, proposal: &Proposal) -> String {
    p.plays[proposal.play].actions[proposal.action].code.clone()
}

#[test]
fn the_default_playbook_is_valid_and_covers_every_rung() {
    let p = Playbook::default();
    p.validate().unwrap();
    for rung in Rung::ALL {
        for g in [None, Some(Subgroup::Profitable), Some(Subgroup::Middling)] {
            assert!(p.play_for(rung, g).is_some(), "{rung:?} {g:?}");
        }
    }
    // The sub-group's own play wins over the rung's play for any sub-group.
    let (_, play) = p
        .play_for(Rung::Regular, Some(Subgroup::Profitable))
        .unwrap();
    assert_eq!(play.subgroup, Some(Subgroup::Profitable));
    let (_, play) = p.play_for(Rung::Regular, Some(Subgroup::Middling)).unwrap();
    assert_eq!(play.subgroup, None);
    assert_eq!(play.goal, Strategy::Retain);
}

#[test]
fn value_at_stake_is_the_clv_expected_to_be_lost() {
    // CLV 8,400 at P(alive) 0.5: worth 16,800 if alive, lost with probability 0.5.
    close(value_at_stake(Some(8400.0), Some(0.5)).unwrap(), 8400.0);
    // CLV 1,000 at 0.25: 4,000 if alive × 0.75.
    close(value_at_stake(Some(1000.0), Some(0.25)).unwrap(), 3000.0);
    close(value_at_stake(Some(1000.0), Some(1.0)).unwrap(), 0.0);
    assert_eq!(value_at_stake(Some(0.0), Some(0.0)), None);
    assert_eq!(value_at_stake(None, Some(0.5)), None);
    assert_eq!(value_at_stake(Some(10.0), None), None);
    assert_eq!(value_at_stake(Some(f64::NAN), Some(0.5)), None);
    assert_eq!(value_at_stake(Some(10.0), Some(1.5)), None);
}

#[test]
fn the_queue_orders_by_value_with_unknown_values_last() {
    let mut items = vec![
        (None, 1),
        (Some(10.0), 5),
        (Some(300.0), 9),
        (Some(10.0), 2),
        (None, 0),
    ];
    items.sort_by(|a, b| by_value_at_stake(*a, *b));
    assert_eq!(
        items,
        vec![
            (Some(300.0), 9),
            (Some(10.0), 2),
            (Some(10.0), 5),
            (None, 0),
            (None, 1)
        ]
    );
}

#[test]
fn the_next_best_action_follows_status_budget_and_rest() {
    let p = Playbook::default();
    let slipping = customer(
        Rung::Regular,
        Some(Status::Slipping),
        Some(Subgroup::Profitable),
    );
    let got = propose(&slipping, &p, None).unwrap();
    assert_eq!(code_of(&p, &got), "rhythm_reminder_call");
    // Budget 3,000, spent 2,850 + 150 = 3,000: still fits, nothing left after.
    let mut near = slipping;
    near.spent = Money::from_major(2850);
    let got = propose(&near, &p, None).unwrap();
    assert_eq!(
        got.budget,
        BudgetCheck::Fits {
            remaining_after: Money::ZERO
        }
    );
    // One unit more and it does not: the item says so.
    near.spent = Money::from_major(2851);
    let got = propose(&near, &p, None).unwrap();
    assert_eq!(
        got.budget,
        BudgetCheck::Spent {
            spent: Money::from_major(2851),
            budget: Money::from_major(3000),
            cost: Money::from_major(150)
        }
    );
    // Contacted 10 days ago: the reminder waits 14 days between contacts.
    let mut rested = slipping;
    rested.days_since_contact = Some(10);
    assert_eq!(propose(&rested, &p, None), None);
    rested.days_since_contact = Some(14);
    assert!(propose(&rested, &p, None).is_some());
    // Active: the loyalty bonus; lost: the win-back call while lost within 365 days.
    let active = customer(
        Rung::Regular,
        Some(Status::Active),
        Some(Subgroup::Profitable),
    );
    assert_eq!(
        code_of(&p, &propose(&active, &p, None).unwrap()),
        "loyalty_bonus"
    );
    let mut lost = customer(
        Rung::Regular,
        Some(Status::Lost),
        Some(Subgroup::Profitable),
    );
    lost.days_since_last = Some(365);
    assert_eq!(
        code_of(&p, &propose(&lost, &p, None).unwrap()),
        "win_back_call"
    );
    lost.days_since_last = Some(366);
    assert_eq!(propose(&lost, &p, None), None);
    // Unprofitable regulars are not won back.
    let mut lost_cheap = lost;
    lost_cheap.subgroup = Some(Subgroup::Unprofitable);
    lost_cheap.days_since_last = Some(100);
    assert_eq!(propose(&lost_cheap, &p, None), None);
    // The value at stake is the customer's.
    close(
        propose(&slipping, &p, None)
            .unwrap()
            .value_at_stake
            .unwrap(),
        8400.0,
    );
}

#[test]
fn a_cheaper_later_action_is_taken_when_the_first_does_not_fit() {
    let mut p = Playbook::default();
    let (i, _) = p.play_for(Rung::Advocate, None).unwrap();
    // Add a cheap fallback for slipping advocates after the 200 call.
    let mut cheap = p.plays[i].actions[0].clone();
    cheap.code = "reminder_email".into();
    cheap.cost_per_contact = Money::from_major(10);
    cheap.channels = vec![Channel::Email];
    p.plays[i].actions.push(cheap);
    p.validate().unwrap();
    let mut c = customer(Rung::Advocate, Some(Status::Slipping), None);
    c.spent = Money::from_major(4900);
    let got = propose(&c, &p, None).unwrap();
    assert_eq!(code_of(&p, &got), "reminder_email");
    assert_eq!(
        got.budget,
        BudgetCheck::Fits {
            remaining_after: Money::from_major(90)
        }
    );
}

#[test]
fn the_newcomer_rule_by_hand() {
    let rule = NewcomerRule::default();
    let median = Some(Money::from_major(1000));
    let judge = |e: Option<f64>, status, avg: i64, profit: i64| {
        rule.judge(
            e,
            status,
            Some(Money::from_major(avg)),
            median,
            Money::from_major(profit),
        )
    };
    let active = Some(Status::Active);
    // Demand 1.0 (≥ 1), order 1.2× the median, profit ≥ 0: develop.
    let j = judge(Some(1.0), active, 1200, 10);
    assert_eq!(j.decision, NewcomerDecision::Develop);
    close(j.order_ratio.unwrap(), 1.2);
    // Rising demand but a small order: keep minimal.
    assert_eq!(
        judge(Some(3.0), active, 900, 10).decision,
        NewcomerDecision::KeepMinimal
    );
    // Fading demand (0.29 < 0.3) and a small order: let go.
    assert_eq!(
        judge(Some(0.29), active, 900, 10).decision,
        NewcomerDecision::LetGo
    );
    // Fading demand, big order but a loss: let go.
    assert_eq!(
        judge(Some(0.1), active, 2000, -1).decision,
        NewcomerDecision::LetGo
    );
    // Fading demand, big and profitable order: keep minimal.
    assert_eq!(
        judge(Some(0.1), active, 2000, 5).decision,
        NewcomerDecision::KeepMinimal
    );
    // Steady demand: keep minimal.
    assert_eq!(
        judge(Some(0.5), active, 5000, 500).decision,
        NewcomerDecision::KeepMinimal
    );
    // No forecast: an active newcomer is steady, a slipping one fading.
    assert_eq!(
        judge(None, active, 5000, 500).decision,
        NewcomerDecision::KeepMinimal
    );
    assert_eq!(
        judge(None, Some(Status::Slipping), 500, 500).decision,
        NewcomerDecision::LetGo
    );
    // No median (or a zero order): no order ratio, so never "big enough".
    let j = rule.judge(Some(5.0), active, None, median, Money::from_major(5));
    assert_eq!(
        (j.decision, j.order_ratio),
        (NewcomerDecision::KeepMinimal, None)
    );
}

#[test]
fn newcomers_get_the_action_of_their_judgement() {
    let p = Playbook::default();
    let median = Some(Money::from_major(1000));
    let mut n = customer(Rung::Newcomer, Some(Status::Active), None);
    n.orders = 1;
    n.revenue = Money::from_major(1500);
    n.expected_purchases = Some(2.0);
    let got = propose(&n, &p, median).unwrap();
    assert_eq!(code_of(&p, &got), "second_purchase_offer");
    assert_eq!(got.newcomer.unwrap().decision, NewcomerDecision::Develop);
    n.expected_purchases = Some(0.5);
    assert_eq!(
        code_of(&p, &propose(&n, &p, median).unwrap()),
        "thank_you_note"
    );
    // Let go: no action at all.
    n.expected_purchases = Some(0.1);
    n.revenue = Money::from_major(500);
    assert_eq!(propose(&n, &p, median), None);
}

#[test]
fn the_median_order_is_a_middle_value() {
    let m = |v: &[i64]| median_order(v.iter().map(|&x| Money::from_major(x)).collect());
    assert_eq!(m(&[]), None);
    assert_eq!(m(&[5]), Some(Money::from_major(5)));
    assert_eq!(m(&[9, 1, 5]), Some(Money::from_major(5)));
    assert_eq!(m(&[9, 1, 5, 7]), Some(Money::from_major(5)));
}

fn profile(
    consented: &[Channel],
    reachable: &[Channel],
    preferred: Option<Channel>,
) -> ContactProfile {
    ContactProfile {
        consented: ChannelSet::of(consented.iter().copied()),
        reachable: ChannelSet::of(reachable.iter().copied()),
        preferred,
        time_zone: time_zone("UTC").unwrap(),
        quiet_hours: None,
        rung: Some(Rung::Regular),
    }
}

#[test]
fn the_contact_policy_decides_every_item() {
    let p = Playbook::default();
    let day = Day::from_ymd(2024, 10, 4).unwrap();
    let rules = ContactRules::default();
    let (i, _) = p
        .play_for(Rung::Regular, Some(Subgroup::Profitable))
        .unwrap();
    // rhythm_reminder_call: phone, messenger, e-mail in that order.
    let call = &p.plays[i].actions[0];
    let all = [Channel::Email, Channel::Phone, Channel::Messenger];
    // E-mail preferred and allowed: the preferred channel wins.
    match decide_action(
        call,
        day,
        &profile(&all, &all, Some(Channel::Email)),
        &[],
        &rules,
    ) {
        Decision::Send(s) => {
            assert_eq!(s.channel, Channel::Email);
            assert!(s.preferred);
            // 10:00 UTC on the day.
            assert_eq!(
                s.at.as_second(),
                i64::from(day.days_since_epoch()) * 86_400 + 36_000
            );
        }
        other => panic!("{other:?}"),
    }
    // No preference: the action's order (phone first).
    match decide_action(call, day, &profile(&all, &all, None), &[], &rules) {
        Decision::Send(s) => assert_eq!(s.channel, Channel::Phone),
        other => panic!("{other:?}"),
    }
    // Phone consent withdrawn: messenger, the action's next.
    let no_phone = [Channel::Email, Channel::Messenger];
    match decide_action(call, day, &profile(&no_phone, &all, None), &[], &rules) {
        Decision::Send(s) => assert_eq!(s.channel, Channel::Messenger),
        other => panic!("{other:?}"),
    }
    // E-mail preferred but its consent withdrawn: never e-mail.
    match decide_action(
        call,
        day,
        &profile(&[Channel::Sms, Channel::Phone], &all, Some(Channel::Email)),
        &[],
        &rules,
    ) {
        Decision::Send(s) => assert_eq!(s.channel, Channel::Phone),
        other => panic!("{other:?}"),
    }
    // Consent only on SMS, which the action does not use: refused, saying why.
    assert_eq!(
        decide_action(
            call,
            day,
            &profile(&[Channel::Sms], &all, None),
            &[],
            &rules
        ),
        Decision::Refused(Refusal::NoConsentedChannel)
    );
    // Two counted contacts this week: the weekly cap (2) is reached.
    let at = |d: i32| {
        Timestamp::from_second(i64::from(day.plus_days(d).days_since_epoch()) * 86_400 + 3600)
            .unwrap()
    };
    let history = [
        ContactRecord {
            at: at(-2),
            kind: MessageKind::Offer,
        },
        ContactRecord {
            at: at(-1),
            kind: MessageKind::Reminder,
        },
    ];
    let refused = decide_action(call, day, &profile(&all, &all, None), &history, &rules);
    assert_eq!(
        Blocked::Policy(match refused {
            Decision::Refused(r) => r,
            other => panic!("{other:?}"),
        })
        .code(),
        "weekly_cap_reached"
    );
}

#[test]
fn reasons_and_refusals_in_words() {
    let reason = QueueReason {
        rung: Rung::Regular,
        status: Some(Status::Slipping),
        status_reason: StatusReasonCode::parse("late_by_rhythm every=30 spread=4 late=19"),
        clv: Some(84_000.4),
        newcomer: None,
    };
    assert_eq!(
        reason.to_string(),
        "regular, buys every 30 ± 4 days; 19 days late; CLV 84,000"
    );
    let newcomer = QueueReason {
        rung: Rung::Newcomer,
        status: Some(Status::Active),
        status_reason: None,
        clv: None,
        newcomer: Some(NewcomerRule::default().judge(
            Some(1.25),
            Some(Status::Active),
            Some(Money::from_major(1500)),
            Some(Money::from_major(1000)),
            Money::from_major(300),
        )),
    };
    assert_eq!(
        newcomer.to_string(),
        "newcomer, active; newcomer rule: develop (expected purchases 1.2, order 1.5× the newcomers' median, profit 300.00)"
    );
    let budget = Blocked::Budget {
        spent: Money::from_major(950),
        budget: Money::from_major(1000),
        cost: Money::from_major(100),
    };
    assert_eq!(budget.code(), "budget_spent");
    assert_eq!(
        budget.to_string(),
        "budget spent: 950.00 of 1000.00 this period, and this contact costs 100.00"
    );
    assert_eq!(grouped(-1_234_567.6), "-1,234,568");
    assert_eq!(grouped(999.0), "999");
}

#[test]
fn bad_playbooks_name_the_key() {
    let key_of = |p: &Playbook| p.validate().unwrap_err().key;
    let mut p = Playbook::default();
    p.plays[3].actions[0].cost_per_contact = Money::from_major(-1);
    assert_eq!(key_of(&p), "play[3].action[0].cost_per_contact");
    let mut p = Playbook::default();
    p.plays[3].actions[1].code = "Bad Code".into();
    assert_eq!(key_of(&p), "play[3].action[1].code");
    let mut p = Playbook::default();
    let copy = p.plays[0].clone();
    p.plays.push(copy);
    assert_eq!(key_of(&p), format!("play[{}]", p.plays.len() - 1));
    let mut p = Playbook::default();
    p.plays[3].actions[0].newcomer = Some(NewcomerDecision::Develop);
    assert_eq!(key_of(&p), "play[3].action[0].newcomer");
    let p = Playbook {
        budget_period_days: 0,
        ..Playbook::default()
    };
    assert_eq!(key_of(&p), "queue.budget_period_days");
    let mut p = Playbook::default();
    p.newcomers.let_go_max_expected_purchases = 2.0;
    assert_eq!(key_of(&p), "newcomers.let_go_max_expected_purchases");
    let mut p = Playbook::default();
    p.newcomers.develop_min_order_ratio = f64::NAN;
    assert_eq!(key_of(&p), "newcomers.develop_min_order_ratio");
    let mut p = Playbook::default();
    p.plays[2].actions[0].offer = "x".repeat(MAX_OFFER_CHARS + 1);
    assert_eq!(key_of(&p), "play[2].action[0].offer");
    let mut p = Playbook::default();
    p.plays[2].actions[0].channels = vec![Channel::Email, Channel::Email];
    assert_eq!(key_of(&p), "play[2].action[0].channels");
}

fn day(n: i32) -> Day {
    Day::from_days_since_epoch(20_000 + n)
}

#[test]
fn a_case_returns_within_its_window_and_keeps_buying() {
    let facts = |first: Option<i32>, next: Option<i32>, as_of: i32| CaseFacts {
        opened: day(0),
        window_days: 60,
        first_purchase_after: first.map(day),
        next_purchase_after_return: next.map(day),
        as_of: day(as_of),
    };
    // Bought on day 60, the window's last day: returned; again on day 150 = 60 + 90: still buying.
    let f = facts(Some(60), Some(150), 200);
    assert_eq!(f.state(), CaseState::Returned);
    assert_eq!(f.returned_on(), Some(day(60)));
    assert_eq!(f.still_buying(), Some(true));
    // Again on day 151: not within the 90 days.
    assert_eq!(facts(Some(60), Some(151), 200).still_buying(), Some(false));
    // No second purchase and the 90 days not over (as-of day 149): not judged yet.
    assert_eq!(facts(Some(60), None, 149).still_buying(), None);
    assert_eq!(facts(Some(60), None, 150).still_buying(), Some(false));
    // Bought on day 61: after the window, not a return.
    let late = facts(Some(61), None, 200);
    assert_eq!(late.state(), CaseState::NotReturned);
    assert_eq!(late.still_buying(), None);
    // No purchase, window still running on day 60; over on day 61.
    assert_eq!(facts(None, None, 60).state(), CaseState::Open);
    assert_eq!(facts(None, None, 61).state(), CaseState::NotReturned);
}

#[test]
fn the_funnel_counts_each_stage() {
    let mut f = Funnel::default();
    let case = |attempts, reached, state, still| FunnelCase {
        attempts,
        reached,
        state,
        still_buying: still,
    };
    f.add(&case(0, false, CaseState::Open, None));
    f.add(&case(2, false, CaseState::NotReturned, None));
    f.add(&case(1, true, CaseState::NotReturned, None));
    f.add(&case(3, true, CaseState::Returned, Some(true)));
    f.add(&case(1, true, CaseState::Returned, None));
    assert_eq!(
        f,
        Funnel {
            lost: 5,
            contacted: 4,
            answered: 3,
            returned: 2,
            still_buying: 1,
            still_buying_judged: 1
        }
    );
    let (rate, ci) = f.return_rate().unwrap();
    close(rate, 0.4);
    assert!(ci.lo < 0.4 && 0.4 < ci.hi);
    assert_eq!(Funnel::default().return_rate(), None);
}

#[test]
fn the_win_back_rate_against_the_mark() {
    // 3 of 200 lost came back: 1.5%, above the 1% mark.
    let r = win_back_rate(200, 3);
    close(r.rate.unwrap(), 0.015);
    assert_eq!(r.meets_mark, Some(true));
    // 1 of 101: 0.99%, below.
    assert_eq!(win_back_rate(101, 1).meets_mark, Some(false));
    // Exactly 1%.
    assert_eq!(win_back_rate(100, 1).meets_mark, Some(true));
    let none = win_back_rate(0, 0);
    assert_eq!((none.rate, none.ci95, none.meets_mark), (None, None, None));
    // A miscount never gives a rate above 1.
    close(win_back_rate(2, 5).rate.unwrap(), 1.0);
}

#[test]
fn campaign_filters_select_and_name_their_kind() {
    let f = CampaignFilter {
        statuses: vec![Status::Lost],
        rungs: vec![Rung::Regular, Rung::Advocate],
        segments: vec![],
    };
    assert!(f.matches(Rung::Regular, Some(Status::Lost), None));
    assert!(!f.matches(Rung::Newcomer, Some(Status::Lost), None));
    assert!(!f.matches(Rung::Regular, Some(Status::Active), None));
    assert!(!f.matches(Rung::Regular, None, None));
    assert_eq!(f.kind(), CampaignKind::WinBack);
    let seg = CampaignFilter {
        segments: vec![RfmSegment::AtRisk],
        ..CampaignFilter::default()
    };
    let at_risk = Rfm {
        recency: 1,
        frequency: 3,
        monetary: 5,
    };
    let champion = Rfm {
        recency: 5,
        frequency: 5,
        monetary: 5,
    };
    assert!(seg.matches(Rung::Regular, Some(Status::Active), Some(at_risk)));
    assert!(!seg.matches(Rung::Regular, Some(Status::Active), Some(champion)));
    assert!(!seg.matches(Rung::Regular, Some(Status::Active), None));
    assert_eq!(seg.kind(), CampaignKind::Offer);
    assert!(CampaignFilter::default().matches(Rung::Prospect, None, None));
    assert_eq!(parse_segment("at_risk"), Some(RfmSegment::AtRisk));
    assert_eq!(
        parse_segment("Can't Lose Them"),
        Some(RfmSegment::CannotLoseThem)
    );
    assert_eq!(
        parse_segment("cannot_lose_them"),
        Some(RfmSegment::CannotLoseThem)
    );
    assert_eq!(parse_segment("vip"), None);
    for s in RfmSegment::ALL {
        assert_eq!(parse_segment(segment_code(s)), Some(s));
    }
}
