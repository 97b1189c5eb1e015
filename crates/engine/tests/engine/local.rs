//! Parquet and the plans on DataFusion in this process, against the single-machine CSV path.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clientele_core::{Day, DayAmounts, Money};
use clientele_engine::job::{self, fit_inputs, scores_by_id};
use clientele_engine::parquet_in::import_parquet;
use clientele_engine::parquet_out::export_order_files;
use clientele_engine::plans::MarginRule;
use clientele_engine::{Engine, EngineError, Session};
use clientele_ingest::pipeline::{ImportOptions, OrderImport};
use clientele_models::FitOptions;
use clientele_models::{TransactionKind, transaction};

use crate::common::*;

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

/// Exports CSV files to one Parquet file.
fn to_parquet(
    csv: &[PathBuf],
    out: PathBuf,
) -> (PathBuf, clientele_engine::parquet_out::ExportReport) {
    let report = export_order_files(csv, &ImportOptions::default(), &out).unwrap();
    (out, report)
}

fn engine_import(paths: &[PathBuf], as_of: Option<Day>) -> OrderImport {
    let session = Session::open(&Engine::DataFusion, paths).unwrap();
    job::import(&session, paths, as_of).unwrap()
}

/// The rejects as (line, reason) pairs, for comparing paths that name files differently.
fn reject_set(import: &OrderImport) -> BTreeSet<(u64, String)> {
    import
        .rejects
        .iter()
        .map(|r| (r.row.line, r.reason.clone()))
        .collect()
}

#[test]
fn a_generated_company_has_the_same_summaries_from_csv_parquet_and_datafusion() {
    let dir = tempfile::tempdir().unwrap();
    let csv = generated_company(dir.path(), 3_000, 7);
    let (parquet, export) = to_parquet(std::slice::from_ref(&csv), dir.path().join("o.parquet"));
    for as_of in [None, Some(day(2024, 6, 30))] {
        let reference = csv_import(std::slice::from_ref(&csv), as_of);
        assert!(reference.customers.len() > 2_500);
        let native =
            import_parquet(std::slice::from_ref(&parquet), as_of, DayAmounts::FirstOnly).unwrap();
        assert_same_summaries(&reference, &native);
        let engine = engine_import(std::slice::from_ref(&parquet), as_of);
        assert_same_summaries(&reference, &engine);
        // Every row the CSV path did not use is accounted for: malformed at export, copies of
        // lines at summary time.
        let mut accounted = reject_set(&engine);
        accounted.extend(
            export
                .rejects
                .iter()
                .map(|r| (r.row.line, r.reason.clone())),
        );
        assert_eq!(accounted, reject_set(&reference), "as of {as_of:?}");
        let f = (&reference.files[0], &engine.files[0]);
        assert_eq!(f.1.accepted, f.0.accepted);
        assert_eq!(f.1.duplicates, f.0.duplicates);
        assert_eq!(f.1.returns, f.0.returns);
        assert_eq!(f.1.after_as_of, f.0.after_as_of);
    }
}

/// Two exports with what the definitions turn on, and each customer worked out by hand.
const FIRST: &str = "\
order_id,customer_id,order_date,sku,category,amount,cost
O1,A,2024-01-01,P1,Books,100.00,60.00
O2,A,2024-01-01,P2,Toys,50.00,30.00
O3,A,2024-01-11,P1,Books,200.00,150.00
O3,A,2024-01-11,P1,Books,999.00,1.00
O4,A,2024-02-01,P1,Books,-50.00,-30.00
O5,A,2024-03-02,P3,Garden,40.00,10.00
O9,A,2024-05-01,P1,Books,70.00,7.00
O6,B,2024-02-10,P1,Books,0.00,
O6,B,2024-02-10,P2,Books,25.50,
O7,C,2024-02-15,P9,Pets,-10.00,-5.00
";
/// The second export repeats A's line O5 (a copy: dropped, the first kept) and sells O3's
/// product again as a return (a return is not a copy of the sale).
const SECOND: &str = "\
order_id,customer_id,order_date,sku,category,amount,cost
O5,A,2024-03-02,P3,Garden,41.00,11.00
O3,A,2024-03-05,P1,Books,-20.00,-15.00
O8,B,2024-03-20,P5,Toys,12.25,5.00
";

