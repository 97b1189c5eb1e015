//! The movement rules have one definition (`src/snapshots/movement.rs`), run as Rust over whole
//! snapshots and as the SQL that writes `dash_movements` in the scoring transaction. This holds
//! the SQL aggregate to the Rust classification, on both backends, over snapshots generated to
//! hold every movement: new, up, down, same, out (lost, and gone from the later snapshot), back
//! (from lost, and on a later turn), with customers at risk and churned, for every scope.

use std::collections::{BTreeMap, HashMap};

use clientele_core::{Day, Money, Rung, Status};
use clientele_store::{
    CustomerEdit, Movement, Role, Scope, SnapshotRow, Store, at_risk, churned, classify,
};

use crate::{day, on_both};

/// A small deterministic generator (SplitMix64), so every run writes the same snapshots.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One generated snapshot row: (rung, status, turn, revenue in units).
type Row = (Rung, Option<Status>, u32, i64);

/// Writes snapshot rows straight into `score_snapshots` (as a bench's seeding does), then the
/// dashboard's aggregates of the day.
async fn write_rows(store: &Store, as_of: Day, rows: &[(i64, Row)]) {
    let sql = "INSERT INTO score_snapshots (as_of, customer_id, rung, status, turn, orders, purchase_days, revenue, profit, scored_at)
               VALUES ($1, $2, $3, $4, $5, 1, 1, $6, 0, 0)";
    macro_rules! insert {
        ($pool:expr) => {
            for (id, (rung, status, turn, revenue)) in rows {
                sqlx::query(sql)
                    .bind(i64::from(as_of.days_since_epoch()))
                    .bind(*id)
                    .bind(rung.as_str())
                    .bind(status.map(Status::as_str))
                    .bind(i64::from(*turn))
                    .bind(*revenue)
                    .execute($pool)
                    .await
                    .unwrap();
            }
        };
    }
    match store {
        Store::Sqlite(pool) => insert!(pool),
        Store::Postgres(pool) => insert!(pool),
    }
    store.refresh_dashboard(as_of).await.unwrap();
}

/// Per (from rung, to rung, movement): customers, at risk, churned, revenue.
type Tally = BTreeMap<(Option<Rung>, Option<Rung>, Movement), (i64, i64, i64, i64)>;

/// The aggregate by the Rust rules, over the customers `mine` keeps.
fn by_rust(before: &[SnapshotRow], after: &[SnapshotRow], mine: &dyn Fn(i64) -> bool) -> Tally {
    let earlier: HashMap<i64, &SnapshotRow> = before.iter().map(|r| (r.customer_id, r)).collect();
    let later: HashMap<i64, &SnapshotRow> = after.iter().map(|r| (r.customer_id, r)).collect();
    let mut tally = Tally::new();
    let mut add = |key, risk: bool, churn: bool, revenue: Money| {
        let t = tally.entry(key).or_insert((0, 0, 0, 0));
        t.0 += 1;
        t.1 += i64::from(risk);
        t.2 += i64::from(risk && churn);
        t.3 += revenue.units();
    };
    for a in after.iter().filter(|a| mine(a.customer_id)) {
        let b = earlier.get(&a.customer_id);
        let movement = classify(b.map(|b| b.standing()), a.standing());
        let risk = b.is_some_and(|b| at_risk(b.status));
        add(
            (b.map(|b| b.rung), Some(a.rung), movement),
            risk,
            churned(Some(a.status)),
            a.revenue,
        );
    }
    for b in before.iter().filter(|b| mine(b.customer_id)) {
        if !later.contains_key(&b.customer_id) {
            // Gone: out, churned when at risk, no revenue in the later snapshot.
            add(
                (Some(b.rung), None, Movement::Out),
                at_risk(b.status),
                churned(None),
                Money::ZERO,
            );
        }
    }
    tally
}

async fn by_sql(store: &Store, scope: Scope, as_of: Day) -> Tally {
    store
        .movement_aggregates(scope, Some(as_of))
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                (m.from, m.to, m.movement),
                (m.customers, m.at_risk, m.churned, m.revenue.units()),
            )
        })
        .collect()
}

