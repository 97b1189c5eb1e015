//! Numbers for tables a person reads: digits grouped in threes, money in whole units.

/// Groups digits in threes with a thin space-free comma, e.g. 1234567 → "1,234,567".
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Money rounded to whole units, half away from zero.
pub fn whole_units(m: clientele_core::Money) -> i64 {
    let units = m.units();
    let scale = clientele_core::Money::SCALE;
    if units >= 0 {
        (units + scale / 2) / scale
    } else {
        (units - scale / 2) / scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clientele_core::Money;

    #[test]
    fn digit_grouping() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(-1234567), "-1,234,567");
        assert_eq!(whole_units(Money::from_units(12_345_000)), 1_235);
        assert_eq!(whole_units(Money::from_units(-5_000)), -1);
    }
}
