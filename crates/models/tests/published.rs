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

#[test]
fn pnbd_cdnow() {
    let t0 = std::time::Instant::now();
    let fit =
        clientele_models::pnbd::fit(&common::cdnow_triples(), &FitOptions::default()).unwrap();
    let el = t0.elapsed();
    let r = &fit.report;
    eprintln!("Pareto/NBD CDNOW fit in {el:?}: {r:?}");
    assert!(r.converged, "{r:?}");
    close("r", r.param("r").unwrap(), 0.553, PARAM_3DP);
    close("alpha", r.param("alpha").unwrap(), 10.578, PARAM_3DP);
    close("s", r.param("s").unwrap(), 0.606, PARAM_3DP);
    close("beta", r.param("beta").unwrap(), 11.669, PARAM_3DP);
    close("LL", r.log_likelihood, -9595.0, LL_1DP);
}

#[test]
fn gamma_gamma_cdnow() {
    let spend = common::cdnow_spend();
    assert_eq!(spend.len(), 946, "the paper's 946 repeat buyers");
    let t0 = std::time::Instant::now();
    let fit = clientele_models::gamma_gamma::fit(&spend, &FitOptions::default()).unwrap();
    eprintln!(
        "Gamma-Gamma CDNOW fit in {:?}: {:?}",
        t0.elapsed(),
        fit.report
    );
    let r = &fit.report;
    assert!(r.converged, "{r:?}");
    close("p", r.param("p").unwrap(), 6.25, PARAM_2DP);
    close("q", r.param("q").unwrap(), 3.74, PARAM_2DP);
    close("gamma", r.param("gamma").unwrap(), 15.44, GG_GAMMA);
}

#[test]
fn bgbb_donations() {
    let t0 = std::time::Instant::now();
    let fit = clientele_models::bgbb::fit(&common::donations(), &FitOptions::default()).unwrap();
    eprintln!(
        "BG/BB donations fit in {:?}: {:?}",
        t0.elapsed(),
        fit.report
    );
    let r = &fit.report;
    assert!(r.converged, "{r:?}");
    assert_eq!(r.n_customers, 11104.0);
    close("alpha", r.param("alpha").unwrap(), 1.204, PARAM_3DP);
    close("beta", r.param("beta").unwrap(), 0.750, PARAM_3DP);
    close("gamma", r.param("gamma").unwrap(), 0.657, PARAM_3DP);
    close("delta", r.param("delta").unwrap(), 2.783, PARAM_3DP);
    close("LL", r.log_likelihood, -33225.6, LL_1DP);
}

/// Fader & Hardie (2007), "How to project customer retention", Table 1 / section 4: the
/// "regular" and "high end" segments, 7 years of survivors out of 1000.
#[test]
fn sbg_fader_hardie_2007() {
    use clientele_models::sbg::{self, SurvivalCounts};
    for (alive, alpha, beta) in [
        (
            vec![1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0],
            0.704,
            1.182,
        ),
        (
            vec![1000.0, 869.0, 743.0, 653.0, 593.0, 551.0, 517.0, 491.0],
            0.668,
            3.806,
        ),
    ] {
        let fit = sbg::fit(&SurvivalCounts { alive }, &FitOptions::default()).unwrap();
        eprintln!("sBG: {:?}", fit.report);
        assert!(fit.report.converged);
        close(
            "alpha",
            fit.report.param("alpha").unwrap(),
            alpha,
            SBG_PARAM,
        );
        close("beta", fit.report.param("beta").unwrap(), beta, SBG_PARAM);
    }
}

fn published_bgnbd() -> bgnbd::BgNbd {
    bgnbd::BgNbd::new(bgnbd::BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    })
    .unwrap()
}

/// Fader, Hardie & Lee (2005), section 5: customer 1516 (x = 2, t_x = 30.43, T = 38.86) is expected
/// to make 1.226 purchases in the next 39 weeks.
#[test]
fn bgnbd_customer_1516() {
    let m = published_bgnbd();
    let e = m.conditional_expected_purchases(2.0, 30.43, 38.86, 39.0);
    close("E[Y(39)]", e, 1.226, PRED_3DP);
    // P(alive) by hand: 1 / (1 + a/(b+x−1) ((α+T)/(α+t_x))^(r+x)).
    let (r, al, a, b) = (0.243f64, 4.414f64, 0.793f64, 2.426f64);
    let want = 1.0 / (1.0 + a / (b + 1.0) * ((al + 38.86) / (al + 30.43)).powf(r + 2.0));
    close("P(alive)", m.p_alive(2.0, 30.43, 38.86), want, 1e-14);
}

/// Composite Simpson over u with p = u^(1/a) (which removes the p^(a−1) singularity), of
/// E_p[g(p)] for p ~ Beta(a, b): independent of the crate's hypergeometric and tanh-sinh code.
fn simpson_beta(a: f64, b: f64, g: impl Fn(f64) -> f64) -> f64 {
    let n = 400_000;
    let h = 1.0 / n as f64;
    let ln_b = clientele_models::special::ln_gamma(a) + clientele_models::special::ln_gamma(b)
        - clientele_models::special::ln_gamma(a + b);
    let f = |u: f64| {
        if u == 0.0 || u == 1.0 {
            return 0.0_f64.max(if u == 0.0 { g(0.0) * 1.0 } else { 0.0 });
        }
        let p = u.powf(1.0 / a);
        g(p) * (1.0 - p).powf(b - 1.0)
    };
    let mut s = f(0.0) + f(1.0);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0 / a / ln_b.exp()
}

/// The 78-week aggregate forecast of FHL 2005 (Figure 2) rests on E[X(t)]; check eq. 9 and the
/// conditional expectation (eq. 10) against a slow direct integration over p (λ integrated
/// analytically: E[e^(−λpt)] = (α/(α+pt))^r).
#[test]
fn bgnbd_expectations_against_direct_integration() {
    let m = published_bgnbd();
    let (r, al, a, b) = (0.243f64, 4.414f64, 0.793f64, 2.426f64);
    for t in [1.0, 39.0, 78.0] {
        let want = simpson_beta(a, b, |p| {
            if p == 0.0 {
                r * t / al
            } else {
                (1.0 - (al / (al + p * t)).powf(r)) / p
            }
        });
        let got = m.expected_purchases(t);
        assert!(
            (got - want).abs() <= SIMPSON_REL * want,
            "E[X({t})] {got} vs {want}"
        );
    }
    let (x, t_x, tt, h) = (2.0, 30.43, 38.86, 39.0);
    let k = r + x;
    let given_alive = simpson_beta(a, b + x, |p| {
        if p == 0.0 {
            k * h / (al + tt)
        } else {
            (1.0 - ((al + tt) / (al + tt + p * h)).powf(k)) / p
        }
    });
    let want = m.p_alive(x, t_x, tt) * given_alive;
    let got = m.conditional_expected_purchases(x, t_x, tt, h);
    assert!((got - want).abs() <= SIMPSON_REL * want, "{got} vs {want}");
    // The 78-week total for the 2,357 customers: Σ over cohorts of E[X(78 − start)]; report it.
    let total: f64 = common::cdnow_triples()
        .iter()
        .map(|c| m.expected_purchases(78.0 - (39.0 - c.t).max(0.0)))
        .sum();
    eprintln!(
        "BG/NBD expected repeat purchases of the sample in weeks 1-78 (by acquisition week): {total:.1}"
    );
}
