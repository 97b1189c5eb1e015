//! The SQL the engine runs: the per-customer summary, the fit inputs and the scores, written
//! over the order-line tables `lines_0`, `lines_1`, … (one per Parquet file, in input order).
//!
//! # The summary, as the core defines it (`clientele_core::summary`)
//! 1. Lines after the as-of day are left out.
//! 2. Lines exported twice — same customer, order id, product and sign — count once: the copy
//!    first in input order (file, export, line) is kept (`first_value … ORDER BY`). Lines without
//!    an order id are each their own group.
//! 3. One aggregation over three grouping sets of the kept lines: by (customer, day) for the
//!    purchase days (a day with a line of amount ≥ 0; several orders on one day are one purchase),
//!    their amounts and the sums; by (customer, order id) for the orders with a purchase line; by
//!    (customer, category) for the categories bought.
//! 4. Those rows summed per customer. Money stays decimal (exact) throughout.

use clientele_core::Day;
use clientele_models::TransactionModel;
use clientele_models::clv::ClvOptions;
use clientele_models::gamma_gamma::GammaGammaParams;

/// Table name of Parquet file `part`.
pub fn part_table(part: usize) -> String {
    format!("lines_{part}")
}

/// The lines of every part, with the part's position as a column.
fn lines(parts: usize) -> String {
    (0..parts.max(1))
        .map(|p| {
            format!(
                "SELECT CAST({p} AS INT) AS part, customer_id, source_file, line, day, amount, cost, \
                 category, full_price, order_id, product FROM {}",
                part_table(p)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// `day` as an SQL date literal.
pub fn date_literal(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("DATE '{y:04}-{m:02}-{d:02}'")
}

/// A float as an SQL literal that reads back as the same double (Rust's `{:?}` is the shortest
/// such text and always has a `.` or an exponent, so SQL reads it as a DOUBLE).
pub fn float_literal(v: f64) -> String {
    assert!(v.is_finite(), "plans carry finite numbers only");
    format!("CAST({v:?} AS DOUBLE)")
}

/// The last day of any line: the default as-of day.
pub fn last_day(parts: usize) -> String {
    format!(
        "WITH lines AS ({}) SELECT MAX(day) AS last_day FROM lines",
        lines(parts)
    )
}

/// Per part: rows, rows up to the as-of day, returns among them, the highest export index; and
/// the first and last day of those, over all parts.
pub fn counts(parts: usize, as_of: Day) -> String {
    let cut = date_literal(as_of);
    format!(
        "WITH lines AS ({lines}) \
         SELECT part, COUNT(*) AS all_lines, \
           COUNT(*) FILTER (WHERE day <= {cut}) AS accepted_lines, \
           COUNT(*) FILTER (WHERE day <= {cut} AND amount < 0) AS return_lines, \
           MIN(day) FILTER (WHERE day <= {cut}) AS first_day, \
           MAX(day) FILTER (WHERE day <= {cut}) AS last_day, \
           MAX(source_file) AS last_source \
         FROM lines GROUP BY part ORDER BY part",
        lines = lines(parts)
    )
}

/// The category names of the lines up to the as-of day.
pub fn categories(parts: usize, as_of: Day) -> String {
    format!(
        "WITH lines AS ({}) SELECT DISTINCT category FROM lines \
         WHERE day <= {} AND category IS NOT NULL ORDER BY category",
        lines(parts),
        date_literal(as_of)
    )
}

/// Every copy of each line exported more than once (up to the as-of day), for the rejects.
pub fn duplicate_copies(parts: usize, as_of: Day) -> String {
    format!(
        "WITH lines AS ({}), {} \
         SELECT array_agg(named_struct('part', part, 'source_file', source_file, 'line', line)) AS copies \
         FROM copies GROUP BY customer_id, order_id, product, neg",
        lines(parts),
        copies_ctes(&date_literal(as_of))
    )
}

/// `dup_keys`: the lines exported more than once up to `cut` — a line with an order id is one
/// customer's product in one order, a return apart from a purchase; a line without one is
/// unique by its place (part, export, line); `copies`: every copy of those, with its key;
/// `dropped`: the place of every copy but the first in (part, export, line) order, which the
/// import keeps, as the CSV pipeline does.
///
/// Copies are few, so the whole-log work is one aggregation of plain counts and one anti-join
/// against a small table. An earlier plan kept each line with `first_value(... ORDER BY part,
/// source_file, line)` over a `GROUP BY` of every line: DataFusion keeps the ordering values of
/// every group as scalars, which took ~45 s of CPU and ~15 GB for 10M lines (BENCHMARKS.md).
fn copies_ctes(cut: &str) -> String {
    format!(
        "dup_keys AS ( \
           SELECT customer_id, order_id, product, amount < 0 AS neg FROM lines \
           WHERE day <= {cut} AND order_id IS NOT NULL \
           GROUP BY customer_id, order_id, product, amount < 0 HAVING COUNT(*) > 1), \
         copies AS ( \
           SELECT l.part, l.source_file, l.line, l.customer_id, l.order_id, l.product, k.neg \
           FROM lines l JOIN dup_keys k \
             ON l.customer_id = k.customer_id AND l.order_id = k.order_id \
             AND (l.product IS NOT DISTINCT FROM k.product) AND ((l.amount < 0) = k.neg) \
           WHERE l.day <= {cut}), \
         dropped AS ( \
           SELECT part, source_file, line FROM ( \
             SELECT part, source_file, line, ROW_NUMBER() OVER ( \
               PARTITION BY customer_id, order_id, product, neg \
               ORDER BY part, source_file, line) AS copy \
             FROM copies) WHERE copy > 1)"
    )
}

/// The common table expressions up to `summary`, one row per customer with at least one line up
/// to the as-of day: `customer_id, purchase_days, first_day, last_day` (days since 1970 as INT),
/// `first_day_amount, gross_sales, revenue, cost` (decimal), `cost_complete, returns, orders,
/// kept_lines, full_lines, known_lines`, and with `lists` also `days` (unordered list of
/// INT days) and `categories` (list of names).
pub fn summary_ctes(parts: usize, as_of: Day, lists: bool) -> String {
    let cut = date_literal(as_of);
    let day_set = "no_day = 0";
    let purchase_day = "no_day = 0 AND bought IS NOT NULL";
    let list_columns = if lists {
        format!(
            "array_agg(d) FILTER (WHERE {purchase_day}) AS days, \
             array_agg(category) FILTER (WHERE no_category = 0 AND category IS NOT NULL AND purchases > 0) AS categories, "
        )
    } else {
        String::new()
    };
    format!(
        "lines AS ({lines}), \
         {copies}, \
         kept AS ( \
           SELECT customer_id, order_id, day, amount, cost, category, \
             CAST(full_price AS TINYINT) AS full_price \
           FROM lines l WHERE day <= {cut} \
             AND NOT EXISTS (SELECT 1 FROM dropped d \
               WHERE d.part = l.part AND d.source_file = l.source_file AND d.line = l.line)), \
         sets AS ( \
           SELECT customer_id, CAST(day AS INT) AS d, order_id, category, \
             grouping(day) AS no_day, grouping(order_id) AS no_order, grouping(category) AS no_category, \
             SUM(amount) FILTER (WHERE amount >= 0) AS bought, \
             SUM(amount) AS net, \
             COUNT(*) FILTER (WHERE amount < 0) AS returns, \
             SUM(cost) AS cost, \
             COUNT(cost) AS costed, \
             COUNT(*) AS kept_lines, \
             COUNT(*) FILTER (WHERE amount >= 0) AS purchases, \
             COUNT(*) FILTER (WHERE amount >= 0 AND order_id IS NULL) AS unkeyed, \
             COUNT(*) FILTER (WHERE amount >= 0 AND full_price = 1) AS full_lines, \
             COUNT(full_price) FILTER (WHERE amount >= 0) AS known_lines \
           FROM kept \
           GROUP BY GROUPING SETS ((customer_id, day), (customer_id, order_id), (customer_id, category))), \
         summary AS ( \
           SELECT customer_id, {list_columns} \
             COUNT(*) FILTER (WHERE {purchase_day}) AS purchase_days, \
             MIN(d) FILTER (WHERE {purchase_day}) AS first_day, \
             MAX(d) FILTER (WHERE {purchase_day}) AS last_day, \
             COALESCE(first_value(bought ORDER BY d) FILTER (WHERE {purchase_day}), 0) AS first_day_amount, \
             COALESCE(SUM(bought) FILTER (WHERE {day_set}), 0) AS gross_sales, \
             COALESCE(SUM(net) FILTER (WHERE {day_set}), 0) AS revenue, \
             COALESCE(SUM(cost) FILTER (WHERE {day_set}), 0) AS cost, \
             SUM(costed) FILTER (WHERE {day_set}) = SUM(kept_lines) FILTER (WHERE {day_set}) AS cost_complete, \
             SUM(returns) FILTER (WHERE {day_set}) AS returns, \
             COALESCE(SUM(unkeyed) FILTER (WHERE {day_set}), 0) \
               + COUNT(*) FILTER (WHERE no_order = 0 AND order_id IS NOT NULL AND purchases > 0) AS orders, \
             SUM(kept_lines) FILTER (WHERE {day_set}) AS kept_lines, \
             SUM(full_lines) FILTER (WHERE {day_set}) AS full_lines, \
             SUM(known_lines) FILTER (WHERE {day_set}) AS known_lines \
           FROM sets GROUP BY customer_id)",
        lines = lines(parts),
        copies = copies_ctes(&cut),
    )
}

/// Every customer's summary with its lists (see [`summary_ctes`]).
pub fn summaries(parts: usize, as_of: Day) -> String {
    format!(
        "WITH {} SELECT * FROM summary",
        summary_ctes(parts, as_of, true)
    )
}

/// The customers' model inputs in `unit_days`-day units: `customer_id, x, t_x, t` (DOUBLE),
/// `repeat_value` (the repeat purchase days' amount, decimal), `mean_value` (its mean per repeat
/// purchase when positive, else NULL), `margin` (profit / revenue when every cost is known and
/// revenue is positive, else NULL). As `clientele models` reads a summary up to its end.
fn inputs_cte(unit_days: f64) -> String {
    let unit = float_literal(unit_days);
    "inputs AS ( \
       SELECT customer_id, \
         CAST(purchase_days - 1 AS DOUBLE) AS x, \
         CAST(last_day - first_day AS DOUBLE) / UNIT AS t_x, \
         CAST(AS_OF - first_day AS DOUBLE) / UNIT AS t, \
         gross_sales - first_day_amount AS repeat_value, \
         CASE WHEN purchase_days > 1 AND gross_sales - first_day_amount > 0 \
           THEN CAST(gross_sales - first_day_amount AS DOUBLE) / CAST(purchase_days - 1 AS DOUBLE) END AS mean_value, \
         CASE WHEN cost_complete AND revenue > 0 \
           THEN CAST(revenue - cost AS DOUBLE) / CAST(revenue AS DOUBLE) END AS margin \
       FROM summary WHERE purchase_days > 0)"
        .replace("UNIT", &unit)
}

fn with_inputs(parts: usize, as_of: Day, unit_days: f64) -> String {
    format!(
        "WITH {}, {}",
        summary_ctes(parts, as_of, false),
        inputs_cte(unit_days).replace("AS_OF", &as_of.days_since_epoch().to_string())
    )
}

/// The transaction models' input: distinct (x, t_x, T) with the number of customers of each.
pub fn fit_triples(parts: usize, as_of: Day, unit_days: f64) -> String {
    format!(
        "{} SELECT x, t_x, t, COUNT(*) AS customers FROM inputs GROUP BY x, t_x, t ORDER BY x, t_x, t",
        with_inputs(parts, as_of, unit_days)
    )
}

/// Gamma-Gamma's input: repeat buyers with a positive repeat value, as distinct (x, mean value)
/// with the number of customers of each.
pub fn fit_spend(parts: usize, as_of: Day, unit_days: f64) -> String {
    format!(
        "{} SELECT x, mean_value, COUNT(*) AS customers FROM inputs \
         WHERE x >= 1 AND mean_value IS NOT NULL GROUP BY x, mean_value ORDER BY x, mean_value",
        with_inputs(parts, as_of, unit_days)
    )
}

/// How a customer's CLV on profit is reckoned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MarginRule {
    /// One margin for everybody (`models score --margin`); `None`: no profit column.
    Fixed(Option<f64>),
    /// The customer's own margin when their costs are known, else the company's (`analyze`);
    /// `None` when the company's is unknown too.
    OwnElseCompany(Option<f64>),
}

/// What a scoring plan needs: the fitted models and the horizon.
#[derive(Clone, Debug)]
pub struct ScoreSpec {
    pub model: TransactionModel,
    /// Gamma-Gamma's parameters, when it was fitted.
    pub spend: Option<GammaGammaParams>,
    /// Days per time unit of the fit (1 or 7).
    pub unit_days: f64,
    /// Horizon in time units.
    pub horizon: f64,
    /// CLV's periods, in time units (its margin is not read).
    pub clv: ClvOptions,
    pub margin: MarginRule,
}

/// Every customer's scores: `customer_id, x, t_x, t, p_alive, expected_purchases,
/// prob_no_purchase, p_alive_at_horizon, median_wait` (time units, NULL when none), then
/// `expected_spend, clv, clv_profit` (NULL without Gamma-Gamma, or without a spend for the
/// customer, or without a margin). The functions of (x, T) alone are computed once per distinct
/// pair on each executor (see `functions`), as the single-machine path shares them; a join with
/// a table of distinct pairs would compute the summary twice (common table expressions are
/// inlined, not materialised).
pub fn scores(parts: usize, as_of: Day, spec: &ScoreSpec) -> String {
    let params = spec.model.params().map(float_literal).join(", ");
    let m = format!("'{}', {params}", spec.model.kind().code());
    let h = float_literal(spec.horizon);
    let periods = float_literal(f64::from(spec.clv.periods));
    let length = float_literal(spec.clv.period_length);
    let rate = float_literal(spec.clv.discount_rate);
    let null = "CAST(NULL AS DOUBLE)".to_string();
    let (spend, clv, clv_profit) = match spec.spend {
        None => (null.clone(), null.clone(), null),
        Some(g) => {
            let g = [g.p, g.q, g.gamma].map(float_literal).join(", ");
            let spend = format!("clientele_expected_spend({g}, x, COALESCE(mean_value, 0.0))");
            let revenue = "clientele_clv_revenue(discounted, p_alive, expected_spend)";
            // The customer's value exists when their spend does; the profit when a margin does.
            let clv = format!("CASE WHEN expected_spend IS NOT NULL THEN {revenue} END");
            let margin = match spec.margin {
                MarginRule::Fixed(None) => null,
                MarginRule::Fixed(Some(v)) => float_literal(v),
                MarginRule::OwnElseCompany(None) => "margin".to_string(),
                MarginRule::OwnElseCompany(Some(v)) => {
                    format!("COALESCE(margin, {})", float_literal(v))
                }
            };
            let profit =
                format!("CASE WHEN expected_spend IS NOT NULL THEN {revenue} * ({margin}) END");
            (spend, clv, profit)
        }
    };
    format!(
        "{with}, \
         scored AS ( \
           SELECT customer_id, x, t_x, t, margin, \
             clientele_p_alive({m}, x, t_x, t) AS p_alive, \
             clientele_purchases_if_alive({m}, x, t, {h}) AS purchases, \
             clientele_purchase_probability_if_alive({m}, x, t, {h}) AS probability, \
             clientele_survival_if_alive({m}, x, t, {h}) AS survival, \
             clientele_median_wait_if_alive({m}, x, t) AS median_wait, \
             clientele_clv_discounted_purchases({m}, x, t, {periods}, {length}, {rate}) AS discounted, \
             {spend} AS expected_spend \
           FROM inputs) \
         SELECT customer_id, x, t_x, t, p_alive, \
           p_alive * purchases AS expected_purchases, \
           LEAST(GREATEST(1.0 - p_alive * probability, 0.0), 1.0) AS prob_no_purchase, \
           p_alive * survival AS p_alive_at_horizon, \
           median_wait, expected_spend, \
           {clv} AS clv, \
           {clv_profit} AS clv_profit \
         FROM scored",
        with = with_inputs(parts, as_of, spec.unit_days),
    )
}
