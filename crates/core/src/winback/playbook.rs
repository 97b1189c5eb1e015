//! The playbook: for every rung and profit sub-group, the goal, the actions (each with its offer,
//! channel preference, cost per contact and when it applies) and a budget per customer per
//! period; and the newcomer rule that says develop, keep minimal or let go.

use crate::contact_policy::{Channel, MessageKind};
use crate::{Money, Rung, Status, Strategy, Subgroup};

/// The most plays a playbook holds (5 rungs × "any" and 3 sub-groups).
pub const MAX_PLAYS: usize = 20;
/// The most actions of one play.
pub const MAX_ACTIONS: usize = 12;
/// The longest action code, in characters (`[a-z0-9_]`).
pub const MAX_CODE_CHARS: usize = 40;
/// The longest offer text, in characters.
pub const MAX_OFFER_CHARS: usize = 500;
/// The largest cost per contact or budget: a hundred million currency units.
pub const MAX_AMOUNT: Money = Money::from_major(100_000_000);
/// The longest budget period and the longest "lost within" limit, in days (ten years).
pub const MAX_PERIOD_DAYS: u32 = 3_660;

/// What the newcomer rule says about a newcomer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NewcomerDecision {
    /// Demand, order size and profit promise a regular: invest (second-purchase offers).
    Develop,
    /// Neither promising nor hopeless: keep in touch at minimal cost.
    KeepMinimal,
    /// Fading demand with small or unprofitable orders: spend nothing more.
    LetGo,
}

impl NewcomerDecision {
    pub const ALL: [NewcomerDecision; 3] = [
        NewcomerDecision::Develop,
        NewcomerDecision::KeepMinimal,
        NewcomerDecision::LetGo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NewcomerDecision::Develop => "develop",
            NewcomerDecision::KeepMinimal => "keep_minimal",
            NewcomerDecision::LetGo => "let_go",
        }
    }

    pub fn parse(text: &str) -> Option<NewcomerDecision> {
        NewcomerDecision::ALL
            .into_iter()
            .find(|d| d.as_str() == text)
    }
}

/// The rule for newcomers. Demand is the customer-base model's forecast of purchases over the
/// CLV horizon (the demand to come, which is where a newcomer's trend shows: a newcomer has one
/// or two purchases, too few for a trend of their own); order size is the newcomer's average
/// order against the median of all newcomers' averages; profit is the newcomer's profit so far.
///
/// 1. **Develop** when demand ≥ `develop_min_expected_purchases`, the order ratio ≥
///    `develop_min_order_ratio` and profit ≥ `develop_min_profit`;
/// 2. **let go** when demand < `let_go_max_expected_purchases` and either the order ratio is
///    below `develop_min_order_ratio` or profit is below `develop_min_profit`;
/// 3. **keep minimal** otherwise.
///
/// Without a model's forecast, demand is read from the status: a slipping or lost newcomer's
/// demand is fading (as if below the let-go limit), an active one's steady (between the limits),
/// so without a model nobody is developed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewcomerRule {
    pub develop_min_expected_purchases: f64,
    pub develop_min_order_ratio: f64,
    pub develop_min_profit: Money,
    pub let_go_max_expected_purchases: f64,
}

impl Default for NewcomerRule {
    fn default() -> NewcomerRule {
        NewcomerRule {
            develop_min_expected_purchases: 1.0,
            develop_min_order_ratio: 1.0,
            develop_min_profit: Money::ZERO,
            let_go_max_expected_purchases: 0.3,
        }
    }
}

/// What the newcomer rule read, and what it decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewcomerJudgement {
    pub decision: NewcomerDecision,
    /// Expected purchases over the horizon (`None` without a model).
    pub expected_purchases: Option<f64>,
    /// Average order / the newcomers' median average order (`None` when either is not
    /// positive).
    pub order_ratio: Option<f64>,
    pub profit: Money,
}

/// Demand as the rule reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Demand {
    Rising,
    Steady,
    Fading,
}