#[test]
fn the_movement_aggregates_follow_the_rust_rules_on_every_movement() {
    on_both(|store| async move {
        let managers = [
            store.add_user("mila", Role::Manager).await.unwrap().user.id,
            store.add_user("oleg", Role::Manager).await.unwrap().user.id,
        ];
        // 400 customers: a third assigned to each manager, a third to nobody.
        let mut manager_of: HashMap<i64, Option<i64>> = HashMap::new();
        for n in 0..400 {
            let id = store
                .upsert_customer_id_only(&format!("m{n:03}"))
                .await
                .unwrap();
            let manager = match n % 3 {
                0 => None,
                k => Some(managers[k as usize - 1]),
            };
            if manager.is_some() {
                store
                    .edit_customer_audited(
                        Scope::All,
                        id,
                        "test",
                        &CustomerEdit {
                            manager_user_id: Some(manager),
                            ..CustomerEdit::default()
                        },
                    )
                    .await
                    .unwrap();
            }
            manager_of.insert(id, manager);
        }
        let days = [day(2024, 1, 1), day(2024, 4, 1), day(2024, 7, 1)];
        let mut numbers = Numbers(20_240_101);
        // Each customer's standing wanders: in or out of each snapshot (about one in eight
        // absent), any rung, no status or any status, now and then a new turn of the spiral.
        let mut ids: Vec<i64> = manager_of.keys().copied().collect();
        ids.sort_unstable();
        let mut previous: HashMap<i64, Row> = HashMap::new();
        for &as_of in &days {
            let mut rows = Vec::new();
            for &id in &ids {
                if numbers.below(8) == 0 {
                    continue;
                }
                let rung = Rung::ALL[numbers.below(5) as usize];
                let status = match numbers.below(5) {
                    0 => None,
                    1 | 2 => Some(Status::Active),
                    3 => Some(Status::Slipping),
                    _ => Some(Status::Lost),
                };
                let turn = previous.get(&id).map_or(1, |p| p.2) + u32::from(numbers.below(6) == 0);
                let revenue = numbers.below(1_000_000) as i64 - 50_000;
                rows.push((id, (rung, status, turn, revenue)));
            }
            write_rows(&store, as_of, &rows).await;
            previous = rows.into_iter().collect();
        }
        let mut seen: BTreeMap<Movement, i64> = BTreeMap::new();
        let (mut risky, mut churns, mut gone) = (0, 0, 0);
        for pair in days.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let before = store.snapshot(from).await.unwrap();
            let after = store.snapshot(to).await.unwrap();
            let scopes = [
                (Scope::All, None),
                (Scope::Manager(managers[0]), Some(managers[0])),
                (Scope::Manager(managers[1]), Some(managers[1])),
            ];
            for (scope, manager) in scopes {
                let mine = |id: i64| manager.is_none() || manager_of[&id] == manager;
                let rust = by_rust(&before, &after, &mine);
                assert_eq!(
                    by_sql(&store, scope, to).await,
                    rust,
                    "{scope:?} {from}..{to}"
                );
                if scope == Scope::All {
                    for ((_, to_rung, movement), (n, r, c, _)) in &rust {
                        *seen.entry(*movement).or_default() += n;
                        risky += r;
                        churns += c;
                        if to_rung.is_none() {
                            gone += n;
                        }
                    }
                    // The transitions the CLI and the API report tally the same movements.
                    let t = store.transitions(from, to).await.unwrap();
                    for m in Movement::ALL {
                        let sum: i64 = rust
                            .iter()
                            .filter(|(k, _)| k.2 == m)
                            .map(|(_, v)| v.0)
                            .sum();
                        assert_eq!(t.count(m) as i64, sum, "{m:?} {from}..{to}");
                    }
                }
            }
        }
        // The snapshots held every movement, customers at risk, churned and gone.
        for m in Movement::ALL {
            assert!(seen.get(&m).is_some_and(|&n| n > 0), "no {m:?}: {seen:?}");
        }
        assert!(
            risky > 0 && churns > 0 && gone > 0,
            "{risky} {churns} {gone}"
        );
        // And a returner came back from lost as well as on a later turn (both are 'back').
        let back_from_lost = {
            let before = store.snapshot(days[0]).await.unwrap();
            let after = store.snapshot(days[1]).await.unwrap();
            let earlier: HashMap<i64, &SnapshotRow> =
                before.iter().map(|r| (r.customer_id, r)).collect();
            after.iter().any(|a| {
                earlier.get(&a.customer_id).is_some_and(|b| {
                    b.status == Some(Status::Lost)
                        && a.status != Some(Status::Lost)
                        && a.turn == b.turn
                })
            })
        };
        assert!(back_from_lost);
    });
}
