//! Numbers of a chart written the reader's way. Charts write their tick and cell numbers the
//! English way (`1,234.5`); [`localize_numbers`] rewrites each `<text>` whose whole content is
//! such a number with another decimal mark and grouping (`1 234,5` in Russian), leaving titles,
//! names and attributes as they are (their words were written by the caller in its language).

/// How a language writes numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberStyle {
    pub decimal: char,
    pub group: char,
}

impl NumberStyle {
    /// `1,234.5`: what the charts write.
    pub const ENGLISH: NumberStyle = NumberStyle {
        decimal: '.',
        group: ',',
    };
    /// `1 234,5` with a narrow no-break space.
    pub const RUSSIAN: NumberStyle = NumberStyle {
        decimal: ',',
        group: '\u{202f}',
    };
}

/// Whether `text` is a number as the charts write it: an optional minus, digits grouped by
/// commas, an optional decimal part.
fn is_chart_number(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit() || c == ',')
        && int.starts_with(|c: char| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// `svg` with every number-only `<text>` written in `style`.
pub fn localize_numbers(svg: &str, style: NumberStyle) -> String {
    if style == NumberStyle::ENGLISH {
        return svg.to_string();
    }
    let mut out = String::with_capacity(svg.len() + svg.len() / 16);
    let mut rest = svg;
    while let Some(at) = rest.find("<text") {
        let Some(open_end) = rest[at..].find('>') else {
            break;
        };
        let content_start = at + open_end + 1;
        let Some(len) = rest[content_start..].find('<') else {
            break;
        };
        out.push_str(&rest[..content_start]);
        let content = &rest[content_start..content_start + len];
        if is_chart_number(content) {
            out.extend(content.chars().map(|c| match c {
                '.' => style.decimal,
                ',' => style.group,
                other => other,
            }));
        } else {
            out.push_str(content);
        }
        rest = &rest[content_start + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbers_in_text_change() {
        let svg = r#"<svg><text x="1.5" y="2">1,234.5</text><text>0.25</text><text>-3</text><text>Доля, % (1.5)</text><title>3,5 %</title><text>12</text></svg>"#;
        assert_eq!(
            localize_numbers(svg, NumberStyle::RUSSIAN),
            "<svg><text x=\"1.5\" y=\"2\">1\u{202f}234,5</text><text>0,25</text><text>-3</text><text>Доля, % (1.5)</text><title>3,5 %</title><text>12</text></svg>"
        );
        assert_eq!(localize_numbers(svg, NumberStyle::ENGLISH), svg);
        assert!(!is_chart_number(""));
        assert!(!is_chart_number("1."));
        assert!(!is_chart_number(",1"));
        assert!(is_chart_number("-1,000.25"));
    }
}
