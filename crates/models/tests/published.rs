//! Published results: CDNOW (Fader, Hardie & Lee 2005), donations (Fader, Hardie & Shang 2010),
//! and the sBG example of Fader & Hardie (2007). Fixtures and attribution: `tests/fixtures/`.

mod common;

use clientele_models::{FitOptions, bgnbd};
use common::tolerance::*;

fn close(name: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{name}: got {got}, published {want}, tolerance {tol}"
    );
}

#[test]
fn bgnbd_cdnow() {
    let t0 = std::time::Instant::now();
    let fit = bgnbd::fit(&common::cdnow_triples(), &FitOptions::default()).unwrap();
    let el = t0.elapsed();
    let r = &fit.report;
    eprintln!("BG/NBD CDNOW fit in {el:?}: {r:#?}");
    assert!(r.converged, "{r:?}");
    close("r", r.param("r").unwrap(), 0.243, PARAM_3DP);
    close("alpha", r.param("alpha").unwrap(), 4.414, PARAM_3DP);
    close("a", r.param("a").unwrap(), 0.793, PARAM_3DP);
    close("b", r.param("b").unwrap(), 2.426, PARAM_3DP);
    close("LL", r.log_likelihood, -9582.4, LL_1DP);
}
