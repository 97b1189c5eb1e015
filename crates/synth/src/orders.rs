//! The orders file: one row per order, returns as later negative rows, and a few dirty rows.
//!
//! Rows are generated customer by customer and streamed straight to the writer, so memory stays
//! flat whatever the size of the company.

use std::io::{self, BufWriter, Write};

use clientele_core::{Day, Money};
use rand::Rng;
use rand_distr::{Distribution, Gamma};

use crate::config::SynthConfig;
use crate::process::Model;
use crate::rng::{Stream, Xoshiro};
use crate::text::{DayTable, push_customer_id, push_i64, push_kopecks, push_u64};

/// The header line of the orders file (without the line break).
pub const ORDERS_HEADER: &str =
    "order_id,customer_id,order_date,sku,category,channel,quantity,list_price,amount,cost";

/// A product category: its name, gross margin and share of orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Category {
    pub name: &'static str,
    /// Gross margin in percent: cost = amount × (100 − margin) / 100.
    pub margin_percent: i64,
    /// Relative frequency among orders (out of 100).
    pub weight: u32,
}

/// The eight categories of the synthetic retailer, from thin-margin electronics to cosmetics.
pub const CATEGORIES: [Category; 8] = [
    cat("Electronics", 15, 12),
    cat("Appliances", 20, 8),
    cat("Groceries", 25, 25),
    cat("Books", 30, 8),
    cat("Home", 35, 15),
    cat("Sports", 40, 10),
    cat("Clothing", 50, 14),
    cat("Cosmetics", 55, 8),
];

const fn cat(name: &'static str, margin_percent: i64, weight: u32) -> Category {
    Category {
        name,
        margin_percent,
        weight,
    }
}

/// Sales channels and their share of orders (out of 100).
pub const CHANNELS: [(&str, u32); 4] = [
    ("web", 45),
    ("store", 35),
    ("phone", 5),
    ("marketplace", 15),
];

/// Share of purchase days on which the customer places two separate orders.
pub const TWO_ORDER_DAY_SHARE: f64 = 0.03;
/// Share of orders sold at a discount (5–30 % off the list price).
pub const DISCOUNTED_SHARE: f64 = 0.30;
/// Units per order 1..=5, out of 100: most baskets hold a single item.
const QUANTITY_WEIGHTS: [u32; 5] = [55, 22, 12, 7, 4];
/// How often a customer orders in their favourite category, and through their usual channel.
const FAVOURITE_CATEGORY_SHARE: f64 = 0.5;
const HOME_CHANNEL_SHARE: f64 = 0.7;
/// Distinct SKUs per category.
const SKUS_PER_CATEGORY: f64 = 400.0;
/// No order is worth less than one rouble (100 kopecks); the Gamma tail below that is noise.
const MIN_ORDER_KOPECKS: i64 = 100;

/// How many dirty rows of each kind were written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirtyCounts {
    /// Customer id left empty.
    pub missing_customer: u64,
    /// A date that cannot exist, written day-first: `31.02.2024`.
    pub impossible_date: u64,
    /// The literal text `not a date`.
    pub not_a_date: u64,
    /// The amount `abc`.
    pub bad_amount: u64,
    /// An exact copy of the order row just before it (same order id): a re-exported row.
    pub duplicate: u64,
}

impl DirtyCounts {
    pub fn total(&self) -> u64 {
        self.missing_customer
            + self.impossible_date
            + self.not_a_date
            + self.bad_amount
            + self.duplicate
    }
}

/// What `write_orders` wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SynthStats {
    pub customers: u64,
    /// BG/NBD transactions (purchase events, first ones included) over all customers.
    pub purchases: u64,
    /// Good order rows (positive amounts).
    pub orders: u64,
    /// Return rows (negative amounts).
    pub returns: u64,
    /// Data rows in the file, header excluded: orders + returns + dirty rows.
    pub lines: u64,
    pub dirty: DirtyCounts,
    /// Sum of the amounts of the good order rows.
    pub revenue: Money,
    /// Sum of the amounts of the return rows (negative or zero).
    pub returned: Money,
}

