//! Managers by rung: which manager serves each customer, from ordered assignment rules.
//!
//! A rule names the customers it covers (rungs, a region, the customer's main category; an
//! empty condition covers everyone) and the team that serves them (one user or several). The
//! first rule that covers a customer decides. A customer already served by a member of that
//! team stays with them; any other customer goes to the member who serves the fewest
//! customers at that moment (ties to the lowest user id), and counts toward that member's load
//! for the customers after it. Customers no rule covers keep whoever serves them.
//!
//! The result depends only on the rules, the customers in the order given (callers give them
//! by id) and the loads: the same inputs always give the same assignments.

use std::collections::BTreeMap;

use crate::Rung;

/// One assignment rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignmentRule {
    /// Rungs covered; empty: any rung (and customers without one).
    pub rungs: Vec<Rung>,
    /// The region covered (compared without regard to case or surrounding spaces); `None`: any.
    pub region: Option<String>,
    /// The main category covered (likewise); `None`: any.
    pub category: Option<String>,
    /// The users (by id) who serve the covered customers; never empty.
    pub team: Vec<i64>,
}

/// Why a set of rules cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentRuleError {
    #[error("rule {rule} has nobody in its team")]
    EmptyTeam { rule: usize },
    #[error("rule {rule} names user {user} twice in its team")]
    DuplicateMember { rule: usize, user: i64 },
}

/// What assignment knows about one customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerToAssign<'a> {
    /// The rung in the latest snapshot; `None` before the customer is scored.
    pub rung: Option<Rung>,
    pub region: Option<&'a str>,
    /// The category the customer spends most in.
    pub category: Option<&'a str>,
    /// Who serves the customer now.
    pub manager: Option<i64>,
}

/// A customer who changes hands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssignmentChange {
    /// Index of the customer in the input.
    pub customer: usize,
    /// Index of the rule that decided.
    pub rule: usize,
    pub from: Option<i64>,
    pub to: i64,
}

/// Checks that every rule has a team without repeats (1-based rule numbers in errors).
pub fn check_rules(rules: &[AssignmentRule]) -> Result<(), AssignmentRuleError> {
    for (i, rule) in rules.iter().enumerate() {
        if rule.team.is_empty() {
            return Err(AssignmentRuleError::EmptyTeam { rule: i + 1 });
        }
        for (j, &user) in rule.team.iter().enumerate() {
            if rule.team[..j].contains(&user) {
                return Err(AssignmentRuleError::DuplicateMember { rule: i + 1, user });
            }
        }
    }
    Ok(())
}

fn same_text(condition: &Option<String>, value: Option<&str>) -> bool {
    match condition {
        None => true,
        Some(c) => value.is_some_and(|v| v.trim().to_lowercase() == c.trim().to_lowercase()),
    }
}

/// The index of the first rule covering `customer`.
pub fn matching_rule(rules: &[AssignmentRule], customer: &CustomerToAssign<'_>) -> Option<usize> {
    rules.iter().position(|rule| {
        (rule.rungs.is_empty() || customer.rung.is_some_and(|r| rule.rungs.contains(&r)))
            && same_text(&rule.region, customer.region)
            && same_text(&rule.category, customer.category)
    })
}

