//! Clientele's SQL functions: the models' per-customer predictions, registered by name.
//!
//! A plan names a function and passes the fitted parameters as literals, so the functions hold
//! no state: any process that registered them (the client, a Ballista scheduler decoding the
//! plan, each executor running it) computes the same numbers, with the same code as the
//! single-machine path (`clientele-models`).
//!
//! | function | arguments | value |
//! | --- | --- | --- |
//! | `clientele_p_alive` | model, 4 parameters, x, t_x, T | P(alive at T) |
//! | `clientele_purchases_if_alive` | model, 4 parameters, x, T, h | expected purchases in (T, T+h] if alive |
//! | `clientele_purchase_probability_if_alive` | model, 4 parameters, x, T, h | P(a purchase in (T, T+h]) if alive |
//! | `clientele_survival_if_alive` | model, 4 parameters, x, T, h | P(alive at T+h) if alive at T |
//! | `clientele_median_wait_if_alive` | model, 4 parameters, x, T | median wait to the next purchase if alive (NULL: none) |
//! | `clientele_clv_discounted_purchases` | model, 4 parameters, x, T, periods, period length, rate | discounted purchases of the CLV if alive |
//! | `clientele_expected_spend` | p, q, gamma, x, mean value | Gamma-Gamma's spend per purchase (NULL: none) |
//! | `clientele_clv_revenue` | discounted purchases, P(alive), spend | the CLV on revenue |
//!
//! The model is `'bgnbd'`, `'mbgnbd'` or `'pnbd'`; its parameters are in the model's order (r,
//! alpha, a, b; Pareto/NBD: r, alpha, s, beta). A NULL argument gives NULL.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use clientele_models::clv::{
    ClvFactors, ClvOptions, FactoredPurchaseModel, clv_factors, clv_from_factors,
};
use clientele_models::gamma_gamma::{GammaGamma, GammaGammaParams};
use clientele_models::{TransactionKind, TransactionModel, Triple};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// What a function computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    PAlive,
    PurchasesIfAlive,
    PurchaseProbabilityIfAlive,
    SurvivalIfAlive,
    MedianWaitIfAlive,
    ClvDiscountedPurchases,
    ExpectedSpend,
    ClvRevenue,
}

impl Op {
    const ALL: [Op; 8] = [
        Op::PAlive,
        Op::PurchasesIfAlive,
        Op::PurchaseProbabilityIfAlive,
        Op::SurvivalIfAlive,
        Op::MedianWaitIfAlive,
        Op::ClvDiscountedPurchases,
        Op::ExpectedSpend,
        Op::ClvRevenue,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::PAlive => "clientele_p_alive",
            Op::PurchasesIfAlive => "clientele_purchases_if_alive",
            Op::PurchaseProbabilityIfAlive => "clientele_purchase_probability_if_alive",
            Op::SurvivalIfAlive => "clientele_survival_if_alive",
            Op::MedianWaitIfAlive => "clientele_median_wait_if_alive",
            Op::ClvDiscountedPurchases => "clientele_clv_discounted_purchases",
            Op::ExpectedSpend => "clientele_expected_spend",
            Op::ClvRevenue => "clientele_clv_revenue",
        }
    }

    /// Whether the first argument names a transaction model (followed by its 4 parameters).
    fn takes_model(self) -> bool {
        !matches!(self, Op::ExpectedSpend | Op::ClvRevenue)
    }

    /// Number of arguments.
    fn arity(self) -> usize {
        match self {
            Op::PAlive | Op::PurchasesIfAlive | Op::PurchaseProbabilityIfAlive => 8,
            Op::SurvivalIfAlive => 8,
            Op::MedianWaitIfAlive => 7,
            Op::ClvDiscountedPurchases => 10,
            Op::ExpectedSpend => 5,
            Op::ClvRevenue => 3,
        }
    }
}

/// One of Clientele's functions.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ClienteleFunction {
    op: Op,
    signature: Signature,
}

impl ScalarUDFImpl for ClienteleFunction {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != self.op.arity() {
            return plan_err!(
                "{} takes {} arguments, not {}",
                self.op.name(),
                self.op.arity(),
                arg_types.len()
            );
        }
        Ok(arg_types
            .iter()
            .enumerate()
            .map(|(i, _)| {
                if i == 0 && self.op.takes_model() {
                    DataType::Utf8
                } else {
                    DataType::Float64
                }
            })
            .collect())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let rows = args.number_rows;
        let numbers: Vec<&Float64Array> = arrays
            .iter()
            .skip(usize::from(self.op.takes_model()))
            .map(|a| {
                a.as_primitive_opt::<Float64Type>().ok_or_else(|| {
                    DataFusionError::Execution(format!(
                        "{}: expected DOUBLE arguments, got {}",
                        self.op.name(),
                        a.data_type()
                    ))
                })
            })
            .collect::<Result<_>>()?;
        let out: Float64Array = if self.op.takes_model() {
            let names = arrays[0].as_string_opt::<i32>().ok_or_else(|| {
                DataFusionError::Execution(format!("{}: the model is not text", self.op.name()))
            })?;
            transaction_op(self.op, names, &numbers, rows)?
        } else {
            numeric_op(self.op, &numbers, rows)?
        };
        Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
    }
}

/// A value of a function of (x, T) alone for one model: the function, the model's name and
/// parameters, and the arguments, as bits.
type FactorKey = (Op, TransactionKind, [u64; 4], [u64; 5]);

/// Values of the functions of (x, T) alone, shared by every query of this process: a company has
/// tens of thousands of distinct (x, T) among millions of customers (what the single-machine
/// path's `ByXT` exploits), and the CLV's factor costs a dozen expectations. Emptied when full.
static FACTORS: LazyLock<Mutex<HashMap<FactorKey, Option<f64>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const FACTORS_CAPACITY: usize = 1 << 20;