#[test]
fn hand_computed_customers_come_out_the_same_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    std::fs::write(&a, FIRST).unwrap();
    std::fs::write(&b, SECOND).unwrap();
    let csv = vec![a.clone(), b.clone()];
    // One Parquet file of both exports, and one per export given in the same order.
    let (both, _) = to_parquet(&csv, dir.path().join("both.parquet"));
    let (pa, _) = to_parquet(std::slice::from_ref(&a), dir.path().join("a.parquet"));
    let (pb, _) = to_parquet(std::slice::from_ref(&b), dir.path().join("b.parquet"));
    let as_of = Some(day(2024, 3, 31));
    let reference = csv_import(&csv, as_of);
    for parquet in [vec![both.clone()], vec![pa.clone(), pb.clone()]] {
        let native = import_parquet(&parquet, as_of, DayAmounts::FirstOnly).unwrap();
        assert_same_summaries(&reference, &native);
        let engine = engine_import(&parquet, as_of);
        assert_same_summaries(&reference, &engine);
        assert_eq!(reject_set(&engine), reject_set(&reference));
    }
    // The same by hand, as of 31 March (A's May order is cut off).
    let engine = engine_import(&[both], as_of);
    assert_eq!(engine.categories, ["Books", "Garden", "Pets", "Toys"]);
    let by_id = |id: &str| &engine.customers.iter().find(|(c, _)| &**c == id).unwrap().1;
    let a = by_id("A");
    // Purchases on Jan 1 (two orders), Jan 11 (O3 once: its copy is dropped), Mar 2 (O5 from
    // the first file: 40, not the copy's 41); returns on Feb 1 and Mar 5.
    assert_eq!(
        &*a.days,
        &[day(2024, 1, 1), day(2024, 1, 11), day(2024, 3, 2)]
    );
    assert_eq!(a.orders, 4);
    assert_eq!(a.returns, 2);
    assert_eq!(a.first_day_amount, Money::from_major(150));
    assert_eq!(a.gross_sales, Money::from_major(390));
    assert_eq!(a.revenue, Money::from_major(320));
    assert_eq!(a.cost, Money::from_major(205));
    assert!(a.cost_complete);
    assert_eq!(a.categories.len(), 3, "Books, Garden, Toys");
    let b = by_id("B");
    // A zero amount is a purchase; O6's two lines are one order; costs are missing on one day.
    assert_eq!(&*b.days, &[day(2024, 2, 10), day(2024, 3, 20)]);
    assert_eq!(b.orders, 2);
    assert_eq!(b.first_day_amount, Money::from_units(255_000));
    assert_eq!(b.gross_sales, Money::from_units(377_500));
    assert!(!b.cost_complete);
    assert_eq!(b.cost, Money::from_major(5));
    // Only a return: a customer without purchase days, with the return's revenue.
    let c = by_id("C");
    assert!(c.days.is_empty());
    assert_eq!((c.orders, c.returns), (0, 1));
    assert_eq!(c.revenue, Money::from_major(-10));
    assert!(c.categories.is_empty(), "a return's category is not bought");
    let dup = &engine.rejects;
    assert_eq!(dup.len(), 2, "{dup:?}");
    assert!(
        dup.iter()
            .all(|r| r.reason.starts_with("duplicate of line"))
    );
    assert_eq!(engine.files[0].after_as_of, 1);
}

#[test]
fn fit_inputs_and_fitted_parameters_are_the_single_machine_ones() {
    let dir = tempfile::tempdir().unwrap();
    let csv = generated_company(dir.path(), 4_000, 11);
    let (parquet, _) = to_parquet(std::slice::from_ref(&csv), dir.path().join("o.parquet"));
    let reference = csv_import(std::slice::from_ref(&csv), None);
    let (triples, spend) = reference_fit_inputs(&reference);
    let session = Session::open(&Engine::DataFusion, std::slice::from_ref(&parquet)).unwrap();
    let inputs = fit_inputs(&session, reference.as_of, 1.0).unwrap();
    assert_eq!(inputs.triples, triples, "compressed (x, t_x, T) counts");
    assert_eq!(
        clientele_models::data::compress_spend(&inputs.spend),
        clientele_models::data::compress_spend(&spend),
        "spend rows"
    );
    let options = FitOptions::default();
    for kind in [TransactionKind::MbgNbd, TransactionKind::BgNbd] {
        let (on_engine, _) = transaction::fit(kind, &inputs.triples, &options).unwrap();
        let (single, _) = transaction::fit(kind, &triples, &options).unwrap();
        assert_eq!(
            on_engine.params().map(f64::to_bits),
            single.params().map(f64::to_bits)
        );
    }
    let gg = |rows| {
        clientele_models::gamma_gamma::fit_weighted(rows, &options)
            .unwrap()
            .report
    };
    let (a, b) = (gg(&inputs.spend), gg(&spend));
    for ((name, x), (_, y)) in a.params.iter().zip(&b.params) {
        assert!(close(*x, *y), "{name}: {x} against {y}");
        assert_eq!(x.to_bits(), y.to_bits(), "{name}");
    }
}

