//! The fitted models a scoring plan carries: a transaction model by name with its four
//! parameters, and Gamma-Gamma's three, as plain numbers that travel inside SQL as literals and
//! are turned back into the same `clientele-models` values on whichever executor scores.
//!
//! (The CLI has the same three-way dispatch over the fitted model in `models::transaction`; this
//! one rebuilds the model from its parameters, which is what a plan shipped to another process
//! can carry.)

use clientele_models::bgnbd::{self, BgNbd, BgNbdParams};
use clientele_models::clv::{ClvOptions, FactoredPurchaseModel, PurchaseModel, clv_factors};
use clientele_models::gamma_gamma::{GammaGamma, GammaGammaParams};
use clientele_models::mbgnbd::{self, MbgNbd, MbgNbdParams};
use clientele_models::pnbd::{self, ParetoNbd, ParetoNbdParams};
use clientele_models::{FitError, FitOptions, FitReport, ParamError, SpendRow, Triple};

/// Which continuous-time transaction model.
#[allow(clippy::enum_variant_names)] // the models' published names
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionKind {
    BgNbd,
    MbgNbd,
    ParetoNbd,
}

impl TransactionKind {
    /// The name used on the command line and in plans.
    pub fn name(self) -> &'static str {
        match self {
            TransactionKind::BgNbd => "bgnbd",
            TransactionKind::MbgNbd => "mbgnbd",
            TransactionKind::ParetoNbd => "pnbd",
        }
    }

    pub fn from_name(name: &str) -> Option<TransactionKind> {
        match name {
            "bgnbd" => Some(TransactionKind::BgNbd),
            "mbgnbd" => Some(TransactionKind::MbgNbd),
            "pnbd" => Some(TransactionKind::ParetoNbd),
            _ => None,
        }
    }
}

/// A fitted transaction model.
#[allow(clippy::enum_variant_names)] // the models' published names
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TransactionModel {
    BgNbd(BgNbd),
    MbgNbd(MbgNbd),
    ParetoNbd(ParetoNbd),
}

macro_rules! dispatch {
    ($self:expr, $m:ident => $body:expr) => {
        match $self {
            TransactionModel::BgNbd($m) => $body,
            TransactionModel::MbgNbd($m) => $body,
            TransactionModel::ParetoNbd($m) => $body,
        }
    };
}

impl TransactionModel {
    /// Fits `kind` on compressed (x, t_x, T) rows with weights.
    pub fn fit(
        kind: TransactionKind,
        rows: &[(Triple, f64)],
        options: &FitOptions,
    ) -> Result<(TransactionModel, FitReport), FitError> {
        Ok(match kind {
            TransactionKind::BgNbd => {
                let f = bgnbd::fit_weighted(rows, options)?;
                (TransactionModel::BgNbd(f.model), f.report)
            }
            TransactionKind::MbgNbd => {
                let f = mbgnbd::fit_weighted(rows, options)?;
                (TransactionModel::MbgNbd(f.model), f.report)
            }
            TransactionKind::ParetoNbd => {
                let f = pnbd::fit_weighted(rows, options)?;
                (TransactionModel::ParetoNbd(f.model), f.report)
            }
        })
    }

    /// The model of `kind` with parameters in the model's order (r, alpha, a, b for the BG
    /// models; r, alpha, s, beta for Pareto/NBD).
    pub fn from_params(kind: TransactionKind, p: [f64; 4]) -> Result<TransactionModel, ParamError> {
        Ok(match kind {
            TransactionKind::BgNbd => TransactionModel::BgNbd(BgNbd::new(BgNbdParams {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            })?),
            TransactionKind::MbgNbd => TransactionModel::MbgNbd(MbgNbd::new(MbgNbdParams {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            })?),
            TransactionKind::ParetoNbd => {
                TransactionModel::ParetoNbd(ParetoNbd::new(ParetoNbdParams {
                    r: p[0],
                    alpha: p[1],
                    s: p[2],
                    beta: p[3],
                })?)
            }
        })
    }

    pub fn kind(&self) -> TransactionKind {
        match self {
            TransactionModel::BgNbd(_) => TransactionKind::BgNbd,
            TransactionModel::MbgNbd(_) => TransactionKind::MbgNbd,
            TransactionModel::ParetoNbd(_) => TransactionKind::ParetoNbd,
        }
    }

    /// The parameters in the order [`Self::from_params`] takes them.
    pub fn params(&self) -> [f64; 4] {
        match self {
            TransactionModel::BgNbd(m) => {
                let p = m.params();
                [p.r, p.alpha, p.a, p.b]
            }
            TransactionModel::MbgNbd(m) => {
                let p = m.params();
                [p.r, p.alpha, p.a, p.b]
            }
            TransactionModel::ParetoNbd(m) => {
                let p = m.params();
                [p.r, p.alpha, p.s, p.beta]
            }
        }
    }

    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        dispatch!(self, m => m.p_alive(x, t_x, t))
    }

    pub fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.expected_purchases_given_alive(x, t, h))
    }

    pub fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.purchase_probability_given_alive(x, t, h))
    }

    pub fn survival_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.survival_given_alive(x, t, h))
    }

    pub fn median_time_to_next_purchase(&self, x: f64, t: f64) -> Option<f64> {
        dispatch!(self, m => m.median_time_to_next_purchase(x, t))
    }

    /// The discounted expected purchases of [`clv_factors`] for a customer alive now.
    pub fn clv_discounted_purchases(&self, x: f64, t: f64, options: &ClvOptions) -> f64 {
        clv_factors(self, x, t, options).discounted_purchases
    }
}

impl PurchaseModel for TransactionModel {
    fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.conditional_expected_purchases(x, t_x, t, h))
    }
}

impl FactoredPurchaseModel for TransactionModel {
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        TransactionModel::p_alive(self, x, t_x, t)
    }
    fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        TransactionModel::expected_purchases_given_alive(self, x, t, h)
    }
    fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        TransactionModel::purchase_probability_given_alive(self, x, t, h)
    }
}

/// Gamma-Gamma from its parameters (p, q, gamma).
pub fn gamma_gamma_from_params(p: [f64; 3]) -> Result<GammaGamma, ParamError> {
    GammaGamma::new(GammaGammaParams {
        p: p[0],
        q: p[1],
        gamma: p[2],
    })
}

pub fn gamma_gamma_params(g: &GammaGamma) -> [f64; 3] {
    let p = g.params();
    [p.p, p.q, p.gamma]
}

/// The inputs the fits read, as the engine gathers them: distinct (x, t_x, T) with the number of
/// customers of each, sorted (what `clientele_models::compress_owned` makes of the customers'
/// triples), and the repeat buyers' spend rows with their counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitInputs {
    pub triples: Vec<(Triple, f64)>,
    pub spend: Vec<(SpendRow, f64)>,
}
