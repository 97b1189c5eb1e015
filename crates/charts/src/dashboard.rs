//! Charts of the web dashboard: the ladder as stairs and the flow of customers between two
//! snapshots (Sankey-style), plus [`identified`] to give any chart of this crate its own ids so
//! several can share one page.
//!
//! Text arrives already worded and formatted by the caller (the dashboard speaks two
//! languages); it is escaped here like everywhere in this crate.

use std::fmt::Write as _;

use crate::svg::escape;

const PALETTE: [&str; 6] = [
    "#1f5fa8", "#d9622b", "#2a8a4a", "#8a3ca8", "#a88a1f", "#555555",
];

/// Gives a chart SVG of this crate the element id `id` and ids `{id}-title` / `{id}-desc` for
/// its title and description (the charts are written with fixed ids, which would collide when
/// two are on one page). `id` must be a plain identifier (letters, digits, `-`, `_`).
pub fn identified(svg: &str, id: &str) -> Option<String> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some(
        svg.replacen("<svg ", &format!("<svg id=\"{id}\" "), 1)
            .replacen(
                "aria-labelledby=\"chart-title chart-desc\"",
                &format!("aria-labelledby=\"{id}-title {id}-desc\""),
                1,
            )
            .replacen("id=\"chart-title\"", &format!("id=\"{id}-title\""), 1)
            .replacen("id=\"chart-desc\"", &format!("id=\"{id}-desc\""), 1),
    )
}

fn open(out: &mut String, id: &str, width: f64, height: f64, title: &str, description: &str) {
    let _ = write!(
        out,
        r##"<svg id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="12"><title id="{id}-title">{t}</title><desc id="{id}-desc">{d}</desc><rect width="{width}" height="{height}" fill="#ffffff"/>"##,
        id = escape(id),
        t = escape(title),
        d = escape(description),
    );
}

/// One step of the [`Stairs`]: a rung with lines of text (counts, money) written on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub label: String,
    pub lines: Vec<String>,
    /// The step's share of all customers (0..=1), drawn as the filled part of the step.
    pub share: f64,
}

/// The loyalty ladder as a staircase: one step per rung, rising left to right. Each step's
/// filled part is its share on one scale for all steps (a share of 1 fills the lowest step),
/// so equal shares look equal whatever the step's height.
#[derive(Clone, Debug, PartialEq)]
pub struct Stairs {
    pub id: String,
    pub title: String,
    pub description: String,
    pub steps: Vec<Step>,
}

impl Stairs {
    pub fn to_svg(&self) -> String {
        const W: f64 = 720.0;
        const H: f64 = 300.0;
        const BASE: f64 = H - 10.0;
        const RISE: f64 = 40.0;
        const TEXT: f64 = 70.0;
        let n = self.steps.len().max(1) as f64;
        let width = (W - 20.0) / n;
        let mut out = String::new();
        open(&mut out, &self.id, W, H, &self.title, &self.description);
        for (i, step) in self.steps.iter().enumerate() {
            let x = 10.0 + i as f64 * width;
            let top = BASE - TEXT - RISE * (i as f64 + 1.0);
            let share = if step.share.is_finite() {
                step.share.clamp(0.0, 1.0)
            } else {
                0.0
            };
            // The lowest step is TEXT + RISE tall: every share is measured against it.
            let filled = (TEXT + RISE) * share;
            let colour = PALETTE[i % PALETTE.len()];
            let _ = write!(
                out,
                r##"<g><title>{label}: {lines}</title><rect x="{x:.1}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="#f4f6f9" stroke="#333333"/><rect x="{x:.1}" y="{fy:.1}" width="{w:.1}" height="{filled:.1}" fill="{colour}" fill-opacity="0.35"/><text x="{tx:.1}" y="{ty:.1}" font-weight="bold">{label}</text>"##,
                label = escape(&step.label),
                lines = escape(&step.lines.join(", ")),
                w = width,
                h = BASE - top,
                fy = BASE - filled,
                tx = x + 6.0,
                ty = top + 16.0,
            );
            for (j, line) in step.lines.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<text x="{tx:.1}" y="{ty:.1}">{l}</text>"#,
                    tx = x + 6.0,
                    ty = top + 32.0 + 15.0 * j as f64,
                    l = escape(line),
                );
            }
            out.push_str("</g>");
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Customers flowing from the nodes on the left (the earlier snapshot) to the nodes on the
/// right (the later one), as bands as wide as their counts. Every node is at least
/// [`MIN_NODE`] tall, so a small one (few new or gone customers, or none) stays visible and its
/// label does not run into its neighbour's; the others share the rest of the height in
/// proportion to their counts.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub left_label: String,
    pub right_label: String,
    pub left: Vec<String>,
    pub right: Vec<String>,
    /// (left index, right index, customers, a sentence naming the flow for screen readers).
    pub flows: Vec<(usize, usize, f64, String)>,
}