/// The changes the rules make, in customer order. `loads` holds how many customers each user
/// serves (users missing from it serve none) and is updated as customers move, so that it
/// stays true after the changes. Rules with an empty team cover nobody: check them first with
/// [`check_rules`].
pub fn plan_assignments(
    rules: &[AssignmentRule],
    customers: &[CustomerToAssign<'_>],
    loads: &mut BTreeMap<i64, u64>,
) -> Vec<AssignmentChange> {
    let mut changes = Vec::new();
    for (index, customer) in customers.iter().enumerate() {
        let Some(rule) = matching_rule(rules, customer) else {
            continue;
        };
        let team = &rules[rule].team;
        if customer.manager.is_some_and(|m| team.contains(&m)) {
            continue;
        }
        let Some(&to) = team
            .iter()
            .min_by_key(|&&u| (loads.get(&u).copied().unwrap_or(0), u))
        else {
            continue;
        };
        if let Some(from) = customer.manager
            && let Some(load) = loads.get_mut(&from)
        {
            *load = load.saturating_sub(1);
        }
        *loads.entry(to).or_insert(0) += 1;
        changes.push(AssignmentChange {
            customer: index,
            rule,
            from: customer.manager,
            to,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(rungs: &[Rung], region: Option<&str>, team: &[i64]) -> AssignmentRule {
        AssignmentRule {
            rungs: rungs.to_vec(),
            region: region.map(str::to_string),
            category: None,
            team: team.to_vec(),
        }
    }

    fn customer(
        rung: Option<Rung>,
        region: Option<&str>,
        manager: Option<i64>,
    ) -> CustomerToAssign<'_> {
        CustomerToAssign {
            rung,
            region,
            category: None,
            manager,
        }
    }

    /// Newcomers to the acquisition team (users 1 and 2), regulars and advocates in Moscow to
    /// account manager 3, the other regulars and advocates to 4. Worked by hand: loads start at
    /// 1 → 5, 2 → 4, 3 → 0, 4 → 0.
    #[test]
    fn the_first_covering_rule_decides_and_the_least_loaded_member_takes_the_customer() {
        let rules = vec![
            rule(&[Rung::Newcomer], None, &[1, 2]),
            rule(&[Rung::Regular, Rung::Advocate], Some("Москва"), &[3]),
            rule(&[Rung::Regular, Rung::Advocate], None, &[4]),
        ];
        check_rules(&rules).unwrap();
        let customers = [
            // 0: a new newcomer → 2 (load 4 < 5), then 2 has 5: tie with 1 → 1 (lower id).
            customer(Some(Rung::Newcomer), None, None),
            customer(Some(Rung::Newcomer), None, None),
            // 2: already with team member 1: stays.
            customer(Some(Rung::Newcomer), None, Some(1)),
            // 3: a regular in " москва " (case and spaces ignored), served by 1 → 3.
            customer(Some(Rung::Regular), Some(" москва "), Some(1)),
            // 4: an advocate elsewhere, served by 3 → 4.
            customer(Some(Rung::Advocate), Some("Казань"), Some(3)),
            // 5: a prospect: no rule covers it, it keeps 2.
            customer(Some(Rung::Prospect), None, Some(2)),
            // 6: not yet scored: only rules without rungs could cover it.
            customer(None, None, None),
        ];
        let mut loads = BTreeMap::from([(1, 5), (2, 4)]);
        let changes = plan_assignments(&rules, &customers, &mut loads);
        let expected = vec![
            AssignmentChange {
                customer: 0,
                rule: 0,
                from: None,
                to: 2,
            },
            AssignmentChange {
                customer: 1,
                rule: 0,
                from: None,
                to: 1,
            },
            AssignmentChange {
                customer: 3,
                rule: 1,
                from: Some(1),
                to: 3,
            },
            AssignmentChange {
                customer: 4,
                rule: 2,
                from: Some(3),
                to: 4,
            },
        ];
        assert_eq!(changes, expected);
        // 1: 5 + 1 − 1 = 5; 2: 4 + 1 = 5; 3: 0 + 1 − 1 = 0; 4: 1.
        assert_eq!(loads, BTreeMap::from([(1, 5), (2, 5), (3, 0), (4, 1)]));
    }

    #[test]
    fn bad_teams_are_refused() {
        assert_eq!(
            check_rules(&[rule(&[], None, &[])]),
            Err(AssignmentRuleError::EmptyTeam { rule: 1 })
        );
        assert_eq!(
            check_rules(&[rule(&[], None, &[1]), rule(&[], None, &[2, 2])]),
            Err(AssignmentRuleError::DuplicateMember { rule: 2, user: 2 })
        );
    }

    #[test]
    fn a_category_rule_needs_the_customer_to_have_that_main_category() {
        let rules = vec![AssignmentRule {
            category: Some("Books".into()),
            team: vec![7],
            ..AssignmentRule::default()
        }];
        let with = CustomerToAssign {
            rung: None,
            region: None,
            category: Some("books"),
            manager: None,
        };
        let without = CustomerToAssign {
            category: None,
            ..with
        };
        assert_eq!(matching_rule(&rules, &with), Some(0));
        assert_eq!(matching_rule(&rules, &without), None);
    }
}
