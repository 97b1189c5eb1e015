//! `clientele models fit|score` and the model columns of `analyze`, end to end.
//!
//! Published values: Fader, Hardie & Lee (2005) for BG/NBD, Pareto/NBD and Gamma-Gamma on the
//! CDNOW sample's 39-week calibration summary; Fader, Hardie & Shang (2010) for BG/BB on the
//! donations data; Fader & Hardie (2007) for sBG.
//!
//! Tolerance: half a unit of the last published digit, plus 0.001 for 3-decimal parameters (the
//! likelihood is flat along the scale ridges: moving Pareto/NBD's β from our 11.6679 to the
//! published 11.669 changes the log-likelihood by less than 1e-6, and ours is higher than at the
//! published point), and γ of Gamma-Gamma within 0.01 (the fixture's z̄ is rounded to cents;
//! lifetimes reports 15.45 on this file, the paper 15.44). The models crate's own tests check the
//! log-likelihood at our optimum is at least the one at the published parameters.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::common::{Table, civil_days, fixture, path_str, run};
use crate::{SAMPLE_MAP, tempdir};

/// Half a unit in the last published digit of `published` (given as text, e.g. "4.414"), plus
/// the flat-ridge slack of the module docs.
fn half_unit(published: &str) -> f64 {
    let decimals = published.split('.').nth(1).map_or(0, str::len);
    let slack = match decimals {
        3 => 0.001,
        2 => 0.005,
        _ => 0.0,
    };
    0.5 * 10f64.powi(-(decimals as i32)) + slack
}

fn assert_published(json: &serde_json::Value, key: &str, name: &str, published: &str) {
    let got = json[key][name]
        .as_f64()
        .unwrap_or_else(|| panic!("{key}.{name} missing in {json}"));
    let want: f64 = published.parse().unwrap();
    assert!(
        (got - want).abs() <= half_unit(published),
        "{name} = {got}, published {published}"
    );
}

/// Fader, Hardie & Lee's BG/NBD on the CDNOW calibration weeks, as published.
const BGNBD_PUBLISHED: [(&str, &str); 4] = [
    ("r", "0.243"),
    ("alpha", "4.414"),
    ("a", "0.793"),
    ("b", "2.426"),
];

/// Fader, Hardie & Lee's Gamma-Gamma on the CDNOW repeat buyers, as published.
const GAMMA_GAMMA_PUBLISHED: [(&str, &str); 3] = [("p", "6.25"), ("q", "3.74"), ("gamma", "15.44")];

fn fit(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["models", "fit"];
    all.extend_from_slice(args);
    let json = run(&all).ok().json();
    assert_eq!(json["converged"], true, "{json}");
    json
}

/// The CDNOW summary's data rows, each as its fields `ID, x, t_x, T, zbar`, as written.
fn summary_fields() -> Vec<Vec<String>> {
    let text = fs::read_to_string(fixture(
        "cdnow/cdnow_customers_summary_with_transactions.csv",
    ))
    .unwrap();
    text.lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

fn summary() -> String {
    path_str(&fixture(
        "cdnow/cdnow_customers_summary_with_transactions.csv",
    ))
    .to_string()
}

#[test]
fn bgnbd_on_the_cdnow_summary_reproduces_the_paper() {
    let json = fit(&[
        "--model",
        "bgnbd",
        "--summary",
        &summary(),
        "--time-unit",
        "week",
    ]);
    assert_eq!(json["model"], "bgnbd");
    for (name, published) in BGNBD_PUBLISHED {
        assert_published(&json, "params", name, published);
        let se = json["std_errors"][name].as_f64().unwrap();
        assert!(se > 0.0 && se.is_finite(), "{name}: {se}");
    }
    let ll = json["log_likelihood"].as_f64().unwrap();
    assert!((ll - -9582.4).abs() <= 0.05, "LL {ll}");
    assert_eq!(json["customers"], 2357.0);
    assert_eq!(json["time_unit"], "week");
    assert!(json["iterations"].as_u64().unwrap() > 0);
}

#[test]
fn pareto_nbd_on_the_cdnow_summary_reproduces_the_paper() {
    let json = fit(&[
        "--model",
        "pnbd",
        "--summary",
        &summary(),
        "--time-unit",
        "week",
    ]);
    for (name, published) in [
        ("r", "0.553"),
        ("alpha", "10.578"),
        ("s", "0.606"),
        ("beta", "11.669"),
    ] {
        assert_published(&json, "params", name, published);
    }
    let ll = json["log_likelihood"].as_f64().unwrap();
    assert!((ll - -9595.0).abs() <= 0.05, "LL {ll}");
}

#[test]
fn gamma_gamma_on_the_cdnow_repeat_buyers_reproduces_the_paper() {
    let json = fit(&["--model", "gg", "--summary", &summary()]);
    for (name, published) in GAMMA_GAMMA_PUBLISHED {
        assert_published(&json, "params", name, published);
    }
    // 946 repeat buyers (x ≥ 1) carry a spend; counted independently from the file.
    let text = fs::read_to_string(fixture(
        "cdnow/cdnow_customers_summary_with_transactions.csv",
    ))
    .unwrap();
    let repeat = text
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1).unwrap() != "0")
        .count();
    assert_eq!(repeat, 946);
    assert_eq!(json["customers"], 946.0);
}