/// `compute()`, or its value remembered from an earlier row, batch or query.
fn remembered(key: FactorKey, compute: impl FnOnce() -> Option<f64>) -> Option<f64> {
    if let Some(v) = FACTORS.lock().expect("no panic under the lock").get(&key) {
        return *v;
    }
    // Computed outside the lock: another thread may compute the same value meanwhile, which
    // costs time, never a different number.
    let v = compute();
    let mut map = FACTORS.lock().expect("no panic under the lock");
    if map.len() >= FACTORS_CAPACITY {
        map.clear();
    }
    map.insert(key, v);
    v
}

/// Row `i`'s numbers, or `None` when any is NULL; slots beyond `columns` stay 0.
fn row_values<const N: usize>(columns: &[&Float64Array], i: usize) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    for (slot, c) in out.iter_mut().zip(columns) {
        if c.is_null(i) {
            return None;
        }
        *slot = c.value(i);
    }
    Some(out)
}

fn transaction_op(
    op: Op,
    names: &datafusion::arrow::array::StringArray,
    numbers: &[&Float64Array],
    rows: usize,
) -> Result<Float64Array> {
    // The model is rebuilt only when its name or parameters change (they are literals: once).
    let mut cached: Option<(String, [u64; 4], TransactionModel)> = None;
    let same = |cached: &Option<(String, [u64; 4], TransactionModel)>, name: &str, bits| matches!(cached, Some((n, b, _)) if n == name && *b == bits);
    let (params, rest) = numbers.split_at(4);
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        let (Some(p), false) = (row_values::<4>(params, i), names.is_null(i)) else {
            out.push(None);
            continue;
        };
        let name = names.value(i);
        let bits = p.map(f64::to_bits);
        if !same(&cached, name, bits) {
            let Some(kind) = TransactionKind::from_code(name) else {
                return exec_err!(
                    "{}: unknown model '{name}' (bgnbd, mbgnbd or pnbd)",
                    op.name()
                );
            };
            let model = TransactionModel::from_params(kind, p)
                .map_err(|e| DataFusionError::Execution(format!("{}: {e}", op.name())))?;
            cached = Some((name.to_string(), bits, model));
        }
        let Some((_, _, model)) = &cached else {
            unreachable!("the model was just built")
        };
        if op == Op::PAlive {
            out.push(
                row_values::<3>(rest, i).map(|[x, t_x, t]| model.p_alive(&Triple::new(x, t_x, t))),
            );
            continue;
        }
        // The others depend on (x, T) and constants only: remembered.
        // Fewer than five arguments leave the rest 0.
        let Some(args) = row_values::<5>(rest, i) else {
            out.push(None);
            continue;
        };
        let key = (op, model.kind(), bits, args.map(f64::to_bits));
        let [x, t, a, b, c] = args;
        out.push(remembered(key, || match op {
            Op::PurchasesIfAlive => Some(model.expected_purchases_given_alive(x, t, a)),
            Op::PurchaseProbabilityIfAlive => Some(model.purchase_probability_given_alive(x, t, a)),
            Op::SurvivalIfAlive => Some(model.survival_given_alive(x, t, a)),
            Op::MedianWaitIfAlive => model.median_time_to_next_purchase(x, t),
            Op::ClvDiscountedPurchases => {
                let options = ClvOptions {
                    periods: a as u32,
                    period_length: b,
                    discount_rate: c,
                    margin: 0.0,
                };
                Some(clv_factors(model, x, t, &options).discounted_purchases)
            }
            Op::PAlive | Op::ExpectedSpend | Op::ClvRevenue => {
                unreachable!("not a function of (x, T)")
            }
        }));
    }
    Ok(Float64Array::from(out))
}

fn numeric_op(op: Op, numbers: &[&Float64Array], rows: usize) -> Result<Float64Array> {
    let mut out = Vec::with_capacity(rows);
    match op {
        Op::ExpectedSpend => {
            let mut cached = None;
            for i in 0..rows {
                let Some([p, q, gamma, x, mean]) = row_values::<5>(numbers, i) else {
                    out.push(None);
                    continue;
                };
                let model = match cached {
                    Some((bits, m)) if bits == [p, q, gamma].map(f64::to_bits) => m,
                    _ => {
                        let m = GammaGamma::new(GammaGammaParams { p, q, gamma }).map_err(|e| {
                            DataFusionError::Execution(format!("{}: {e}", op.name()))
                        })?;
                        cached = Some(([p, q, gamma].map(f64::to_bits), m));
                        m
                    }
                };
                out.push(model.conditional_expected_spend(x, mean));
            }
        }
        Op::ClvRevenue => {
            for i in 0..rows {
                out.push(
                    row_values::<3>(numbers, i).map(|[discounted, p_alive, spend]| {
                        let factors = ClvFactors {
                            purchases: 0.0,
                            discounted_purchases: discounted,
                        };
                        clv_from_factors(factors, p_alive, spend, 0.0).revenue
                    }),
                );
            }
        }
        _ => unreachable!("a transaction function"),
    }
    Ok(Float64Array::from(out))
}

/// Every Clientele function, to register in a session (client, scheduler and executors alike).
pub fn clientele_functions() -> Vec<Arc<ScalarUDF>> {
    Op::ALL
        .iter()
        .map(|&op| {
            Arc::new(ScalarUDF::new_from_impl(ClienteleFunction {
                op,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

/// Registers every Clientele function in `state`'s function registry.
pub fn register_functions(
    registry: &mut dyn datafusion::execution::FunctionRegistry,
) -> Result<()> {
    for f in clientele_functions() {
        registry.register_udf(f)?;
    }
    Ok(())
}
