//! The known stochastic process: each customer's latent parameters and their purchase days.

use clientele_core::Day;
use rand::Rng;
use rand_distr::{Beta, Distribution, Exp1, Gamma};

use crate::config::{ConfigError, SynthConfig};
use crate::rng::{Stream, Xoshiro};

/// The population distributions of a configuration, built once per file.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    lambda: Gamma<f64>,
    dropout: Beta<f64>,
    nu: Gamma<f64>,
    pub(crate) spend_shape: f64,
    seed: u64,
    start: Day,
    acquisition_days: u32,
    /// Purchases happen in continuous time; a purchase at time t (days since the epoch) falls on
    /// day ⌊t⌋, so anything at or after `end + 1` is unobserved.
    horizon: f64,
}

impl Model {
    pub(crate) fn new(cfg: &SynthConfig) -> Result<Model, ConfigError> {
        cfg.validate()?;
        // validate() has checked every shape and rate is positive and finite, which is all the
        // rand_distr constructors require.
        let gamma = |shape: f64, rate: f64| Gamma::new(shape, 1.0 / rate).expect("validated");
        Ok(Model {
            lambda: gamma(cfg.process.r, cfg.process.alpha),
            dropout: Beta::new(cfg.process.a, cfg.process.b).expect("validated"),
            nu: gamma(cfg.spend.q, cfg.spend.gamma),
            spend_shape: cfg.spend.p,
            seed: cfg.seed,
            start: cfg.start,
            acquisition_days: cfg.acquisition_days,
            horizon: f64::from(cfg.end.days_since_epoch() + 1),
        })
    }

    /// Customer `index`'s latent parameters and the process that will produce their purchases.
    pub(crate) fn customer(&self, index: u64) -> Lifetime {
        let mut rng = Xoshiro::for_person(self.seed, index, Stream::Process);
        // The order of these draws is part of the file format: changing it changes every company.
        let lambda = self.lambda.sample(&mut rng);
        let p = self.dropout.sample(&mut rng);
        let nu = self.nu.sample(&mut rng);
        let first = self
            .start
            .plus_days(rng.random_range(0..self.acquisition_days) as i32);
        Lifetime {
            lambda,
            p,
            nu,
            first,
            rng,
            t: f64::from(first.days_since_epoch()),
            horizon: self.horizon,
            purchases: 0,
            dropout: None,
            finished: false,
        }
    }

    /// Only the first purchase day of customer `index` (for referrals, which must point back in
    /// time); replays the first draws of that customer's process stream.
    pub(crate) fn first_day(&self, index: u64) -> Day {
        self.customer(index).first
    }
}

/// One customer's BG/NBD life, yielding purchase days in order.
#[derive(Clone, Debug)]
pub(crate) struct Lifetime {
    /// Purchase rate while alive, per day.
    pub(crate) lambda: f64,
    /// Probability of dropping out after each repeat purchase.
    pub(crate) p: f64,
    /// Gamma-Gamma spend rate: this customer's orders are Gamma(spend p, rate ν).
    pub(crate) nu: f64,
    pub(crate) first: Day,
    rng: Xoshiro,
    t: f64,
    horizon: f64,
    purchases: u32,
    dropout: Option<Day>,
    finished: bool,
}

impl Lifetime {
    /// The next purchase day, or `None` once the customer has dropped out or time is up.
    pub(crate) fn next_purchase(&mut self) -> Option<Day> {
        if self.finished {
            return None;
        }
        if self.purchases == 0 {
            // The first purchase always happens (acquisition), and BG/NBD has no dropout coin
            // after it: the likelihood's (1 − p)^x counts repeat purchases only.
            self.purchases = 1;
            return Some(self.first);
        }
        let gap: f64 = Exp1.sample(&mut self.rng);
        self.t += gap / self.lambda;
        if self.t >= self.horizon {
            self.finished = true;
            return None;
        }
        let day = Day::from_days_since_epoch(self.t.floor() as i32);
        self.purchases += 1;
        if self.rng.random::<f64>() < self.p {
            self.dropout = Some(day);
            self.finished = true;
        }
        Some(day)
    }

    /// Purchases so far (all of them once `next_purchase` has returned `None`).
    pub(crate) fn purchases(&self) -> u32 {
        self.purchases
    }

    /// The day of the purchase after which the customer dropped out, if they did before the end.
    pub(crate) fn dropout(&self) -> Option<Day> {
        self.dropout
    }
}