#[test]
fn gamma_gamma_from_the_order_log_with_a_calibration_end_reproduces_the_paper() {
    // The spend inputs are the repeat purchases of the 39 calibration weeks only: most of these
    // customers buy again later, so their value comes from the amounts per purchase day, not
    // from the whole log's sums.
    let sample = fixture("cdnow/CDNOW_sample.txt");
    let mut args = vec![
        "models",
        "fit",
        "--model",
        "gg",
        path_str(&sample),
        "--calibration-end",
        "1997-09-30",
    ];
    args.extend_from_slice(SAMPLE_MAP);
    let json = run(&args).ok().json();
    for (name, published) in GAMMA_GAMMA_PUBLISHED {
        assert_published(&json, "params", name, published);
    }
    assert_eq!(json["customers"], 946.0);
}

#[test]
fn bgbb_on_the_donations_reproduces_the_paper() {
    let donations = fixture("cdnow/donations.csv");
    let json = fit(&["--model", "bgbb", "--summary", path_str(&donations)]);
    for (name, published) in [
        ("alpha", "1.204"),
        ("beta", "0.750"),
        ("gamma", "0.657"),
        ("delta", "2.783"),
    ] {
        assert_published(&json, "params", name, published);
    }
    let ll = json["log_likelihood"].as_f64().unwrap();
    assert!((ll - -33_225.6).abs() <= 0.05, "LL {ll}");
    assert_eq!(json["customers"], 11_104.0);
}

#[test]
fn sbg_on_the_retention_example_of_fader_and_hardie() {
    // "Regular" customers of Fader & Hardie (2007), "How to project customer retention",
    // Journal of Interactive Marketing 21(1): alive at the start of years 0..7.
    let dir = tempdir();
    let file = dir.path().join("regular.csv");
    fs::write(
        &file,
        "period,alive\n0,1000\n1,631\n2,468\n3,382\n4,326\n5,289\n6,262\n7,241\n",
    )
    .unwrap();
    let json = fit(&["--model", "sbg", "--summary", path_str(&file)]);
    // Published to three digits: α = 0.704, β = 1.182.
    assert_published(&json, "params", "alpha", "0.704");
    assert_published(&json, "params", "beta", "1.182");
}

#[test]
fn lifetimes_style_columns_give_the_same_fit() {
    // The same summary with lifetimes' column names, in another order, with the id last.
    let mut out = String::from("frequency,recency,T,monetary_value,customer_id\n");
    for f in summary_fields() {
        out.push_str(&format!("{},{},{},{},{}\n", f[1], f[2], f[3], f[4], f[0]));
    }
    let dir = tempdir();
    let file = dir.path().join("lifetimes.csv");
    fs::write(&file, out).unwrap();
    let a = fit(&[
        "--model",
        "bgnbd",
        "--summary",
        &summary(),
        "--time-unit",
        "week",
    ]);
    let b = fit(&[
        "--model",
        "bgnbd",
        "--summary",
        path_str(&file),
        "--time-unit",
        "week",
    ]);
    assert_eq!(a["params"], b["params"]);
    assert_eq!(a["log_likelihood"], b["log_likelihood"]);
    let g = fit(&["--model", "gg", "--summary", path_str(&file)]);
    assert_published(&g, "params", "p", "6.25");
}

