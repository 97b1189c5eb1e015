//! The gzip bounds are the user's to set (issue 23, item 1: "a gzip that expands beyond a
//! configurable ratio or size" is refused): `--max-gzip-bytes` on `import` and `analyze` refuses
//! a file that expands past it, naming the bound, and writes nothing; without it the same file
//! is read. `serve` takes the same flags for uploads.

#[allow(dead_code)]
mod common;

use std::io::Write;

use common::run_in;

#[test]
fn a_gzip_past_the_bytes_given_is_refused_by_import_and_analyze() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    let url = format!("sqlite://{}", at.join("clientele.db").display());
    let mut csv = String::from("customer_id,order_id,date,amount\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "c{},o{i},2025-01-{:02},{}.50\n",
            i % 20,
            1 + i % 28,
            10 + i % 40
        ));
    }
    assert!(csv.len() > 4_000);
    let path = at.join("orders.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(csv.as_bytes()).unwrap();
    gz.finish().unwrap();
    let file = path.to_str().unwrap();

    let refused = run_in(
        at,
        &["import", file, "--db", &url, "--max-gzip-bytes", "1000"],
    );
    assert_ne!(refused.code, Some(0), "{}", refused.stdout);
    assert!(
        refused.stderr.contains("expands to more than 1000 bytes"),
        "{}",
        refused.stderr
    );
    let refused = run_in(at, &["analyze", file, "--max-gzip-bytes", "1000"]);
    assert_ne!(refused.code, Some(0), "{}", refused.stdout);
    assert!(
        refused.stderr.contains("expands to more than 1000 bytes"),
        "{}",
        refused.stderr
    );
    // Nothing was written; with the default bounds the file is read whole.
    let imported = run_in(
        at,
        &["import", file, "--db", &url, "--max-gzip-ratio", "50"],
    )
    .ok();
    assert!(
        imported.stderr.contains(
            "200 rows, 200 lines written, 0 already stored, 0 rejected, 20 new customers"
        ),
        "{}",
        imported.stderr
    );

    let help = run_in(at, &["serve", "--help"]).ok();
    for flag in ["--max-gzip-bytes", "--max-gzip-ratio", "--idle-timeout"] {
        assert!(help.stdout.contains(flag), "{flag}: {}", help.stdout);
    }
}