/// Writes the orders file of the company `cfg` describes and reports what it wrote.
///
/// Fails with `InvalidInput` if the configuration does not validate, or with the writer's error.
pub fn write_orders<W: Write>(cfg: &SynthConfig, out: W) -> io::Result<SynthStats> {
    let model = Model::new(cfg)?;
    let mut writer = OrderWriter {
        out: BufWriter::with_capacity(1 << 20, out),
        buf: Vec::with_capacity(256),
        days: DayTable::new(cfg.start, cfg.end),
        end: cfg.end,
        return_rate: cfg.return_rate,
        dirty_rate: cfg.dirty_rate,
        next_id: 1,
        stats: SynthStats {
            customers: cfg.customers,
            ..SynthStats::default()
        },
        revenue_kopecks: 0,
        returned_kopecks: 0,
    };
    writer.out.write_all(ORDERS_HEADER.as_bytes())?;
    writer.out.write_all(b"\n")?;
    let category_weights = CATEGORIES.map(|c| c.weight);
    let channel_weights = CHANNELS.map(|c| c.1);
    for index in 0..cfg.customers {
        let mut life = model.customer(index);
        let mut rng = Xoshiro::for_person(cfg.seed, index, Stream::Orders);
        // ν is a positive Gamma draw; the floor only keeps the scale finite should it ever
        // underflow, at a value whose probability is nil.
        let spend =
            Gamma::new(model.spend_shape, 1.0 / life.nu.max(1e-12)).map_err(io::Error::other)?;
        let customer = CustomerHabits {
            index,
            favourite_category: pick(&mut rng, &category_weights),
            home_channel: pick(&mut rng, &channel_weights),
        };
        while let Some(day) = life.next_purchase() {
            let orders = if rng.random::<f64>() < TWO_ORDER_DAY_SHARE {
                2
            } else {
                1
            };
            for _ in 0..orders {
                writer.order(&mut rng, &spend, &customer, day)?;
            }
        }
        writer.stats.purchases += u64::from(life.purchases());
    }
    writer.out.flush()?;
    let mut stats = writer.stats;
    stats.revenue = Money::from_units(writer.revenue_kopecks * 100);
    stats.returned = Money::from_units(writer.returned_kopecks * 100);
    Ok(stats)
}

struct CustomerHabits {
    index: u64,
    favourite_category: usize,
    home_channel: usize,
}

/// One row's content; money in kopecks.
struct Row {
    id: u64,
    is_return: bool,
    customer: u64,
    day: Day,
    category: usize,
    sku: u64,
    channel: usize,
    quantity: i64,
    list_price: i64,
    amount: i64,
    cost: i64,
}

/// How a dirty row is broken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    MissingCustomer,
    ImpossibleDate { day: u32, month: u32 },
    NotADate,
    BadAmount,
}

/// Day-month pairs that exist in no year (29 February is left out: it exists in leap years).
const IMPOSSIBLE_DATES: [(u32, u32); 6] = [(30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11)];

struct OrderWriter<W: Write> {
    out: BufWriter<W>,
    buf: Vec<u8>,
    days: DayTable,
    end: Day,
    return_rate: f64,
    dirty_rate: f64,
    next_id: u64,
    stats: SynthStats,
    revenue_kopecks: i64,
    returned_kopecks: i64,
}

