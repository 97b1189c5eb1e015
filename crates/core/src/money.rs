//! Exact money amounts.
//!
//! Amounts are fixed-point integers in ten-thousandths of the currency unit. Integer sums do not
//! depend on the order of addition, so every total in a report is the same whatever order the
//! rows of an export came in, and revenue − cost never picks up binary rounding noise.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// A money amount in 1/10,000 of the currency unit (four decimal places).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);
    /// Number of stored units per currency unit.
    pub const SCALE: i64 = 10_000;

    pub const fn from_units(ten_thousandths: i64) -> Money {
        Money(ten_thousandths)
    }

    pub const fn units(self) -> i64 {
        self.0
    }

    /// Whole currency amount plus a fraction given in ten-thousandths (for literals in tests).
    pub const fn from_major(major: i64) -> Money {
        Money(major * Self::SCALE)
    }

    /// Nearest representable amount to a floating-point value (used by generators and models,
    /// never by the importer, which parses decimal text exactly).
    pub fn from_f64_rounded(value: f64) -> Money {
        Money(round_half_away_to_i64(value * Self::SCALE as f64))
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// `self + rhs`, or `None` where `i64` would overflow. The sums of imported values cannot
    /// (see [`crate::bounds`]); values from elsewhere are summed with this.
    pub fn checked_add(self, rhs: Money) -> Option<Money> {
        self.0.checked_add(rhs.0).map(Money)
    }

    /// `self - rhs`, or `None` where `i64` would overflow.
    pub fn checked_sub(self, rhs: Money) -> Option<Money> {
        self.0.checked_sub(rhs.0).map(Money)
    }
}

/// `t` rounded half away from zero, as `t.round() as i64` gives it (saturating), without the
/// call into libm that `round` costs on baseline x86-64 (no SSE4.1 rounding instruction).
pub fn round_half_away_to_i64(t: f64) -> i64 {
    // From 2^52 on every float is a whole number, and `as` saturates as `round() as i64` does
    // (NaN becomes 0 both ways).
    if t.is_nan() || t.abs() >= 4_503_599_627_370_496.0 {
        return t as i64;
    }
    let whole = t as i64; // toward zero
    // Exact: both are below 2^52 and within one of each other.
    let fraction = t - whole as f64;
    if fraction >= 0.5 {
        whole + 1
    } else if fraction <= -0.5 {
        whole - 1
    } else {
        whole
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Two decimal places, rounded half away from zero; plain ASCII so CSV readers accept it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0.abs() + 50) / 100;
        let sign = if self.0 < 0 && cents != 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_two_decimals_rounding_half_away() {
        assert_eq!(Money::from_units(123_450).to_string(), "12.35");
        assert_eq!(Money::from_units(-123_450).to_string(), "-12.35");
        assert_eq!(Money::from_units(123_449).to_string(), "12.34");
        assert_eq!(Money::from_units(-49).to_string(), "0.00");
        assert_eq!(Money::from_major(7).to_string(), "7.00");
    }

    #[test]
    fn arithmetic_is_exact() {
        let a = Money::from_units(1); // 0.0001
        let total: Money = std::iter::repeat_n(a, 10_000).sum();
        assert_eq!(total, Money::from_major(1));
        assert_eq!(
            Money::from_major(5) - Money::from_major(7),
            Money::from_major(-2)
        );
    }

    proptest::proptest! {
        #[test]
        fn rounding_matches_the_library(
            t in prop_oneof![
                any::<f64>(),
                -1e7f64..1e7,
                // Exact halves, where the direction matters.
                (-1_000_000i64..1_000_000).prop_map(|k| k as f64 + 0.5),
                // Around 2^52, where the fraction runs out, and beyond i64's range.
                (-1e6f64..1e6).prop_map(|d| 4_503_599_627_370_496.0 + d),
                (-1e6f64..1e6).prop_map(|d| -4_503_599_627_370_496.0 + d),
                Just(9.3e18), Just(-9.3e18), Just(f64::MAX), Just(0.49999999999999994),
            ]
        ) {
            prop_assert_eq!(round_half_away_to_i64(t), t.round() as i64, "{}", t);
        }
    }
}