#[test]
fn scores_are_each_customers_model_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let csv = generated_company(dir.path(), 2_000, 5);
    let (parquet, _) = to_parquet(std::slice::from_ref(&csv), dir.path().join("o.parquet"));
    let reference = csv_import(std::slice::from_ref(&csv), None);
    let session = Session::open(&Engine::DataFusion, std::slice::from_ref(&parquet)).unwrap();
    let inputs = fit_inputs(&session, reference.as_of, 1.0).unwrap();
    for kind in [TransactionKind::MbgNbd, TransactionKind::ParetoNbd] {
        let (model, gg) = fit(kind, &inputs);
        let spec = analyze_spec(model, gg.as_ref(), Some(0.25));
        let scores = scores_by_id(&session, reference.as_of, &spec).unwrap();
        let identical = assert_scores_match(&reference, &spec, gg.as_ref(), &scores);
        assert_eq!(identical, scores.len(), "{kind:?}: every score bit for bit");
    }
    // `models score` in weeks with one margin for everybody.
    let week_inputs = fit_inputs(&session, reference.as_of, 7.0).unwrap();
    let (model, gg) = fit(TransactionKind::BgNbd, &week_inputs);
    let mut spec = analyze_spec(model, gg.as_ref(), None);
    spec.unit_days = 7.0;
    spec.horizon = 52.0;
    spec.clv.period_length = 365.25 / 12.0 / 7.0;
    spec.margin = MarginRule::Fixed(Some(0.3));
    let scores = scores_by_id(&session, reference.as_of, &spec).unwrap();
    assert_scores_match(&reference, &spec, gg.as_ref(), &scores);
}

#[test]
fn files_that_are_not_order_lines_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.parquet");
    {
        use datafusion::arrow::array::Int32Array;
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        use datafusion::arrow::record_batch::RecordBatch;
        let schema =
            std::sync::Arc::new(Schema::new(vec![Field::new("n", DataType::Int32, false)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![std::sync::Arc::new(Int32Array::from(vec![1, 2]))],
        )
        .unwrap();
        let file = std::fs::File::create(&other).unwrap();
        let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    let err = import_parquet(std::slice::from_ref(&other), None, DayAmounts::FirstOnly)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column 'customer_id'"), "{err}");
    let err = Session::open(&Engine::DataFusion, std::slice::from_ref(&other))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("other.parquet") && err.contains("customer_id"),
        "{err}"
    );
    let missing = Session::open(&Engine::DataFusion, &[dir.path().join("none.parquet")])
        .err()
        .unwrap()
        .to_string();
    assert!(missing.contains("no such Parquet file"), "{missing}");
}

#[test]
fn amounts_beyond_the_import_bound_are_rejected_with_their_line() {
    // The import refuses amounts above 10^12 (clientele-ingest's bound), far inside the Parquet
    // money column's DECIMAL(18,4): such a row is a reject of the conversion, never a line.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    std::fs::write(
        &csv,
        "customer_id,order_date,amount\nA,2024-01-01,10.00\nA,2024-01-02,123456789012345678.00\n",
    )
    .unwrap();
    let out = dir.path().join("big.parquet");
    let report =
        export_order_files(std::slice::from_ref(&csv), &ImportOptions::default(), &out).unwrap();
    assert_eq!(report.lines_written, 1);
    assert_eq!(report.rejects.len(), 1);
    let reject = &report.rejects[0];
    assert_eq!(reject.row.line, 3);
    assert_eq!(reject.column, "amount");
    assert!(
        reject.reason.contains("beyond the largest amount"),
        "{}",
        reject.reason
    );
    assert_eq!(reject.raw, "A,2024-01-02,123456789012345678.00");
    // --strict refuses the conversion and leaves no partial file.
    let strict = ImportOptions {
        strict: true,
        ..ImportOptions::default()
    };
    let err = export_order_files(std::slice::from_ref(&csv), &strict, &out).unwrap_err();
    assert!(matches!(err, EngineError::Strict(_)), "{err}");
    assert!(err.to_string().contains("line 3"), "{err}");
    assert!(!out.exists(), "no partial file is left");
}

#[test]
fn functions_refuse_unknown_models_and_impossible_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let csv = generated_company(dir.path(), 50, 1);
    let (parquet, _) = to_parquet(std::slice::from_ref(&csv), dir.path().join("o.parquet"));
    let session = Session::open(&Engine::DataFusion, &[parquet]).unwrap();
    let run = |sql: &str| session.collect(sql).map(|_| ()).unwrap_err().to_string();
    let e = run(
        "SELECT clientele_p_alive('nbd', 1.0, 1.0, 1.0, 1.0, CAST(line AS DOUBLE), 0.0, 1.0) FROM lines_0",
    );
    assert!(e.contains("unknown model 'nbd'"), "{e}");
    let e = run(
        "SELECT clientele_p_alive('bgnbd', -1.0, 1.0, 1.0, 1.0, CAST(line AS DOUBLE), 0.0, 1.0) FROM lines_0",
    );
    assert!(e.contains("must be finite and positive"), "{e}");
    let e = run("SELECT clientele_p_alive('bgnbd', 1.0, 1.0) FROM lines_0");
    assert!(e.contains("takes 8 arguments"), "{e}");
}
