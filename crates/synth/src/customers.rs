//! The customers file: every buyer of the orders file plus people who never bought.
//!
//! Buyers' rows replay their BG/NBD process (not the orders), so the file agrees with the orders
//! file about who bought and how often without either file having to be read.

use std::io::{self, BufWriter, Write};

use clientele_core::Day;
use rand::Rng;

use crate::config::SynthConfig;
use crate::names::{
    EMAIL_DOMAINS, EN_FIRST, EN_SURNAMES, MANAGERS, RU_FEMALE, RU_MALE, RU_SURNAMES,
};
use crate::process::Model;
use crate::rng::{Stream, Xoshiro};
use crate::text::{push_customer_id, push_u64};

/// The header line of the customers file (without the line break).
pub const CUSTOMERS_HEADER: &str =
    "customer_id,name,email,phone,manager,nps,referred_by,image_client,birthday,last_touch";

/// Share of buyers who answered the NPS survey.
pub const NPS_SHARE: f64 = 0.30;
/// Share of people who came through a referral.
pub const REFERRED_SHARE: f64 = 0.05;
/// Share of buyers flagged as image (showcase) clients; the flag is written as `1`.
pub const IMAGE_CLIENT_SHARE: f64 = 0.01;
/// Share of people whose birthday is known.
pub const BIRTHDAY_SHARE: f64 = 0.60;
/// Share of buyers with a recorded last contact (a call, a letter) after their last purchase.
const BUYER_TOUCH_SHARE: f64 = 0.6;
const EMAIL_SHARE: f64 = 0.7;
const PHONE_SHARE: f64 = 0.75;
const RUSSIAN_NAME_SHARE: f64 = 0.7;
/// Candidates tried when looking for a referrer acquired before the referred customer.
const REFERRER_TRIES: u32 = 8;

/// What `write_customers` wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CustomersStats {
    /// People with at least one order (ids `C…` 1 to `customers`).
    pub buyers: u64,
    /// Non-buyers with a `last_touch` (they visited or were contacted).
    pub visitors: u64,
    /// Non-buyers without any touch.
    pub prospects: u64,
    pub with_nps: u64,
    /// NPS 9 or 10.
    pub promoters: u64,
    /// NPS 0 to 6.
    pub detractors: u64,
    pub referred: u64,
    pub image_clients: u64,
    pub with_birthday: u64,
}

/// Writes the customers file of the company `cfg` describes.
///
/// Buyers come first (`C0000001` …), then `cfg.prospects` people who never bought, about half of
/// them visitors with a `last_touch` date.
pub fn write_customers<W: Write>(cfg: &SynthConfig, out: W) -> io::Result<CustomersStats> {
    let model = Model::new(cfg)?;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    let mut stats = CustomersStats::default();
    writeln!(out, "{CUSTOMERS_HEADER}")?;
    let span = cfg.end.days_since(cfg.start) + 1;
    for index in 0..cfg.customers + cfg.prospects {
        let mut rng = Xoshiro::for_person(cfg.seed, index, Stream::Profile);
        let buyer = (index < cfg.customers).then(|| {
            let mut life = model.customer(index);
            let mut last = life.first;
            while let Some(day) = life.next_purchase() {
                last = day;
            }
            (life.first, last, life.purchases())
        });
        buf.clear();
        push_customer_id(&mut buf, index);
        buf.push(b',');
        push_name_and_email(&mut buf, &mut rng, index);
        buf.push(b',');
        if rng.random::<f64>() < PHONE_SHARE {
            buf.extend_from_slice(b"+7 9");
            push_u64(&mut buf, rng.random_range(0..100), 2);
            buf.push(b' ');
            push_u64(&mut buf, rng.random_range(0..1000), 3);
            buf.push(b'-');
            push_u64(&mut buf, rng.random_range(0..100), 2);
            buf.push(b'-');
            push_u64(&mut buf, rng.random_range(0..100), 2);
        }
        buf.push(b',');
        // Buyers are mostly assigned a manager; leads only sometimes are.
        let managed = if buyer.is_some() { 0.85 } else { 0.3 };
        if rng.random::<f64>() < managed {
            buf.extend_from_slice(MANAGERS[rng.random_range(0..MANAGERS.len())].as_bytes());
        }
        buf.push(b',');
        // Only buyers are surveyed. (A match guard rather than a let chain keeps Rust 1.85.)
        match buyer {
            Some((_, _, purchases)) if rng.random::<f64>() < NPS_SHARE => {
                let score = nps_score(&mut rng, purchases);
                stats.with_nps += 1;
                stats.promoters += u64::from(score >= 9);
                stats.detractors += u64::from(score <= 6);
                push_u64(&mut buf, u64::from(score), 1);
            }
            _ => {}
        }
        buf.push(b',');
        if rng.random::<f64>() < REFERRED_SHARE {
            let referrer = match buyer {
                Some((first, _, _)) => earlier_buyer(&model, &mut rng, index, first),
                // A lead can be referred by any buyer.
                None if cfg.customers > 0 => Some(rng.random_range(0..cfg.customers)),
                None => None,
            };
            if let Some(referrer) = referrer {
                stats.referred += 1;
                push_customer_id(&mut buf, referrer);
            }
        }
        buf.push(b',');
        if buyer.is_some() && rng.random::<f64>() < IMAGE_CLIENT_SHARE {
            stats.image_clients += 1;
            buf.push(b'1');
        }
        buf.push(b',');
        if rng.random::<f64>() < BIRTHDAY_SHARE {
            stats.with_birthday += 1;
            let year = rng.random_range(1950..=2006);
            let jan1 = Day::from_ymd(year, 1, 1).expect("years 1950..=2006 are valid");
            let length = if clientele_core::is_leap_year(year) {
                366
            } else {
                365
            };
            write!(buf, "{}", jan1.plus_days(rng.random_range(0..length)))?;
        }
        buf.push(b',');
        match buyer {
            Some((_, last, _)) => {
                stats.buyers += 1;
                if rng.random::<f64>() < BUYER_TOUCH_SHARE {
                    let touch = last.plus_days(rng.random_range(0..=90)).min(cfg.end);
                    write!(buf, "{touch}")?;
                }
            }
            None if rng.random_bool(0.5) => {
                stats.visitors += 1;
                write!(buf, "{}", cfg.start.plus_days(rng.random_range(0..span)))?;
            }
            None => stats.prospects += 1,
        }
        buf.push(b'\n');
        out.write_all(&buf)?;
    }
    out.flush()?;
    Ok(stats)
}