impl NewcomerRule {
    /// Judges one newcomer: `average_order` and `median_order` in currency units (the median over
    /// all newcomers), `status` for the case without a forecast.
    pub fn judge(
        &self,
        expected_purchases: Option<f64>,
        status: Option<Status>,
        average_order: Option<Money>,
        median_order: Option<Money>,
        profit: Money,
    ) -> NewcomerJudgement {
        let demand = match expected_purchases.filter(|e| e.is_finite()) {
            Some(e) if e >= self.develop_min_expected_purchases => Demand::Rising,
            Some(e) if e < self.let_go_max_expected_purchases => Demand::Fading,
            Some(_) => Demand::Steady,
            None => match status {
                Some(Status::Slipping | Status::Lost) => Demand::Fading,
                _ => Demand::Steady,
            },
        };
        let order_ratio = match (average_order, median_order) {
            (Some(a), Some(m)) if a.units() > 0 && m.units() > 0 => Some(a.to_f64() / m.to_f64()),
            _ => None,
        };
        let big_enough = order_ratio.is_some_and(|r| r >= self.develop_min_order_ratio);
        let profitable = profit >= self.develop_min_profit;
        let decision = match demand {
            Demand::Rising if big_enough && profitable => NewcomerDecision::Develop,
            Demand::Fading if !big_enough || !profitable => NewcomerDecision::LetGo,
            _ => NewcomerDecision::KeepMinimal,
        };
        NewcomerJudgement {
            decision,
            expected_purchases: expected_purchases.filter(|e| e.is_finite()),
            order_ratio,
            profit,
        }
    }
}

/// One thing to do for a customer.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// A short stable name (`rhythm_reminder`): `[a-z0-9_]`, at most [`MAX_CODE_CHARS`].
    pub code: String,
    /// What kind of message it is, for the contact policy (caps, consent).
    pub kind: MessageKind,
    /// The offer in words (`10% off the second order`).
    pub offer: String,
    /// The channels it may use, preferred first (the customer's own preferred channel wins
    /// when it is among them); empty: any message channel.
    pub channels: Vec<Channel>,
    pub cost_per_contact: Money,
    /// The statuses it is for; empty: any (customers without a status included).
    pub statuses: Vec<Status>,
    /// Only for newcomers the rule judged so (only in newcomers' plays).
    pub newcomer: Option<NewcomerDecision>,
    /// Not again until this many days after the customer's last outbound contact (0: any
    /// time).
    pub min_days_between: u32,
}

impl Action {
    /// Whether this action is for a customer of `status` (and, for newcomers, `judged`) whose
    /// last outbound contact was `days_since_contact` days ago.
    pub fn applies(
        &self,
        status: Option<Status>,
        judged: Option<NewcomerDecision>,
        days_since_contact: Option<u32>,
    ) -> bool {
        let status_ok =
            self.statuses.is_empty() || status.is_some_and(|s| self.statuses.contains(&s));
        let newcomer_ok = self.newcomer.is_none_or(|d| judged == Some(d));
        let rested = days_since_contact.is_none_or(|d| d >= self.min_days_between);
        status_ok && newcomer_ok && rested
    }
}

/// The strategy of one rung (or one sub-group of it).
#[derive(Clone, Debug, PartialEq)]
pub struct Play {
    pub rung: Rung,
    /// `None`: every sub-group of the rung without a play of its own.
    pub subgroup: Option<Subgroup>,
    pub goal: Strategy,
    /// What may be spent on one customer per budget period, in total.
    pub budget_per_customer: Money,
    /// In order of preference: the first that applies and fits the budget is the next best
    /// action.
    pub actions: Vec<Action>,
}

/// The whole playbook.
#[derive(Clone, Debug, PartialEq)]
pub struct Playbook {
    /// The period budgets count over: what was spent on a customer in the last this-many days.
    pub budget_period_days: u32,
    /// Lost customers enter the daily queue only while their last purchase is at most this
    /// many days old (older ones are for campaigns).
    pub lost_within_days: u32,
    pub plays: Vec<Play>,
    pub newcomers: NewcomerRule,
}

