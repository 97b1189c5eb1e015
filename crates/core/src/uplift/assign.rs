//! Control-group assignment: which customers of a campaign are held back.
//!
//! Reproducible by construction: a customer's place depends only on the campaign's seed and the
//! customer's id (a fixed, documented 64-bit hash — not the standard library's hasher, whose
//! algorithm may change between Rust releases), never on input order, platform or crate
//! versions. Store the seed and the resulting arms with the campaign.

/// Which arm of a campaign a customer is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arm {
    /// Receives the campaign.
    Treated,
    /// Held back for comparison.
    Control,
}

impl Arm {
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Treated => "treated",
            Arm::Control => "control",
        }
    }
}

/// The share of customers held back, in millionths (0..=1,000,000). Kept as an integer so that
/// "10% of 30 customers" is exactly 3, with no binary rounding in the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ControlShare(u32);

/// A control share outside 0..=1 (or not a number).
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("a control share must be between 0 and 1, not {0}")]
pub struct ControlShareError(pub f64);

impl ControlShare {
    const MILLION: u64 = 1_000_000;

    /// From a fraction in 0..=1, rounded to the nearest millionth.
    pub fn new(share: f64) -> Result<ControlShare, ControlShareError> {
        if !(0.0..=1.0).contains(&share) {
            return Err(ControlShareError(share));
        }
        Ok(ControlShare((share * 1e6).round() as u32))
    }

    pub fn from_millionths(millionths: u32) -> Option<ControlShare> {
        (u64::from(millionths) <= Self::MILLION).then_some(ControlShare(millionths))
    }

    pub fn millionths(self) -> u32 {
        self.0
    }

    pub fn get(self) -> f64 {
        f64::from(self.0) / 1e6
    }
}

/// How the control group is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignmentMethod {
    /// Exact share per stratum: within each stratum the customers are ranked by their hash and
    /// the first ⌊share·n⌋ or ⌈share·n⌉ are the control (see [`assign_control`] for which).
    /// Adding customers later can move existing customers near the cut.
    ExactPerStratum,
    /// Each customer independently: control when their hash falls below share · 2⁶⁴. A
    /// customer's arm never changes when others are added or removed, but the realised share
    /// varies binomially around the target (±1.96 √(share(1 − share)/n)).
    StableThreshold,
}

/// Why an assignment was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("customer '{0}' is listed twice")]
    DuplicateCustomer(String),
}

/// The position of a customer in the campaign's random order: a keyed 64-bit hash of the id.
///
/// # Formula
/// With `mix` the SplitMix64 finaliser (a bijection of u64) and the golden-ratio constant
/// γ = 0x9E37_79B9_7F4A_7C15: h₀ = mix(seed ⊕ γ); for each 8-byte little-endian chunk c of the
/// id (the last zero-padded), h ← mix(h ⊕ c) + γ (wrapping); finally mix(h ⊕ len). Changing this
/// function changes every recorded campaign's reproduction: the tests pin its values.
pub fn assignment_hash(seed: u64, id: &str) -> u64 {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = mix(seed ^ GAMMA);
    for chunk in id.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = mix(h ^ u64::from_le_bytes(word)).wrapping_add(GAMMA);
    }
    mix(h ^ id.len() as u64)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Assigns each customer `(id, stratum)` to an arm; the result is in input order. `S` is the