impl<W: Write> OrderWriter<W> {
    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Draws one order and writes it, with its return and a dirty row when their coins say so.
    fn order(
        &mut self,
        rng: &mut Xoshiro,
        spend: &Gamma<f64>,
        customer: &CustomerHabits,
        day: Day,
    ) -> io::Result<()> {
        let value: f64 = spend.sample(rng);
        let mut amount = ((value * 100.0).round() as i64).max(MIN_ORDER_KOPECKS);
        let quantity = pick(rng, &QUANTITY_WEIGHTS) as i64 + 1;
        let category = if rng.random::<f64>() < FAVOURITE_CATEGORY_SHARE {
            customer.favourite_category
        } else {
            pick(rng, &CATEGORIES.map(|c| c.weight))
        };
        let channel = if rng.random::<f64>() < HOME_CHANNEL_SHARE {
            customer.home_channel
        } else {
            pick(rng, &CHANNELS.map(|c| c.1))
        };
        // Squaring a uniform makes low SKU numbers the best sellers, as in any real catalogue.
        let sku = (rng.random::<f64>().powi(2) * SKUS_PER_CATEGORY) as u64;
        let list_price = if rng.random::<f64>() < DISCOUNTED_SHARE {
            let off = f64::from(rng.random_range(5..=30u32)) / 100.0;
            let list = (amount as f64 / (quantity as f64 * (1.0 - off))).round() as i64;
            // Rounding to kopecks must not turn a discount into full price.
            if list * quantity > amount {
                list
            } else {
                amount / quantity + 1
            }
        } else {
            // Full price is exactly list × quantity, so the drawn value moves to the nearest
            // multiple of the quantity in kopecks (at most 2 kopecks per unit).
            let list = ((amount as f64 / quantity as f64).round() as i64).max(1);
            amount = list * quantity;
            list
        };
        let margin = CATEGORIES[category].margin_percent;
        let cost = (amount * (100 - margin) + 50) / 100;
        let row = Row {
            id: self.take_id(),
            is_return: false,
            customer: customer.index,
            day,
            category,
            sku,
            channel,
            quantity,
            list_price,
            amount,
            cost,
        };
        self.emit(&row, Fault::None)?;
        self.stats.orders += 1;
        self.revenue_kopecks += amount;

        if rng.random::<f64>() < self.return_rate {
            let later = day.plus_days(rng.random_range(1..=30));
            let returned = if quantity == 1 || rng.random_bool(0.5) {
                quantity
            } else {
                rng.random_range(1..quantity)
            };
            let share = |total: i64| (total * returned + quantity / 2) / quantity;
            let ret = Row {
                is_return: true,
                day: later.min(self.end),
                quantity: -returned,
                amount: -share(amount),
                cost: -share(cost),
                ..row
            };
            self.emit(&ret, Fault::None)?;
            self.stats.returns += 1;
            self.returned_kopecks += ret.amount;
        }

        if rng.random::<f64>() < self.dirty_rate {
            let fault = match rng.random_range(0..5u32) {
                0 => Fault::MissingCustomer,
                1 => {
                    let (day, month) =
                        IMPOSSIBLE_DATES[rng.random_range(0..IMPOSSIBLE_DATES.len())];
                    Fault::ImpossibleDate { day, month }
                }
                2 => Fault::NotADate,
                3 => Fault::BadAmount,
                _ => {
                    // A re-exported row: byte for byte the order above, same order id.
                    self.emit(&row, Fault::None)?;
                    self.stats.dirty.duplicate += 1;
                    return Ok(());
                }
            };
            // Other broken rows are orders of their own whose export went wrong, so they take a
            // fresh id and never collide with a good row.
            let broken = Row {
                id: self.take_id(),
                ..row
            };
            self.emit(&broken, fault)?;
            let counts = &mut self.stats.dirty;
            match fault {
                Fault::MissingCustomer => counts.missing_customer += 1,
                Fault::ImpossibleDate { .. } => counts.impossible_date += 1,
                Fault::NotADate => counts.not_a_date += 1,
                Fault::BadAmount => counts.bad_amount += 1,
                Fault::None => {}
            }
        }
        Ok(())
    }

    fn emit(&mut self, row: &Row, fault: Fault) -> io::Result<()> {
        let buf = &mut self.buf;
        buf.clear();
        if row.is_return {
            buf.push(b'R');
        }
        buf.push(b'O');
        push_u64(buf, row.id, 8);
        buf.push(b',');
        if fault != Fault::MissingCustomer {
            push_customer_id(buf, row.customer);
        }
        buf.push(b',');
        match fault {
            Fault::ImpossibleDate { day, month } => {
                push_u64(buf, u64::from(day), 2);
                buf.push(b'.');
                push_u64(buf, u64::from(month), 2);
                buf.push(b'.');
                push_u64(buf, row.day.year() as u64, 4);
            }
            Fault::NotADate => buf.extend_from_slice(b"not a date"),
            _ => self.days.push(buf, row.day),
        }
        buf.extend_from_slice(b",SKU-");
        push_u64(buf, row.category as u64 + 1, 1);
        buf.push(b'-');
        push_u64(buf, row.sku, 4);
        buf.push(b',');
        buf.extend_from_slice(CATEGORIES[row.category].name.as_bytes());
        buf.push(b',');
        buf.extend_from_slice(CHANNELS[row.channel].0.as_bytes());
        buf.push(b',');
        push_i64(buf, row.quantity);
        buf.push(b',');
        push_kopecks(buf, row.list_price);
        buf.push(b',');
        if fault == Fault::BadAmount {
            buf.extend_from_slice(b"abc");
        } else {
            push_kopecks(buf, row.amount);
        }
        buf.push(b',');
        push_kopecks(buf, row.cost);
        buf.push(b'\n');
        self.stats.lines += 1;
        self.out.write_all(buf)
    }
}

/// Index drawn with probability proportional to `weights`.
fn pick<R: Rng>(rng: &mut R, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}
