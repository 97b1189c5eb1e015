//! The chart types and their SVG rendering.

use std::fmt::Write as _;

use crate::scale::{label, nice_ticks};

/// Colours distinct on screen and (with the dash patterns) in greyscale print.
const PALETTE: [&str; 6] = [
    "#1f5fa8", "#d9622b", "#2a8a4a", "#8a3ca8", "#a88a1f", "#555555",
];
const DASHES: [&str; 6] = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4"];

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 400.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 70.0;

/// Escapes text for SVG/XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One named line or bar series.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<(f64, f64)>,
}

/// A line chart over a numeric x axis.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub title: String,
    /// One or two sentences for screen readers: what is plotted and what to look for.
    pub description: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Draw a vertical marker here (e.g. the end of the calibration period), with its label.
    pub marker: Option<(f64, String)>,
}

/// Grouped bars: one group per category, one bar per series.
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub description: String,
    pub x_label: String,
    pub y_label: String,
    pub categories: Vec<String>,
    /// (series name, one value per category).
    pub series: Vec<(String, Vec<f64>)>,
}

/// A matrix of values drawn as shaded cells, with the value written in each cell.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub description: String,
    pub x_label: String,
    pub y_label: String,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    /// `values[row][column]`; non-finite values are left blank.
    pub values: Vec<Vec<f64>>,
}

struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)
    }
    fn py(&self, y: f64) -> f64 {
        HEIGHT - BOTTOM - (y - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)
    }
}

fn open(out: &mut String, title: &str, description: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12"><title id="chart-title">{t}</title><desc id="chart-desc">{d}</desc><rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/><text x="{cx}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{t}</text>"##,
        t = escape(title),
        d = escape(description),
        cx = WIDTH / 2.0,
    );
}

fn axes(
    out: &mut String,
    frame: &Frame,
    x_ticks: Option<&[f64]>,
    y_ticks: &[f64],
    labels: (&str, &str),
) {
    for &t in y_ticks {
        let y = frame.py(t);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#dddddd"/><text x="{lx}" y="{ty:.1}" text-anchor="end">{l}</text>"##,
            x2 = WIDTH - RIGHT,
            lx = LEFT - 6.0,
            ty = y + 4.0,
            l = label(t),
        );
    }
    if let Some(ticks) = x_ticks {
        for &t in ticks {
            let x = frame.px(t);
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{ty}" text-anchor="middle">{l}</text>"#,
                ty = HEIGHT - BOTTOM + 18.0,
                l = label(t),
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{x2}" y1="{y}" y2="{y}" stroke="#333333"/><line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{y}" stroke="#333333"/><text x="{cx}" y="{xl}" text-anchor="middle">{xlabel}</text><text transform="translate(16 {cy}) rotate(-90)" text-anchor="middle">{ylabel}</text>"##,
        x2 = WIDTH - RIGHT,
        y = HEIGHT - BOTTOM,
        cx = LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        xl = HEIGHT - BOTTOM + 40.0,
        cy = TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
        xlabel = escape(labels.0),
        ylabel = escape(labels.1),
    );
}

fn legend(out: &mut String, names: &[&str], bars: bool) {
    let mut x = LEFT;
    let y = HEIGHT - 12.0;
    for (i, name) in names.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        if bars {
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{ry}" width="14" height="10" fill="{colour}"/>"#,
                ry = y - 9.0
            );
        } else {
            let _ = write!(
                out,
                r#"<line x1="{x}" x2="{x2}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2.5" stroke-dasharray="{d}"/>"#,
                x2 = x + 18.0,
                ly = y - 4.0,
                d = DASHES[i % DASHES.len()],
            );
        }
        let _ = write!(
            out,
            r#"<text x="{tx}" y="{y}">{n}</text>"#,
            tx = x + 22.0,
            n = escape(name)
        );
        x += 34.0 + 7.0 * name.chars().count() as f64;
    }
}