/// stratum (the rung, or `()` for none).
///
/// With [`AssignmentMethod::ExactPerStratum`], a stratum of n customers gets ⌊share·n⌋ or
/// ⌈share·n⌉ controls, and the whole campaign exactly round(share·N) (half up), by largest
/// remainder: strata start at the floor, then the strata with the largest fractional parts
/// (ties: the smaller stratum key) get one more until the total is reached. So 10% of strata
/// of 25, 25 and 50 customers is 2 or 3, 2 or 3, and 5, totalling 10: 3, 2, 5. Within a
/// stratum the customers with the smallest [`assignment_hash`] (ties: the smaller id) are the
/// control. Adding m customers and assigning again keeps every stratum's control a prefix of
/// the same hash order, so existing customers only move in one direction per stratum, at most
/// m + 1 of them in each.
///
/// Refuses a list that names a customer twice. O(N log N).
pub fn assign_control<S: Ord + Copy>(
    customers: &[(&str, S)],
    share: ControlShare,
    seed: u64,
    method: AssignmentMethod,
) -> Result<Vec<Arm>, AssignmentError> {
    // Rank by (stratum, hash, id); duplicates of an id are then adjacent within a stratum, and
    // across strata are caught by the id check below.
    let mut order: Vec<(S, u64, u32)> = customers
        .iter()
        .enumerate()
        .map(|(i, &(id, stratum))| (stratum, assignment_hash(seed, id), i as u32))
        .collect();
    let id_of = |i: u32| customers[i as usize].0;
    order.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| id_of(a.2).cmp(id_of(b.2)))
    });
    check_unique(customers)?;
    let mut arms = vec![Arm::Treated; customers.len()];
    match method {
        AssignmentMethod::StableThreshold => {
            // share · 2⁶⁴ as a u128 so that share = 1 holds every hash.
            let cut = u128::from(share.0) * (1u128 << 64) / u128::from(ControlShare::MILLION);
            for &(_, hash, i) in &order {
                if u128::from(hash) < cut {
                    arms[i as usize] = Arm::Control;
                }
            }
        }
        AssignmentMethod::ExactPerStratum => {
            let strata = strata_runs(&order);
            let quotas = quotas(&strata, share);
            for ((start, len), quota) in strata.iter().map(|r| (r.1, r.2)).zip(quotas) {
                debug_assert!(quota <= len);
                for &(_, _, i) in &order[start..start + quota] {
                    arms[i as usize] = Arm::Control;
                }
            }
        }
    }
    Ok(arms)
}

fn check_unique<S>(customers: &[(&str, S)]) -> Result<(), AssignmentError> {
    let mut ids: Vec<&str> = customers.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    match ids.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(AssignmentError::DuplicateCustomer(w[0].to_string())),
        None => Ok(()),
    }
}

/// (stratum, start, length) of each stratum's run in the sorted order.
fn strata_runs<S: Ord + Copy>(order: &[(S, u64, u32)]) -> Vec<(S, usize, usize)> {
    let mut runs: Vec<(S, usize, usize)> = Vec::new();
    for (i, &(stratum, _, _)) in order.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.0 == stratum => run.2 += 1,
            _ => runs.push((stratum, i, 1)),
        }
    }
    runs
}

/// Controls per stratum by largest remainder (see [`assign_control`]).
fn quotas<S: Ord + Copy>(strata: &[(S, usize, usize)], share: ControlShare) -> Vec<usize> {
    let million = ControlShare::MILLION as u128;
    let share = u128::from(share.0);
    let total: u128 = strata.iter().map(|s| s.2 as u128).sum();
    let target = ((total * share + million / 2) / million) as usize;
    let mut quotas: Vec<usize> = strata
        .iter()
        .map(|s| (s.2 as u128 * share / million) as usize)
        .collect();
    let mut by_remainder: Vec<usize> = (0..strata.len()).collect();
    // Largest remainder first; strata are already in key order, and the sort is stable.
    by_remainder.sort_by(|&a, &b| {
        let ra = strata[a].2 as u128 * share % million;
        let rb = strata[b].2 as u128 * share % million;
        rb.cmp(&ra)
    });
    let mut missing = target.saturating_sub(quotas.iter().sum());
    for i in by_remainder {
        if missing == 0 {
            break;
        }
        if !(strata[i].2 as u128 * share).is_multiple_of(million) {
            quotas[i] += 1;
            missing -= 1;
        }
    }
    quotas
}