#[test]
fn summaries_saved_by_excel_in_a_russian_locale_give_the_same_fit() {
    // The CDNOW summary as Excel saves it in a Russian locale: Windows-1251, ';'-separated,
    // decimal commas, CRLF line ends, Cyrillic ids in a column named in Russian.
    let fields = summary_fields();
    let mut excel = String::from("Клиент;x;t_x;T;zbar\r\n");
    for f in &fields {
        let decimal_comma = |v: &str| v.replace('.', ",");
        excel.push_str(&format!(
            "Клиент {};{};{};{};{}\r\n",
            f[0],
            f[1],
            decimal_comma(&f[2]),
            decimal_comma(&f[3]),
            decimal_comma(&f[4])
        ));
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&excel);
    assert!(!unmappable);
    let dir = tempdir();
    let cp1251 = dir.path().join("excel.csv");
    fs::write(&cp1251, &bytes).unwrap();
    // The same with a UTF-8 byte-order mark before the first column's name, which is `x`.
    let bom = dir.path().join("bom.csv");
    let mut with_bom = b"\xef\xbb\xbfx,t_x,T,zbar,id\n".to_vec();
    for f in &fields {
        with_bom.extend_from_slice(
            format!("{},{},{},{},{}\n", f[1], f[2], f[3], f[4], f[0]).as_bytes(),
        );
    }
    fs::write(&bom, with_bom).unwrap();

    let plain = fit(&[
        "--model",
        "bgnbd",
        "--summary",
        &summary(),
        "--time-unit",
        "week",
    ]);
    for file in [&cp1251, &bom] {
        let other = fit(&[
            "--model",
            "bgnbd",
            "--summary",
            path_str(file),
            "--time-unit",
            "week",
        ]);
        assert_eq!(plain["params"], other["params"], "{}", file.display());
        assert_eq!(plain["log_likelihood"], other["log_likelihood"]);
    }
    let gg = fit(&["--model", "gg", "--summary", path_str(&cp1251)]);
    assert_eq!(gg, fit(&["--model", "gg", "--summary", &summary()]));

    // The ids come out as they were written, in UTF-8.
    let scores = run(&[
        "models",
        "score",
        "--model",
        "bgnbd",
        "--summary",
        path_str(&cp1251),
        "--time-unit",
        "week",
        "--horizon",
        "39",
    ])
    .ok();
    assert!(
        scores
            .stdout
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Клиент 1,"),
        "{}",
        scores.stdout
    );

    // A comma read as the decimal mark when the user says so, and refused when they say '.'.
    let r = run(&[
        "models",
        "fit",
        "--model",
        "bgnbd",
        "--summary",
        path_str(&cp1251),
        "--decimal",
        ".",
    ]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("line 2, column t_x: '30,43' is not a number"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_summary_files_are_refused_with_the_line_and_column() {
    let dir = tempdir();
    let file = dir.path().join("bad.csv");
    fs::write(&file, "id,x,t_x,T\n1,2,10,20\n2,two,3,20\n").unwrap();
    let r = run(&[
        "models",
        "fit",
        "--model",
        "bgnbd",
        "--summary",
        path_str(&file),
    ]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("line 3, column x: 'two'"), "{}", r.stderr);

    fs::write(&file, "id,x,t_x,T\n1,2,30,20\n").unwrap();
    let r = run(&[
        "models",
        "fit",
        "--model",
        "bgnbd",
        "--summary",
        path_str(&file),
    ]);
    assert_eq!(r.code, Some(2), "{r:?}");
    // The line in the file, and the reason once.
    assert!(
        r.stderr
            .contains("line 2: recency t_x=30 exceeds tenure T=20\n"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("exceeds tenure").count(),
        1,
        "{}",
        r.stderr
    );

    // Nobody bought twice: the fit refuses and says why instead of returning nonsense.
    fs::write(&file, "id,x,t_x,T\n1,0,0,20\n2,0,0,30\n3,0,0,40\n").unwrap();
    let r = run(&[
        "models",
        "fit",
        "--model",
        "bgnbd",
        "--summary",
        path_str(&file),
    ]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("zero repeat purchases"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

/// Repeat purchase days per customer of the CDNOW sample, split at `cal_end` (a day number):
/// computed here from the raw file, independently of the importer.
fn sample_purchase_days() -> BTreeMap<String, BTreeSet<i64>> {
    let text = fs::read_to_string(fixture("cdnow/CDNOW_sample.txt")).unwrap();
    let mut days: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 5 {
            continue;
        }
        let d = f[2];
        let day = civil_days(
            d[..4].parse().unwrap(),
            d[4..6].parse().unwrap(),
            d[6..].parse().unwrap(),
        );
        days.entry(f[0].to_string()).or_default().insert(day);
    }
    days
}

#[test]
fn calibration_and_holdout_on_the_cdnow_sample() {
    let sample = fixture("cdnow/CDNOW_sample.txt");
    let dir = tempdir();
    let out = dir.path().join("diagnostics");
    let mut args = vec![
        "models",
        "fit",
        "--model",
        "bgnbd",
        path_str(&sample),
        "--time-unit",
        "week",
        "--calibration-end",
        "1997-09-30",
        "--out",
        path_str(&out),
    ];
    args.extend_from_slice(SAMPLE_MAP);
    let json = run(&args).ok().json();
    // The summary computed from the order log equals the published one, so the fit does too.
    for (name, published) in BGNBD_PUBLISHED {
        assert_published(&json, "params", name, published);
    }
    let cal_end = civil_days(1997, 9, 30);
    let actual: usize = sample_purchase_days()
        .values()
        .map(|d| d.iter().filter(|&&day| day > cal_end).count())
        .sum();
    let holdout = &json["holdout"];
    assert_eq!(holdout["actual_purchases"].as_f64().unwrap(), actual as f64);
    assert_eq!(holdout["customers"], 2357);
    assert_eq!(holdout["holdout_end"], "1998-06-30");
    // BG/NBD under-forecasts this holdout (1,653 of 1,882 repeat purchases), mostly among the
    // customers with one or two calibration purchases, as Fader, Hardie & Lee (2005, fig. 5)
    // show too; a gross error would mean broken plumbing.
    let error = holdout["aggregate_error_percent"].as_f64().unwrap();
    assert!(error.abs() < 15.0, "aggregate error {error}%");
    // The group means of the actual holdout purchases, recomputed here: customers with no
    // repeat purchase before the calibration end.
    let days = sample_purchase_days();
    let zero: Vec<&BTreeSet<i64>> = days
        .values()
        .filter(|d| d.iter().filter(|&&day| day <= cal_end).count() == 1)
        .collect();
    let zero_holdout: usize = zero
        .iter()
        .map(|d| d.iter().filter(|&&day| day > cal_end).count())
        .sum();
    let group = &holdout["by_calibration_frequency"][0];
    assert_eq!(group["calibration_frequency"], "0");
    assert_eq!(group["customers"].as_f64().unwrap(), zero.len() as f64);
    let mean = group["actual_mean"].as_f64().unwrap();
    assert!((mean - zero_holdout as f64 / zero.len() as f64).abs() < 1e-12);
    let predicted = holdout["predicted_purchases"].as_f64().unwrap();
    assert!(predicted > 0.0);

    let table = Table::read(&out.join("holdout.csv"));
    assert_eq!(table.rows.len(), 2357);
    let sum: f64 = table
        .rows
        .iter()
        .map(|r| r["holdout_predicted"].parse::<f64>().unwrap())
        .sum();
    assert!((sum - predicted).abs() < 1e-3 * predicted);
    for chart in [
        "period_transactions.svg",
        "calibration_vs_holdout.svg",
        "frequency_recency_matrix.svg",
        "p_alive_matrix.svg",
        "cumulative_transactions.svg",
    ] {
        let svg = fs::read_to_string(out.join(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{chart}"
        );
        assert!(svg.contains("<title id=\"chart-title\">"), "{chart}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{chart}");
    }
    let tracking = fs::read_to_string(out.join("cumulative_transactions.svg")).unwrap();
    assert!(tracking.contains("end of calibration"));
}

#[test]
fn horizons_say_how_clv_counts_them_and_a_mistyped_one_is_refused() {
    let score = |horizon: &str| {
        run(&[
            "models",
            "score",
            "--model",
            "bgnbd",
            "--summary",
            &summary(),
            "--time-unit",
            "week",
            "--horizon",
            horizon,
        ])
    };
    // CLV over no time is nothing.
    let zero = score("0").ok();
    let mut rows = csv::Reader::from_reader(zero.stdout.as_bytes());
    let clv = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "clv")
        .unwrap();
    let values: Vec<String> = rows
        .records()
        .map(|r| r.unwrap()[clv].to_string())
        .collect();
    assert_eq!(values.len(), 2357);
    assert!(values.iter().all(|v| v == "0.0000"), "{values:?}");
    assert!(zero.stderr.is_empty(), "{}", zero.stderr);
    // A week is counted as a month of CLV, and the user is told.
    let week = score("1").ok();
    assert!(
        week.stderr
            .contains("CLV counts whole months: over 1 month for the horizon of 7 days"),
        "{}",
        week.stderr
    );
    // 39 weeks are 8.97 months: 9 whole months, close enough to say nothing.
    assert!(score("39").ok().stderr.is_empty());
    // Refused at once (summed month by month, this horizon ran for hours).
    let r = score("1e9");
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("more than a century"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn score_writes_one_row_per_customer_with_spend_and_clv() {
    let dir = tempdir();
    let out = dir.path().join("scores.csv");
    run(&[
        "models",
        "score",
        "--model",
        "pnbd",
        "--summary",
        &summary(),
        "--time-unit",
        "week",
        "--horizon",
        "39",
        "--margin",
        "0.25",
        "--out",
        path_str(&out),
    ])
    .ok();
    let table = Table::read(&out);
    assert_eq!(
        table.header,
        [
            "customer_id",
            "p_alive",
            "expected_purchases",
            "prob_no_purchase",
            "expected_spend",
            "clv",
            "clv_profit",
            "p_alive_at_horizon",
            "median_time_to_next_purchase_if_alive"
        ]
    );
    assert_eq!(table.rows.len(), 2357);
    let num = |r: &BTreeMap<String, String>, k: &str| r[k].parse::<f64>().unwrap();
    for r in &table.rows {
        let p = num(r, "p_alive");
        assert!((0.0..=1.0).contains(&p), "{r:?}");
        assert!(num(r, "expected_purchases") >= 0.0);
        assert!((0.0..=1.0).contains(&num(r, "prob_no_purchase")));
        assert!(num(r, "clv") >= 0.0);
        // Profit is a quarter of revenue (both printed to 4 decimals).
        assert!((num(r, "clv_profit") - 0.25 * num(r, "clv")).abs() < 1e-4 + 1e-9 * num(r, "clv"));
        // Alive at the horizon needs alive now.
        assert!(num(r, "p_alive_at_horizon") <= p + 1e-12);
    }
    // Pareto/NBD gives one-time buyers a P(alive) below 1 (BG/NBD would say exactly 1).
    let one_time = table.rows.iter().find(|r| r["customer_id"] == "3").unwrap();
    assert!(num(one_time, "p_alive") < 1.0);
    // Customer 1 (x = 2, t_x = 30.43, T = 38.86) is likelier alive than customer 3 (x = 0).
    let c1 = table.rows.iter().find(|r| r["customer_id"] == "1").unwrap();
    assert!(num(c1, "expected_purchases") > num(one_time, "expected_purchases"));
    // The median wait of an active customer, by hand from the fitted parameters: the purchase
    // rate's posterior is Gamma(r + x, α + T), so the wait is Lomax and its median is
    // (α + T)(2^(1/(r+x)) − 1). Customer 1: x = 2, T = 38.86 weeks.
    let params = fit(&[
        "--model",
        "pnbd",
        "--summary",
        &summary(),
        "--time-unit",
        "week",
    ]);
    let (r, alpha) = (
        params["params"]["r"].as_f64().unwrap(),
        params["params"]["alpha"].as_f64().unwrap(),
    );
    let by_hand = (alpha + 38.86) * (2f64.powf(1.0 / (r + 2.0)) - 1.0);
    let printed = num(c1, "median_time_to_next_purchase_if_alive");
    assert!(
        (printed - by_hand).abs() <= 0.005 + 1e-9,
        "{printed} against {by_hand}"
    );
    assert!((15.0..16.0).contains(&printed), "{printed}");
}

#[test]
fn analyze_adds_the_model_columns() {
    let master = fixture("cdnow/CDNOW_master.txt");
    let dir = tempdir();
    let out = dir.path().join("out");
    let report = run(&[
        "analyze",
        path_str(&master),
        "--out",
        path_str(&out),
        "--format",
        "json",
        "--horizon",
        "180",
    ])
    .ok()
    .json();
    assert_eq!(report["model"]["model"], "mbgnbd");
    assert_eq!(report["model"]["fitted"], true);
    assert_eq!(report["model"]["converged"], true);
    let table = Table::read(&out.join("customers.csv"));
    for column in [
        "p_alive",
        "expected_purchases_180",
        "prob_no_purchase_180",
        "expected_spend",
        "clv_180",
        "clv_profit_180",
        "next_purchase_expected",
        "days_late",
    ] {
        assert!(table.header.iter().any(|h| h == column), "{column}");
    }
    let as_of = civil_days(1998, 6, 30);
    for r in &table.rows {
        let p: f64 = r["p_alive"].parse().unwrap();
        assert!((0.0..=1.0).contains(&p), "{r:?}");
        let e: f64 = r["expected_purchases_180"].parse().unwrap();
        assert!(e >= 0.0 && e.is_finite());
        if !r["next_purchase_expected"].is_empty() {
            let d = &r["next_purchase_expected"];
            let day = civil_days(
                d[..4].parse().unwrap(),
                d[5..7].parse().unwrap(),
                d[8..].parse().unwrap(),
            );
            assert!(day > as_of - 400, "{r:?}");
        }
        // Lost by P(alive) means P(alive) below the default lost limit, 0.2.
        if r["status_reason"].starts_with("P(alive)") && r["status"] == "lost" {
            assert!(p < 0.2, "{r:?}");
        }
    }
    // With `--model none` the columns stay but are empty, and the model section is null.
    let none = dir.path().join("none");
    let report = run(&[
        "analyze",
        path_str(&master),
        "--out",
        path_str(&none),
        "--format",
        "json",
        "--model",
        "none",
    ])
    .ok()
    .json();
    assert!(report["model"].is_null());
    let table = Table::read(&none.join("customers.csv"));
    assert!(table.rows.iter().all(|r| r["p_alive"].is_empty()));
}

#[test]
fn alerts_list_the_steady_buyer_who_is_late_but_not_the_irregular_one() {
    // A buys every 30 ± 4 days; B every two to six months. On the as-of day A has been silent
    // 49 days (19 past the mean gap of 30) and B 19 days past their mean gap of 111 days.
    let steady = [26, 34, 30, 27, 33, 30, 29, 31, 34, 26];
    let irregular = [60, 180, 90, 150, 75];
    let start = civil_days(2023, 1, 2);
    let iso = |d: i64| {
        let (y, m, dd) = crate::common::civil_from_days(d);
        format!("{y:04}-{m:02}-{dd:02}")
    };
    let mut csv = String::from("order_id,customer_id,date,amount\n");
    let mut n = 0;
    let mut add = |who: &str, first: i64, gaps: &[i64]| -> i64 {
        let mut d = first;
        for k in 0..=gaps.len() {
            n += 1;
            csv.push_str(&format!("O{n},{who},{},100.00\n", iso(d)));
            if k < gaps.len() {
                d += gaps[k];
            }
        }
        d
    };
    let last_a = add("A", start, &steady);
    let as_of = last_a + 49;
    // B's gaps sum to 555 days (mean 111); B's last purchase is 130 days before the as-of day.
    let last_b = add("B", as_of - 130 - 555, &irregular);
    assert_eq!(as_of - last_b, 111 + 19);
    let dir = tempdir();
    let file = dir.path().join("orders.csv");
    fs::write(&file, csv).unwrap();
    let out = dir.path().join("out");
    run(&[
        "analyze",
        path_str(&file),
        "--as-of",
        &iso(as_of),
        "--model",
        "none",
        "--out",
        path_str(&out),
    ])
    .ok();
    let alerts = Table::read(&out.join("alerts.csv"));
    assert_eq!(alerts.rows.len(), 1, "{:?}", alerts.rows);
    let a = &alerts.rows[0];
    assert_eq!(a["customer_id"], "A");
    assert_eq!(a["status"], "slipping");
    assert_eq!(a["days_late"], "19");
    assert_eq!(a["expected_purchase"], iso(last_a + 30));
    assert!(a["reason"].starts_with("buys every 30 ± "), "{a:?}");
    assert!(a["reason"].ends_with("; 19 days late"), "{a:?}");
    let customers = Table::read(&out.join("customers.csv"));
    let b = customers
        .rows
        .iter()
        .find(|r| r["customer_id"] == "B")
        .unwrap();
    assert_eq!(b["status"], "active", "{b:?}");
    assert_eq!(b["last_purchase"], iso(last_b));
    // Late by the calendar (19 days past the mean gap) but well within B's own spread.
    assert_eq!(b["days_late"], "19", "{b:?}");
    assert!(b["status_reason"].starts_with("buys every 111 ± "), "{b:?}");
}

#[test]
fn the_summary_of_the_cdnow_sample_is_the_published_one_and_fits_to_the_paper() {
    // `models summary` writes lifetimes' columns from the order log; cut at the end of the 39
    // calibration weeks it is the published calibration summary, and it fits to the paper.
    let sample = fixture("cdnow/CDNOW_sample.txt");
    let dir = tempdir();
    let out = dir.path().join("summary.csv");
    let mut args = vec![
        "models",
        "summary",
        path_str(&sample),
        "--calibration-end",
        "1997-09-30",
        "--time-unit",
        "week",
        "--out",
        path_str(&out),
    ];
    args.extend_from_slice(SAMPLE_MAP);
    run(&args).ok();
    let table = Table::read(&out);
    assert_eq!(
        table.header,
        [
            "customer_id",
            "frequency",
            "recency",
            "T",
            "monetary_value",
            "frequency_holdout",
            "duration_holdout"
        ]
    );
    let ours: BTreeMap<&str, &BTreeMap<String, String>> = table
        .rows
        .iter()
        .map(|r| (r["customer_id"].as_str(), r))
        .collect();
    // sample id (column 2) → master id (column 1, the customer id under SAMPLE_MAP).
    let text = fs::read_to_string(&sample).unwrap();
    let master_of: BTreeMap<&str, &str> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() == 5)
        .map(|f| (f[1].trim_start_matches('0'), f[0]))
        .collect();
    let published = fs::read_to_string(fixture(
        "cdnow/cdnow_customers_summary_with_transactions.csv",
    ))
    .unwrap();
    let number =
        |row: &BTreeMap<String, String>, column: &str| -> f64 { row[column].parse().unwrap() };
    let mut checked = 0;
    for line in published.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        let row = ours[master_of[line.split(',').next().unwrap()]];
        // The published file rounds t_x, T and z̄ to two decimals.
        assert_eq!(number(row, "frequency"), f[1], "{line}");
        for (column, value) in [("recency", f[2]), ("T", f[3]), ("monetary_value", f[4])] {
            assert!(
                (number(row, column) - value).abs() <= 0.005 + 1e-9,
                "{line}: {column} {}",
                row[column]
            );
        }
        assert_eq!(number(row, "duration_holdout"), 39.0);
        checked += 1;
    }
    assert_eq!(checked, 2_357);
    assert_eq!(table.rows.len(), 2_357);
    // The holdout purchase days, counted from the log here.
    let cal_end = civil_days(1997, 9, 30);
    let holdout: usize = sample_purchase_days()
        .values()
        .map(|d| d.iter().filter(|&&day| day > cal_end).count())
        .sum();
    let ours_holdout: f64 = table
        .rows
        .iter()
        .map(|r| number(r, "frequency_holdout"))
        .sum();
    assert_eq!(ours_holdout, holdout as f64);

    let json = fit(&[
        "--model",
        "bgnbd",
        "--summary",
        path_str(&out),
        "--time-unit",
        "week",
    ]);
    for (name, published) in BGNBD_PUBLISHED {
        assert_published(&json, "params", name, published);
    }
    let gg = fit(&["--model", "gg", "--summary", path_str(&out)]);
    for (name, published) in GAMMA_GAMMA_PUBLISHED {
        assert_published(&gg, "params", name, published);
    }
}

#[test]
fn rows_the_models_do_not_use_are_named_on_standard_error() {
    let dir = tempdir();
    let orders = dir.path().join("orders.csv");
    fs::write(
        &orders,
        "customer_id,date,amount\nA,2024-01-05,10\nA,2024-02-05,twelve\nB,2024-01-09,7\nB,2024-03-01,8\n",
    )
    .unwrap();
    let r = run(&["models", "summary", path_str(&orders)]).ok();
    assert!(r.stderr.contains("1 row(s) not used"), "{}", r.stderr);
    assert!(r.stderr.contains("line 3, column 'amount'"), "{}", r.stderr);
    // The good rows are summarised: A bought once, B twice.
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", r.stdout);
    assert!(rows[1].starts_with("A,0,0,56,0"), "{}", rows[1]);
    assert!(rows[2].starts_with("B,1,52,52,8"), "{}", rows[2]);
    let strict = run(&["models", "summary", path_str(&orders), "--strict"]);
    assert_eq!(strict.code, Some(2), "{strict:?}");
    assert!(strict.stdout.is_empty(), "{}", strict.stdout);
}

/// Orders of `customers` customers from 2023 on, every one at 1.00: deterministic (a linear
/// congruential generator), each customer with their own pace (gaps of 1 to 2·g days, g from 5
/// to 204) and one to eight orders, so the purchase model has rates and drop-outs to fit.
fn one_price_orders(customers: u32) -> String {
    let mut text = String::from("order_id,customer_id,date,amount\n");
    let mut state: u64 = 12345;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % bound
    };
    let start = civil_days(2023, 1, 1);
    let mut order = 0;
    for c in 1..=customers {
        let mut day = start + next(500) as i64;
        let mean_gap = 5 + next(200);
        for _ in 0..=next(8) {
            order += 1;
            let (y, m, d) = crate::common::civil_from_days(day);
            text.push_str(&format!("{order},{c},{y}-{m:02}-{d:02},1.00\n"));
            // At least a day apart: a day's orders would be one purchase worth 2.00.
            day += 1 + next(2 * mean_gap) as i64;
        }
    }
    text
}

/// Issue 24 item 12: with every order at one amount, Gamma-Gamma has nothing to estimate (it
/// once "fitted" p = 1.8e303 without converging and gave one-time buyers an expected spend of
/// 1.81). `analyze` and `models score` now say spend does not vary and expect every purchase
/// at that amount: 1.00, for every customer, one-time buyers included.
#[test]
fn spend_that_never_varies_is_expected_at_that_amount() {
    let dir = tempdir();
    let orders = dir.path().join("orders.csv");
    fs::write(&orders, one_price_orders(400)).unwrap();
    let out = dir.path().join("out");
    let report = run(&[
        "analyze",
        path_str(&orders),
        "--out",
        path_str(&out),
        "--format",
        "json",
        "--as-of",
        "2025-06-30",
    ])
    .ok()
    .json();
    assert_eq!(report["model"]["fitted"], true, "{}", report["model"]);
    let spend = &report["model"]["spend"];
    assert_eq!(spend["model"], "constant", "{spend}");
    assert_eq!(spend["expected_spend"], 1.0, "{spend}");
    assert!(
        spend["reason"]
            .as_str()
            .unwrap()
            .contains("spend does not vary"),
        "{spend}"
    );
    let table = Table::read(&out.join("customers.csv"));
    assert_eq!(table.rows.len(), 400);
    for r in &table.rows {
        let e: f64 = r["expected_spend"].parse().unwrap();
        assert!((e - 1.0).abs() < 1e-9, "{r:?}");
    }
    let text = run(&[
        "analyze",
        path_str(&orders),
        "--out",
        path_str(&dir.path().join("out-text")),
        "--as-of",
        "2025-06-30",
    ])
    .ok()
    .stdout;
    assert!(text.contains("Spend does not vary"), "{text}");
    assert!(!text.contains("Gamma-Gamma):"), "{text}");

    let scores = dir.path().join("scores.csv");
    let r = run(&[
        "models",
        "score",
        "--model",
        "bgnbd",
        path_str(&orders),
        "--horizon",
        "365",
        "--out",
        path_str(&scores),
    ])
    .ok();
    assert!(r.stderr.contains("spend does not vary"), "{}", r.stderr);
    let table = Table::read(&scores);
    assert_eq!(table.rows.len(), 400);
    for r in &table.rows {
        let e: f64 = r["expected_spend"].parse().unwrap();
        assert!((e - 1.0).abs() < 1e-9, "{r:?}");
    }
}