impl LineChart {
    pub fn to_svg(&self) -> String {
        let points = || {
            self.series
                .iter()
                .flat_map(|s| s.values.iter())
                .filter(|(x, y)| x.is_finite() && y.is_finite())
        };
        let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &(x, y) in points() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let y0 = points().map(|p| p.1).fold(0.0f64, f64::min);
        let x_ticks = nice_ticks(x0, x1, 8);
        let y_ticks = nice_ticks(y0, y1, 6);
        let frame = Frame {
            x0: x_ticks[0],
            x1: *x_ticks.last().expect("ticks"),
            y0: y_ticks[0],
            y1: *y_ticks.last().expect("ticks"),
        };
        let mut out = String::new();
        open(&mut out, &self.title, &self.description);
        axes(
            &mut out,
            &frame,
            Some(&x_ticks),
            &y_ticks,
            (&self.x_label, &self.y_label),
        );
        if let Some((x, text)) = &self.marker {
            let px = frame.px(*x);
            let _ = write!(
                out,
                r##"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{y}" stroke="#888888" stroke-dasharray="4 4"/><text x="{tx:.1}" y="{ty}" fill="#555555">{t}</text>"##,
                y = HEIGHT - BOTTOM,
                tx = px + 4.0,
                ty = TOP + 12.0,
                t = escape(text),
            );
        }
        for (i, s) in self.series.iter().enumerate() {
            let mut path = String::new();
            for &(x, y) in s
                .values
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
            {
                let _ = write!(
                    path,
                    "{}{:.1},{:.1}",
                    if path.is_empty() { "M" } else { " L" },
                    frame.px(x),
                    frame.py(y)
                );
            }
            let _ = write!(
                out,
                r#"<path d="{path}" fill="none" stroke="{c}" stroke-width="2.5" stroke-dasharray="{d}"><title>{n}</title></path>"#,
                c = PALETTE[i % PALETTE.len()],
                d = DASHES[i % DASHES.len()],
                n = escape(&s.name),
            );
        }
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        legend(&mut out, &names, false);
        out.push_str("</svg>\n");
        out
    }
}

impl BarChart {
    pub fn to_svg(&self) -> String {
        let y1 = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let y_ticks = nice_ticks(0.0, y1, 6);
        let frame = Frame {
            x0: 0.0,
            x1: self.categories.len().max(1) as f64,
            y0: 0.0,
            y1: *y_ticks.last().expect("ticks"),
        };
        let mut out = String::new();
        open(&mut out, &self.title, &self.description);
        axes(
            &mut out,
            &frame,
            None,
            &y_ticks,
            (&self.x_label, &self.y_label),
        );
        let group = (WIDTH - LEFT - RIGHT) / self.categories.len().max(1) as f64;
        let bar = group * 0.8 / self.series.len().max(1) as f64;
        for (k, category) in self.categories.iter().enumerate() {
            let gx = LEFT + k as f64 * group;
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{c}</text>"#,
                x = gx + group / 2.0,
                y = HEIGHT - BOTTOM + 18.0,
                c = escape(category),
            );
            for (i, (name, values)) in self.series.iter().enumerate() {
                let Some(&v) = values.get(k).filter(|v| v.is_finite()) else {
                    continue;
                };
                let top = frame.py(v);
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{n}, {cat}: {l}</title></rect>"#,
                    x = gx + group * 0.1 + i as f64 * bar,
                    w = bar * 0.95,
                    h = (HEIGHT - BOTTOM - top).max(0.0),
                    c = PALETTE[i % PALETTE.len()],
                    n = escape(name),
                    cat = escape(category),
                    l = label((v * 100.0).round() / 100.0),
                );
            }
        }
        let names: Vec<&str> = self.series.iter().map(|(n, _)| n.as_str()).collect();
        legend(&mut out, &names, true);
        out.push_str("</svg>\n");
        out
    }
}