/// A playbook value that does not fit, named by its key in the playbook file
/// (`play[3].action[1].cost_per_contact`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct PlaybookError {
    pub key: String,
    pub reason: String,
}

fn err(key: impl Into<String>, reason: impl Into<String>) -> PlaybookError {
    PlaybookError {
        key: key.into(),
        reason: reason.into(),
    }
}

impl Playbook {
    /// The play for a customer: the rung's play for their sub-group, else the rung's play for
    /// any sub-group.
    pub fn play_for(&self, rung: Rung, subgroup: Option<Subgroup>) -> Option<(usize, &Play)> {
        let exact = subgroup.and_then(|g| {
            self.plays
                .iter()
                .enumerate()
                .find(|(_, p)| p.rung == rung && p.subgroup == Some(g))
        });
        exact.or_else(|| {
            self.plays
                .iter()
                .enumerate()
                .find(|(_, p)| p.rung == rung && p.subgroup.is_none())
        })
    }

    /// Checks every value's bounds and that plays and action codes are not repeated.
    pub fn validate(&self) -> Result<(), PlaybookError> {
        if !(1..=MAX_PERIOD_DAYS).contains(&self.budget_period_days) {
            return Err(err(
                "queue.budget_period_days",
                format!("must be between 1 and {MAX_PERIOD_DAYS} days"),
            ));
        }
        if !(1..=MAX_PERIOD_DAYS).contains(&self.lost_within_days) {
            return Err(err(
                "queue.lost_within_days",
                format!("must be between 1 and {MAX_PERIOD_DAYS} days"),
            ));
        }
        self.validate_newcomers()?;
        if self.plays.len() > MAX_PLAYS {
            return Err(err("play", format!("at most {MAX_PLAYS} plays")));
        }
        for (i, play) in self.plays.iter().enumerate() {
            let key = format!("play[{i}]");
            if self.plays[..i]
                .iter()
                .any(|p| p.rung == play.rung && p.subgroup == play.subgroup)
            {
                return Err(err(
                    key,
                    format!(
                        "a second play for {} ({})",
                        play.rung.as_str(),
                        play.subgroup.map_or("any sub-group", |g| g.as_str())
                    ),
                ));
            }
            amount(
                &format!("{key}.budget_per_customer"),
                play.budget_per_customer,
            )?;
            if play.actions.len() > MAX_ACTIONS {
                return Err(err(
                    format!("{key}.action"),
                    format!("at most {MAX_ACTIONS} actions"),
                ));
            }
            for (j, action) in play.actions.iter().enumerate() {
                let akey = format!("{key}.action[{j}]");
                validate_action(&akey, action, play.rung)?;
                if play.actions[..j].iter().any(|a| a.code == action.code) {
                    return Err(err(
                        format!("{akey}.code"),
                        format!("'{}' is used twice in this play", action.code),
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_newcomers(&self) -> Result<(), PlaybookError> {
        let n = &self.newcomers;
        let bounded = |key: &str, v: f64, max: f64| {
            if v.is_finite() && (0.0..=max).contains(&v) {
                Ok(())
            } else {
                Err(err(
                    format!("newcomers.{key}"),
                    format!("must be a number between 0 and {max}"),
                ))
            }
        };
        bounded(
            "develop_min_expected_purchases",
            n.develop_min_expected_purchases,
            1000.0,
        )?;
        bounded(
            "let_go_max_expected_purchases",
            n.let_go_max_expected_purchases,
            1000.0,
        )?;
        bounded("develop_min_order_ratio", n.develop_min_order_ratio, 1000.0)?;
        if n.develop_min_profit.abs() > MAX_AMOUNT {
            return Err(err(
                "newcomers.develop_min_profit",
                format!("must be within ±{MAX_AMOUNT}"),
            ));
        }
        if n.let_go_max_expected_purchases > n.develop_min_expected_purchases {
            return Err(err(
                "newcomers.let_go_max_expected_purchases",
                format!(
                    "({}) must not be above develop_min_expected_purchases ({})",
                    n.let_go_max_expected_purchases, n.develop_min_expected_purchases
                ),
            ));
        }
        Ok(())
    }
}

fn amount(key: &str, value: Money) -> Result<(), PlaybookError> {
    if value.is_negative() || value > MAX_AMOUNT {
        return Err(err(key, format!("must be between 0 and {MAX_AMOUNT}")));
    }
    Ok(())
}

fn validate_action(key: &str, action: &Action, rung: Rung) -> Result<(), PlaybookError> {
    let code_ok = !action.code.is_empty()
        && action.code.chars().count() <= MAX_CODE_CHARS
        && action
            .code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !code_ok {
        return Err(err(
            format!("{key}.code"),
            format!(
                "'{}' must be 1 to {MAX_CODE_CHARS} characters of a-z, 0-9 and _",
                action.code
            ),
        ));
    }
    if action.offer.trim().is_empty() || action.offer.chars().count() > MAX_OFFER_CHARS {
        return Err(err(
            format!("{key}.offer"),
            format!("must be 1 to {MAX_OFFER_CHARS} characters"),
        ));
    }
    if action.offer.chars().any(char::is_control) {
        return Err(err(format!("{key}.offer"), "holds a control character"));
    }
    for (i, c) in action.channels.iter().enumerate() {
        if action.channels[..i].contains(c) {
            return Err(err(
                format!("{key}.channels"),
                format!("'{}' is listed twice", c.as_str()),
            ));
        }
    }
    for (i, s) in action.statuses.iter().enumerate() {
        if action.statuses[..i].contains(s) {
            return Err(err(
                format!("{key}.when"),
                format!("'{}' is listed twice", s.as_str()),
            ));
        }
    }
    amount(&format!("{key}.cost_per_contact"), action.cost_per_contact)?;
    if action.min_days_between > MAX_PERIOD_DAYS {
        return Err(err(
            format!("{key}.min_days_between"),
            format!("must be at most {MAX_PERIOD_DAYS} days"),
        ));
    }
    if action.newcomer.is_some() && rung != Rung::Newcomer {
        return Err(err(
            format!("{key}.newcomer"),
            "only newcomers' plays can choose by the newcomer rule",
        ));
    }
    Ok(())
}

// A table of defaults reads best as one call per action.
#[allow(clippy::too_many_arguments)]
fn action(
    code: &str,
    kind: MessageKind,
    offer: &str,
    channels: &[Channel],
    cost: i64,
    statuses: &[Status],
    newcomer: Option<NewcomerDecision>,
    min_days_between: u32,
) -> Action {
    Action {
        code: code.into(),
        kind,
        offer: offer.into(),
        channels: channels.to_vec(),
        cost_per_contact: Money::from_major(cost),
        statuses: statuses.to_vec(),
        newcomer,
        min_days_between,
    }
}

impl Default for Playbook {
    /// The documented defaults (`clientele playbook` prints them as TOML; a test holds the two
    /// together): the method's strategy per rung, budgets that grow with the customer's worth,
    /// unprofitable regulars kept on e-mail and not won back, newcomers developed, kept at
    /// minimal cost or let go by the newcomer rule.
    fn default() -> Playbook {
        use Channel::*;
        use MessageKind::*;
        use Status::*;
        let attract = |rung| Play {
            rung,
            subgroup: None,
            goal: Strategy::Attract,
            budget_per_customer: Money::from_major(100),
            actions: vec![action(
                "first_purchase_offer",
                Offer,
                "A trial offer or a low-risk entry product",
                &[Email, Messenger],
                10,
                &[],
                None,
                90,
            )],
        };
        let win_back = |code: &str, channels: &[Channel], cost| {
            action(
                code,
                WinBack,
                "A personal contact: ask why they left and make an offer that fits the reason",
                channels,
                cost,
                &[Lost],
                None,
                60,
            )
        };
        Playbook {
            budget_period_days: 90,
            lost_within_days: 365,
            newcomers: NewcomerRule::default(),
            plays: vec![
                attract(Rung::Prospect),
                attract(Rung::Visitor),
                Play {
                    rung: Rung::Newcomer,
                    subgroup: None,
                    goal: Strategy::Engage,
                    budget_per_customer: Money::from_major(500),
                    actions: vec![
                        action(
                            "second_purchase_offer",
                            Offer,
                            "A second-purchase offer: a discount on the next order",
                            &[Email, Messenger, Sms],
                            50,
                            &[Active, Slipping],
                            Some(NewcomerDecision::Develop),
                            21,
                        ),
                        action(
                            "thank_you_note",
                            Reminder,
                            "A thank-you note with the catalogue, no discount",
                            &[Email],
                            5,
                            &[Active, Slipping],
                            Some(NewcomerDecision::KeepMinimal),
                            60,
                        ),
                        action(
                            "first_buyer_win_back",
                            WinBack,
                            "Ask what disappointed in the first order; a second-purchase offer",
                            &[Email, Messenger],
                            30,
                            &[Lost],
                            Some(NewcomerDecision::Develop),
                            90,
                        ),
                    ],
                },
                Play {
                    rung: Rung::Regular,
                    subgroup: Some(Subgroup::Profitable),
                    goal: Strategy::Retain,
                    budget_per_customer: Money::from_major(3000),
                    actions: vec![
                        action(
                            "rhythm_reminder_call",
                            Reminder,
                            "A call before their usual next purchase, with a bonus on it",
                            &[Phone, Messenger, Email],
                            150,
                            &[Slipping],
                            None,
                            14,
                        ),
                        win_back("win_back_call", &[Phone, Email], 300),
                        action(
                            "loyalty_bonus",
                            Offer,
                            "Bonus points or an extra service for their loyalty",
                            &[Email, Messenger],
                            100,
                            &[Active],
                            None,
                            90,
                        ),
                    ],
                },
                Play {
                    rung: Rung::Regular,
                    subgroup: Some(Subgroup::Unprofitable),
                    goal: Strategy::Retain,
                    budget_per_customer: Money::from_major(100),
                    actions: vec![action(
                        "rhythm_reminder_email",
                        Reminder,
                        "A reminder by e-mail, no discount",
                        &[Email, Messenger],
                        5,
                        &[Slipping],
                        None,
                        30,
                    )],
                },
                Play {
                    rung: Rung::Regular,
                    subgroup: None,
                    goal: Strategy::Retain,
                    budget_per_customer: Money::from_major(1000),
                    actions: vec![
                        action(
                            "rhythm_reminder",
                            Reminder,
                            "A reminder before their usual next purchase, with bonus points",
                            &[Messenger, Email, Sms],
                            30,
                            &[Slipping],
                            None,
                            14,
                        ),
                        win_back("win_back_message", &[Email, Messenger, Phone], 100),
                        action(
                            "loyalty_bonus",
                            Offer,
                            "Bonus points for their loyalty",
                            &[Email],
                            30,
                            &[Active],
                            None,
                            120,
                        ),
                    ],
                },
                Play {
                    rung: Rung::Advocate,
                    subgroup: None,
                    goal: Strategy::Cherish,
                    budget_per_customer: Money::from_major(5000),
                    actions: vec![
                        action(
                            "personal_call",
                            Reminder,
                            "A personal call from their manager: how are things, what do they need",
                            &[Phone, Messenger],
                            200,
                            &[Slipping],
                            None,
                            14,
                        ),
                        win_back("win_back_visit", &[Phone, Visit, Email], 500),
                        action(
                            "vip_offer",
                            Offer,
                            "A unique offer or VIP service: early access, a gift, an invitation",
                            &[Phone, Messenger, Email],
                            300,
                            &[Active],
                            None,
                            90,
                        ),
                    ],
                },
            ],
        }
    }
}
