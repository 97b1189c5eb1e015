//! What a synthetic company looks like: the known processes behind its data and their defaults.

use clientele_core::Day;

/// The BG/NBD purchase process every customer follows (Fader, Hardie & Lee 2005).
///
/// # Formula
/// Each customer draws a purchase rate λ ~ Gamma(shape `r`, rate `alpha`) (per day) and a dropout
/// probability p ~ Beta(`a`, `b`). While alive, purchases arrive as a Poisson process with rate λ;
/// after each repeat purchase the customer becomes inactive for good with probability p.
/// E[λ] = r/alpha, E[p] = a/(a+b).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BgNbdTruth {
    pub r: f64,
    /// Scale of the purchase rate, in days (rate parameter of the Gamma for λ per day).
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// The Gamma-Gamma spend process (Fader, Hardie & Lee 2005, "RFM and CLV").
///
/// # Formula
/// Each customer draws ν ~ Gamma(shape `q`, rate `gamma`); each of their orders is worth
/// z ~ Gamma(shape `p`, rate ν). The mean order value over customers is p·gamma/(q−1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGammaTruth {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// Everything that decides a synthetic company. The same configuration always produces the same
/// bytes, whichever of the files is written first.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthConfig {
    /// Number of buying customers.
    pub customers: u64,
    pub seed: u64,
    /// First day on which a customer can be acquired.
    pub start: Day,
    /// First purchases are spread uniformly over `start .. start + acquisition_days`.
    pub acquisition_days: u32,
    /// Last observed day (inclusive): nothing happens after it.
    pub end: Day,
    pub process: BgNbdTruth,
    pub spend: GammaGammaTruth,
    /// Share of orders that are later returned, fully or partly, in a separate row.
    pub return_rate: f64,
    /// Extra malformed rows per good order (never replacing a good one).
    pub dirty_rate: f64,
    /// People in the customers file who never bought anything.
    pub prospects: u64,
}

/// Default shape of the process: purchase rates average r/alpha = 1/80 per day (a typical active
/// customer buys every 80 days, with a long tail of both rare and frequent buyers) and the dropout
/// probability after a repeat purchase averages a/(a+b) = 0.8/3.3 ≈ 0.24.
pub const DEFAULT_PROCESS: BgNbdTruth = BgNbdTruth {
    r: 0.75,
    alpha: 60.0,
    a: 0.8,
    b: 2.5,
};

/// Default spend: mean order value p·gamma/(q−1) = 6·1250/3 = 2,500 (roubles).
pub const DEFAULT_SPEND: GammaGammaTruth = GammaGammaTruth {
    p: 6.0,
    q: 4.0,
    gamma: 1250.0,
};

impl SynthConfig {
    /// The default company with `customers` buyers and the given seed.
    pub fn new(customers: u64, seed: u64) -> SynthConfig {
        SynthConfig {
            customers,
            seed,
            prospects: customers / 5,
            ..SynthConfig::default()
        }
    }

    /// Checks that every parameter describes a process that can be simulated.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("process.r", self.process.r),
            ("process.alpha", self.process.alpha),
            ("process.a", self.process.a),
            ("process.b", self.process.b),
            ("spend.p", self.spend.p),
            ("spend.q", self.spend.q),
            ("spend.gamma", self.spend.gamma),
        ];
        for (name, value) in positive {
            // `!(x > 0)` also rejects NaN.
            if !(value > 0.0 && value.is_finite()) {
                return Err(ConfigError::NotPositive { name, value });
            }
        }
        for (name, value) in [
            ("return_rate", self.return_rate),
            ("dirty_rate", self.dirty_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ConfigError::NotAShare { name, value });
            }
        }
        let window_ends = self
            .start
            .plus_days(self.acquisition_days.max(1) as i32 - 1);
        if self.acquisition_days == 0 || window_ends > self.end {
            return Err(ConfigError::Window {
                start: self.start,
                acquisition_days: self.acquisition_days,
                end: self.end,
            });
        }
        Ok(())
    }
}

impl Default for SynthConfig {
    /// 10,000 customers acquired during 2023 and observed for two years (to 2024-12-31).
    fn default() -> SynthConfig {
        let start = Day::from_ymd(2023, 1, 1).expect("2023-01-01 is a date");
        SynthConfig {
            customers: 10_000,
            seed: 1,
            start,
            acquisition_days: 365,
            end: start.plus_days(730),
            process: DEFAULT_PROCESS,
            spend: DEFAULT_SPEND,
            return_rate: 0.02,
            dirty_rate: 0.001,
            prospects: 2_000,
        }
    }
}

/// Why a configuration cannot be simulated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be a positive number, not {value}")]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} must be between 0 and 1, not {value}")]
    NotAShare { name: &'static str, value: f64 },
    #[error(
        "the acquisition window of {acquisition_days} days from {start} must be non-empty and end by {end}"
    )]
    Window {
        start: Day,
        acquisition_days: u32,
        end: Day,
    },
}

impl From<ConfigError> for std::io::Error {
    fn from(e: ConfigError) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
    }
}