impl HeatMap {
    pub fn to_svg(&self) -> String {
        let finite = || {
            self.values
                .iter()
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
        };
        let lo = finite().fold(f64::INFINITY, f64::min);
        let hi = finite().fold(f64::NEG_INFINITY, f64::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let mut out = String::new();
        open(&mut out, &self.title, &self.description);
        let (cols, rows) = (self.columns.len().max(1), self.rows.len().max(1));
        let cw = (WIDTH - LEFT - RIGHT) / cols as f64;
        let ch = (HEIGHT - TOP - BOTTOM) / rows as f64;
        for (r, row) in self.values.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let share = (v - lo) / span;
                // Light to dark blue; text switches to white on dark cells.
                let shade = (235.0 - 180.0 * share).round() as u8;
                let (x, y) = (LEFT + c as f64 * cw, TOP + r as f64 * ch);
                let _ = write!(
                    out,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{cw:.1}" height="{ch:.1}" fill="rgb({shade},{g},255)" stroke="#ffffff"><title>{rl}, {cl}: {l}</title></rect>"##,
                    g = shade.saturating_add(10),
                    rl = escape(&self.rows[r]),
                    cl = escape(&self.columns[c]),
                    l = label((v * 100.0).round() / 100.0),
                );
                if cw >= 28.0 && ch >= 14.0 {
                    let _ = write!(
                        out,
                        r#"<text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" font-size="10" fill="{f}">{l}</text>"#,
                        tx = x + cw / 2.0,
                        ty = y + ch / 2.0 + 3.5,
                        f = if share > 0.55 { "#ffffff" } else { "#000000" },
                        l = label((v * 100.0).round() / 100.0),
                    );
                }
            }
        }
        for (r, name) in self.rows.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text x="{x}" y="{y:.1}" text-anchor="end" font-size="10">{n}</text>"#,
                x = LEFT - 4.0,
                y = TOP + (r as f64 + 0.5) * ch + 3.5,
                n = escape(name),
            );
        }
        let step = (cols / 12).max(1);
        for (c, name) in self.columns.iter().enumerate().step_by(step) {
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{y}" text-anchor="middle" font-size="10">{n}</text>"#,
                x = LEFT + (c as f64 + 0.5) * cw,
                y = HEIGHT - BOTTOM + 14.0,
                n = escape(name),
            );
        }
        let _ = write!(
            out,
            r#"<text x="{cx}" y="{xl}" text-anchor="middle">{xlabel}</text><text transform="translate(16 {cy}) rotate(-90)" text-anchor="middle">{ylabel}</text>"#,
            cx = LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            xl = HEIGHT - BOTTOM + 36.0,
            cy = TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
            xlabel = escape(&self.x_label),
            ylabel = escape(&self.y_label),
        );
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        let chart = LineChart {
            title: "A <b> & \"c\"".into(),
            description: "d < e".into(),
            x_label: "x&".into(),
            y_label: "y>".into(),
            series: vec![Series {
                name: "s'1".into(),
                values: vec![(0.0, 1.0), (1.0, 2.0)],
            }],
            marker: Some((0.5, "m<".into())),
        };
        let svg = chart.to_svg();
        assert!(svg.contains("<title id=\"chart-title\">A &lt;b&gt; &amp; &quot;c&quot;</title>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("s&#39;1") && svg.contains("m&lt;"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn line_points_land_inside_the_plot_area() {
        let chart = LineChart {
            title: "t".into(),
            description: "d".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![Series {
                name: "s".into(),
                values: vec![(0.0, 0.0), (10.0, 100.0), (f64::NAN, 5.0)],
            }],
            marker: None,
        };
        let svg = chart.to_svg();
        let d = svg
            .split("<path d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        // (0, 0) is the bottom-left corner of the plot area, (10, 100) the top-right.
        assert_eq!(
            d,
            format!(
                "M{LEFT:.1},{:.1} L{:.1},{TOP:.1}",
                HEIGHT - BOTTOM,
                WIDTH - RIGHT
            )
        );
    }

    #[test]
    fn bars_and_cells_carry_their_values() {
        let bars = BarChart {
            title: "t".into(),
            description: "d".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            categories: vec!["0".into(), "1".into()],
            series: vec![
                ("actual".into(), vec![3.0, 1.5]),
                ("model".into(), vec![2.5, 1.0]),
            ],
        };
        let svg = bars.to_svg();
        assert_eq!(svg.matches("<rect x=").count(), 4 + 2); // four bars, two legend keys
        assert!(svg.contains("<title>actual, 1: 1.5</title>"));
        let heat = HeatMap {
            title: "t".into(),
            description: "d".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            columns: vec!["a".into(), "b".into()],
            rows: vec!["r".into()],
            values: vec![vec![0.25, f64::NAN]],
        };
        let svg = heat.to_svg();
        assert!(svg.contains("<title>r, a: 0.25</title>"));
        assert!(!svg.contains("NaN"));
    }
}