/// The least height of a node of the [`FlowChart`]: one line of its label.
pub const MIN_NODE: f64 = 16.0;

/// Pixels per customer such that the nodes, each `max(total · scale, MIN_NODE)` tall, fill
/// `room`: nodes below the floor take the floor, the rest share what remains.
fn node_scale(totals: &[f64], room: f64) -> f64 {
    let sum: f64 = totals.iter().sum();
    if sum <= 0.0 {
        return 0.0;
    }
    let mut scale = room / sum;
    // Each round moves at least one more node to the floor, or stops.
    for _ in 0..=totals.len() {
        let floored: Vec<bool> = totals.iter().map(|t| t * scale < MIN_NODE).collect();
        let free: f64 = totals
            .iter()
            .zip(&floored)
            .filter(|(_, f)| !**f)
            .map(|(t, _)| t)
            .sum();
        let fixed = floored.iter().filter(|f| **f).count() as f64 * MIN_NODE;
        let next = if free > 0.0 {
            ((room - fixed) / free).max(0.0)
        } else {
            0.0
        };
        if (next - scale).abs() < 1e-9 {
            break;
        }
        scale = next;
    }
    scale
}

impl FlowChart {
    pub fn to_svg(&self) -> String {
        const W: f64 = 720.0;
        const H: f64 = 420.0;
        const TOP: f64 = 50.0;
        const BOTTOM: f64 = 20.0;
        const NODE: f64 = 14.0;
        const GAP: f64 = 8.0;
        const LX: f64 = 140.0;
        const RX: f64 = W - 140.0;
        let valid = |&&(l, r, v, _): &&(usize, usize, f64, String)| {
            l < self.left.len() && r < self.right.len() && v.is_finite() && v > 0.0
        };
        let mut left_total = vec![0.0; self.left.len()];
        let mut right_total = vec![0.0; self.right.len()];
        for (l, r, v, _) in self.flows.iter().filter(valid) {
            left_total[*l] += v;
            right_total[*r] += v;
        }
        let gaps = (self.left.len().max(self.right.len()).max(1) - 1) as f64 * GAP;
        let room = H - TOP - BOTTOM - gaps;
        // One scale for both sides: the side that needs the smaller one sets it.
        let scale = node_scale(&left_total, room).min(node_scale(&right_total, room));
        let height = |t: f64| (t * scale).max(MIN_NODE);
        let tops = |totals: &[f64]| {
            let mut y = TOP;
            totals
                .iter()
                .map(|&t| {
                    let top = y;
                    y += height(t) + GAP;
                    top
                })
                .collect::<Vec<f64>>()
        };
        let left_top = tops(&left_total);
        let right_top = tops(&right_total);
        let mut out = String::new();
        open(&mut out, &self.id, W, H, &self.title, &self.description);
        let _ = write!(
            out,
            r#"<text x="{LX}" y="30" text-anchor="end" font-weight="bold">{l}</text><text x="{RX}" y="30" font-weight="bold">{r}</text>"#,
            l = escape(&self.left_label),
            r = escape(&self.right_label),
        );
        let mut left_used = vec![0.0; self.left.len()];
        let mut right_used = vec![0.0; self.right.len()];
        for (l, r, v, what) in self.flows.iter().filter(valid) {
            let w = v * scale;
            let y0 = left_top[*l] + left_used[*l] + w / 2.0;
            let y1 = right_top[*r] + right_used[*r] + w / 2.0;
            left_used[*l] += w;
            right_used[*r] += w;
            let mid = (LX + NODE + RX) / 2.0;
            let _ = write!(
                out,
                r#"<path d="M{x0:.1},{y0:.1} C{mid:.1},{y0:.1} {mid:.1},{y1:.1} {RX:.1},{y1:.1}" fill="none" stroke="{c}" stroke-opacity="0.45" stroke-width="{sw:.1}"><title>{t}</title></path>"#,
                x0 = LX + NODE,
                c = PALETTE[*l % PALETTE.len()],
                sw = w.max(0.5),
                t = escape(what),
            );
        }
        for (side, names, totals, node_tops) in [
            (0, &self.left, &left_total, &left_top),
            (1, &self.right, &right_total, &right_top),
        ] {
            for (i, name) in names.iter().enumerate() {
                let h = height(totals[i]);
                let (x, tx, anchor) = if side == 0 {
                    (LX, LX - 6.0, "end")
                } else {
                    (RX, RX + NODE + 6.0, "start")
                };
                let _ = write!(
                    out,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{NODE}" height="{h:.1}" fill="#333333"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}">{n}</text>"##,
                    y = node_tops[i],
                    ty = node_tops[i] + h / 2.0 + 4.0,
                    n = escape(name),
                );
            }
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identified_renames_the_ids_and_rejects_unsafe_ones() {
        let chart = crate::LineChart {
            title: "t".into(),
            description: "d".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![crate::Series {
                name: "s".into(),
                values: vec![(0.0, 0.0), (1.0, 1.0)],
            }],
            marker: None,
        };
        let svg = identified(&chart.to_svg(), "pareto-chart").unwrap();
        assert!(svg.starts_with("<svg id=\"pareto-chart\" "));
        assert!(svg.contains("aria-labelledby=\"pareto-chart-title pareto-chart-desc\""));
        assert!(svg.contains("<title id=\"pareto-chart-title\">t</title>"));
        assert!(!svg.contains("chart-title\"") || svg.contains("pareto-chart-title\""));
        assert_eq!(identified("<svg ", "a\"b"), None);
    }

    #[test]
    fn stairs_and_flows_escape_text_and_scale_bands() {
        let stairs = Stairs {
            id: "ladder-chart".into(),
            title: "<Ladder>".into(),
            description: "d".into(),
            steps: vec![Step {
                label: "a&b".into(),
                lines: vec!["1".into()],
                share: 0.5,
            }],
        };
        let svg = stairs.to_svg();
        assert!(svg.contains("<title id=\"ladder-chart-title\">&lt;Ladder&gt;</title>"));
        assert!(svg.contains(">a&amp;b</text>"));
        let flows = FlowChart {
            id: "flows-chart".into(),
            title: "t".into(),
            description: "d".into(),
            left_label: "before".into(),
            right_label: "after".into(),
            left: vec!["x".into(), "y".into()],
            right: vec!["x".into()],
            flows: vec![(0, 0, 30.0, "x to x".into()), (1, 0, 10.0, "y to x".into())],
        };
        let svg = flows.to_svg();
        // 420 - 50 - 20 - one gap of 8 = 342 px for 40 customers: 30 of them are 256.5 px.
        assert!(svg.contains("stroke-width=\"256.5\""), "{svg}");
        assert!(svg.contains("stroke-width=\"85.5\""), "{svg}");
        assert!(svg.contains("<title>y to x</title>"));
    }

    /// The (y, height) of every node rectangle, in order: left side, then right.
    fn node_boxes(svg: &str) -> Vec<(f64, f64)> {
        svg.split("<rect x=\"")
            .skip(1)
            .filter(|r| r.contains("fill=\"#333333\""))
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    let at = r.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    r[at..at + r[at..].find('"').unwrap()].parse().unwrap()
                };
                (attr("y"), attr("height"))
            })
            .collect()
    }

    #[test]
    fn small_and_empty_nodes_stay_visible_and_apart() {
        // 1 new customer and 0 gone among 1,000: drawn to scale they would be 0.3 px and 0 px.
        let flows = FlowChart {
            id: "f".into(),
            title: "t".into(),
            description: "d".into(),
            left_label: "before".into(),
            right_label: "after".into(),
            left: vec!["New".into(), "A".into(), "B".into()],
            right: vec!["A".into(), "B".into(), "Gone".into()],
            flows: vec![
                (0, 0, 1.0, "new".into()),
                (1, 0, 600.0, "a".into()),
                (2, 1, 399.0, "b".into()),
            ],
        };
        let svg = flows.to_svg();
        let boxes = node_boxes(&svg);
        assert_eq!(boxes.len(), 6, "{svg}");
        for side in [&boxes[..3], &boxes[3..]] {
            for (y, h) in side {
                assert!(*h >= MIN_NODE - 1e-9, "{y} {h}");
            }
            for pair in side.windows(2) {
                assert!(pair[0].0 + pair[0].1 < pair[1].0, "overlap: {pair:?}");
            }
            let bottom = side.last().map(|(y, h)| y + h).unwrap();
            assert!(bottom <= 420.0 - 20.0 + 0.1, "{bottom}");
        }
        // The large nodes keep their proportion: 600 against 399 on the left.
        let (a, b) = (boxes[1].1, boxes[2].1);
        assert!((a / b - 600.0 / 399.0).abs() < 0.01, "{a} {b}");
    }

    #[test]
    fn the_filled_part_of_a_step_is_its_share_on_one_scale() {
        let step = |share| Step {
            label: "r".into(),
            lines: vec![],
            share,
        };
        let svg = Stairs {
            id: "s".into(),
            title: "t".into(),
            description: "d".into(),
            steps: vec![step(0.2), step(0.2), step(0.6)],
        }
        .to_svg();
        let filled: Vec<f64> = svg
            .split("fill-opacity=\"0.35\"")
            .map(|part| {
                let at = part.rfind("height=\"").unwrap() + 8;
                part[at..at + part[at..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            })
            .take(3)
            .collect();
        // The same share fills the same height on a low and a high step; three times the share,
        // three times the height.
        assert!((filled[0] - filled[1]).abs() < 0.11, "{filled:?}");
        assert!((filled[2] - 3.0 * filled[0]).abs() < 0.11, "{filled:?}");
        assert!((filled[0] - 22.0).abs() < 0.11, "{filled:?}");
    }
}