/// A name, a comma, and maybe an e-mail address derived from it.
fn push_name_and_email(buf: &mut Vec<u8>, rng: &mut Xoshiro, index: u64) {
    let (first_lat, last_lat, feminine_suffix) = if rng.random::<f64>() < RUSSIAN_NAME_SHARE {
        let female = rng.random_bool(0.5);
        let firsts = if female { &RU_FEMALE } else { &RU_MALE };
        let (first, first_lat) = firsts[rng.random_range(0..firsts.len())];
        let (last, last_lat) = RU_SURNAMES[rng.random_range(0..RU_SURNAMES.len())];
        buf.extend_from_slice(first.as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(last.as_bytes());
        if female {
            buf.extend_from_slice("а".as_bytes());
        }
        (first_lat, last_lat, if female { "a" } else { "" })
    } else {
        let first = EN_FIRST[rng.random_range(0..EN_FIRST.len())];
        let last = EN_SURNAMES[rng.random_range(0..EN_SURNAMES.len())];
        buf.extend_from_slice(first.as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(last.as_bytes());
        (first, last, "")
    };
    buf.push(b',');
    if rng.random::<f64>() < EMAIL_SHARE {
        buf.extend(first_lat.bytes().map(|b| b.to_ascii_lowercase()));
        buf.push(b'.');
        buf.extend(last_lat.bytes().map(|b| b.to_ascii_lowercase()));
        buf.extend_from_slice(feminine_suffix.as_bytes());
        // The index keeps addresses unique, as a real CRM would insist.
        push_u64(buf, index + 1, 1);
        buf.push(b'@');
        buf.extend_from_slice(EMAIL_DOMAINS[rng.random_range(0..EMAIL_DOMAINS.len())].as_bytes());
    }
}

/// An NPS answer; heavier buyers are likelier promoters and less likely detractors.
///
/// # Formula
/// With n purchases: P(promoter) = 0.15 + 0.55·(1 − e^{−(n−1)/4}),
/// P(detractor) = 0.10 + 0.35·e^{−(n−1)/2}; passives take the rest. A one-time buyer is a
/// promoter with probability 0.15 and a detractor with 0.45; a ten-time buyer 0.64 and 0.10.
fn nps_score(rng: &mut Xoshiro, purchases: u32) -> u8 {
    let repeats = f64::from(purchases.saturating_sub(1));
    let promoter = 0.15 + 0.55 * (1.0 - (-repeats / 4.0).exp());
    let detractor = 0.10 + 0.35 * (-repeats / 2.0).exp();
    let u = rng.random::<f64>();
    if u < promoter {
        rng.random_range(9..=10)
    } else if u < promoter + detractor {
        // Detractors mostly give 4–6, rarely a zero: the larger of two uniform draws.
        rng.random_range(0..=6u8).max(rng.random_range(0..=6))
    } else {
        rng.random_range(7..=8)
    }
}

/// A buyer with a smaller index who was acquired no later than `first`, if one turns up among a
/// few random candidates (the earliest customers have nobody to be referred by).
fn earlier_buyer(model: &Model, rng: &mut Xoshiro, index: u64, first: Day) -> Option<u64> {
    if index == 0 {
        return None;
    }
    (0..REFERRER_TRIES)
        .map(|_| rng.random_range(0..index))
        .find(|&candidate| model.first_day(candidate) <= first)
}
