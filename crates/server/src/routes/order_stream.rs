//! Splitting an order batch's body into its orders as the body arrives (issue 23, item 7: a
//! 32 MB batch read whole and parsed into one `Vec` raised the server to 569 MB). Two formats:
//! - JSON, `{"orders": [ORDER, ORDER, ...]}`: a byte scanner follows the envelope and the array,
//!   and hands each element's bytes, once complete, to serde;
//! - NDJSON (`application/x-ndjson`), one order per line.
//!
//! Only one order's bytes are held at a time, at most [`MAX_ORDER_BYTES`] of them and nested at
//! most [`MAX_DEPTH`] deep; anything else in the body (a truncated array, trailing garbage, a
//! blank line, an element missing between two commas) is refused naming the order's position:
//! its index in the batch, and for NDJSON its line.

use crate::error::ApiError;

/// The largest order (one element of the array, one NDJSON line), in bytes.
pub const MAX_ORDER_BYTES: usize = 1 << 20;
/// The deepest nesting of arrays and objects inside one order (an order, its lines, a line:
/// three are used).
pub const MAX_DEPTH: usize = 8;
/// The envelope's one key.
const KEY: &[u8] = b"orders";

/// Where an order is in the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The order's index in the batch, from 0.
    pub index: usize,
    /// Its line, from 1, in an NDJSON body.
    pub line: Option<u64>,
}

impl Position {
    /// `orders[3]`: the prefix of every field of this order.
    pub fn field(self) -> String {
        format!("orders[{}]", self.index)
    }

    /// `orders[3]` or `orders[3] (line 4)`, for messages.
    pub fn describe(self) -> String {
        match self.line {
            Some(line) => format!("orders[{}] (line {line})", self.index),
            None => self.field(),
        }
    }

    fn refuse(self, why: impl std::fmt::Display) -> ApiError {
        ApiError::BadRequest {
            field: Some(self.field()),
            message: format!("{}: {why}", self.describe()),
        }
    }
}

fn refuse(why: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        field: None,
        message: why.into(),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// How deep arrays and objects are nested at a point of one JSON value, outside its strings.
#[derive(Debug, Default)]
struct Nesting {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

/// What a byte of an element is, for the scanner.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    /// Inside the element (a string, a nested value, a scalar).
    Inner,
    /// A `,` or a closing bracket at depth 0: the element has ended before it.
    End(u8),
}

impl Nesting {
    fn step(&mut self, b: u8, at: Position) -> Result<Seen, ApiError> {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return Ok(Seen::Inner);
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(at.refuse(format!("nested deeper than {MAX_DEPTH} levels")));
                }
            }
            b'}' | b']' if self.depth == 0 => return Ok(Seen::End(b)),
            b'}' | b']' => self.depth -= 1,
            b',' if self.depth == 0 => return Ok(Seen::End(b)),
            _ => {}
        }
        Ok(Seen::Inner)
    }
}

/// Where the JSON scanner is in `{"orders": [...]}`.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// Before the opening `{`.
    Start,
    /// After `{`: the key's opening quote.
    KeyOpen,
    /// Inside the key.
    Key,
    /// After the key: `:`.
    Colon,
    /// After `:`: `[`.
    ArrayOpen,
    /// After `[` (`]` allowed) or after a `,` (an element required).
    ElementStart { first: bool },
    /// Inside an element.
    Element,
    /// After `]`: `}`.
    ObjectClose,
    /// After `}`: white space only.
    End,
}

/// Splits `{"orders": [...]}` fed in pieces into its elements.
#[derive(Debug)]
pub struct JsonBatch {
    place: Place,
    key: Vec<u8>,
    element: Vec<u8>,
    nesting: Nesting,
    /// Elements handed on so far.
    count: usize,
    /// Bytes fed so far (for messages about the envelope).
    offset: u64,
}

impl Default for JsonBatch {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonBatch {
    pub fn new() -> JsonBatch {
        JsonBatch {
            place: Place::Start,
            key: Vec::new(),
            element: Vec::new(),
            nesting: Nesting::default(),
            count: 0,
            offset: 0,
        }
    }

    fn here(&self) -> Position {
        Position {
            index: self.count,
            line: None,
        }
    }

    fn unexpected(&self, b: u8, wanted: &str) -> ApiError {
        refuse(format!(
            "the body is not an order batch: {wanted} expected at byte {}, found '{}'",
            self.offset,
            char::from(b).escape_default()
        ))
    }

    /// Feeds the next piece of the body; each complete element goes to `order` with its
    /// position.
    pub fn feed(
        &mut self,
        piece: &[u8],
        order: &mut impl FnMut(Position, &[u8]) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        for &b in piece {
            self.byte(b, order)?;
            self.offset += 1;
        }
        Ok(())
    }

    fn byte(
        &mut self,
        b: u8,
        order: &mut impl FnMut(Position, &[u8]) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        if self.place == Place::Element {
            return match self.nesting.step(b, self.here())? {
                Seen::Inner => {
                    if self.element.len() >= MAX_ORDER_BYTES {
                        return Err(self
                            .here()
                            .refuse(format!("longer than {MAX_ORDER_BYTES} bytes")));
                    }
                    self.element.push(b);
                    Ok(())
                }
                Seen::End(b'}') => Err(self.unexpected(b, "',' or ']'")),
                Seen::End(end) => {
                    order(self.here(), &self.element)?;
                    self.count += 1;
                    self.place = if end == b',' {
                        Place::ElementStart { first: false }
                    } else {
                        Place::ObjectClose
                    };
                    Ok(())
                }
            };
        }
        if self.place == Place::Key {
            match b {
                b'"' => self.place = Place::Colon,
                _ if self.key.len() < KEY.len() + 16 => self.key.push(b),
                _ => {}
            }
            return Ok(());
        }
        if is_space(b) {
            return Ok(());
        }
        self.place = match (&self.place, b) {
            (Place::Start, b'{') => Place::KeyOpen,
            (Place::Start, _) => return Err(self.unexpected(b, "'{\"orders\": ['")),
            (Place::KeyOpen, b'"') => Place::Key,
            (Place::KeyOpen, b'}') => {
                return Err(ApiError::invalid("orders", "the batch has no `orders`"));
            }
            (Place::KeyOpen, _) => return Err(self.unexpected(b, "'\"orders\"'")),
            (Place::Colon, b':') if self.key == KEY => Place::ArrayOpen,
            (Place::Colon, _) if self.key != KEY => {
                return Err(ApiError::invalid(
                    String::from_utf8_lossy(&self.key).into_owned(),
                    "unknown field: a batch is {\"orders\": [...]}",
                ));
            }
            (Place::Colon, _) => return Err(self.unexpected(b, "':'")),
            (Place::ArrayOpen, b'[') => Place::ElementStart { first: true },
            (Place::ArrayOpen, _) => return Err(self.unexpected(b, "'['")),
            (Place::ElementStart { first: true }, b']') => Place::ObjectClose,
            (Place::ElementStart { .. }, b']' | b',') => {
                return Err(self
                    .here()
                    .refuse("an order is missing before this comma or ']'"));
            }
            (Place::ElementStart { .. }, _) => {
                self.element.clear();
                self.nesting = Nesting::default();
                self.place = Place::Element;
                return self.byte(b, order);
            }
            (Place::ObjectClose, b'}') => Place::End,
            (Place::ObjectClose, b',') => {
                return Err(refuse(
                    "the body is not an order batch: `orders` is its only field",
                ));
            }
            (Place::ObjectClose, _) => return Err(self.unexpected(b, "'}'")),
            (Place::End, _) => {
                return Err(refuse(format!(
                    "the body is not valid JSON: trailing characters after the batch, at byte {}",
                    self.offset
                )));
            }
            (Place::Key | Place::Element, _) => unreachable!("handled above"),
        };
        Ok(())
    }

    /// The body has ended: the number of orders, or why the batch is incomplete.
    pub fn finish(self) -> Result<usize, ApiError> {
        match self.place {
            Place::End => Ok(self.count),
            Place::Element if self.nesting.depth == 0 && !self.nesting.in_string => {
                Err(self.here().refuse(
                    "the body ends after this order, before the batch's closing brackets (truncated?)",
                ))
            }
            Place::Element => Err(self
                .here()
                .refuse("the body ends inside this order (truncated?)")),
            Place::Start => Err(refuse("the body is empty: a batch is {\"orders\": [...]}")),
            _ => Err(refuse(format!(
                "the body ends after {} order(s), before the batch's closing brackets (truncated?)",
                self.count
            ))),
        }
    }
}

/// Splits an NDJSON body fed in pieces into its lines, one order each.
#[derive(Debug, Default)]
pub struct NdjsonBatch {
    line: Vec<u8>,
    /// Lines ended so far.
    lines: u64,
}

impl NdjsonBatch {
    pub fn new() -> NdjsonBatch {
        NdjsonBatch::default()
    }

    fn here(&self) -> Position {
        Position {
            index: self.lines as usize,
            line: Some(self.lines + 1),
        }
    }

    /// Feeds the next piece of the body; each complete line goes to `order` with its position.
    pub fn feed(
        &mut self,
        piece: &[u8],
        order: &mut impl FnMut(Position, &[u8]) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let mut rest = piece;
        while !rest.is_empty() {
            let (part, ended) = match rest.iter().position(|&b| b == b'\n') {
                Some(at) => (&rest[..at], true),
                None => (rest, false),
            };
            if self.line.len() + part.len() > MAX_ORDER_BYTES {
                return Err(self
                    .here()
                    .refuse(format!("the line is longer than {MAX_ORDER_BYTES} bytes")));
            }
            self.line.extend_from_slice(part);
            rest = &rest[part.len()..];
            if ended {
                rest = &rest[1..];
                self.end_line(order)?;
            }
        }
        Ok(())
    }

    fn end_line(
        &mut self,
        order: &mut impl FnMut(Position, &[u8]) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let at = self.here();
        let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
        if line.iter().all(|&b| is_space(b)) {
            return Err(at.refuse("the line is blank: every line is one order"));
        }
        let mut nesting = Nesting::default();
        for &b in line {
            // A `,` or closing bracket at depth 0 is serde's to refuse.
            nesting.step(b, at)?;
        }
        order(at, line)?;
        self.line.clear();
        self.lines += 1;
        Ok(())
    }

    /// The body has ended: the number of orders. A last line without its newline counts.
    pub fn finish(
        mut self,
        order: &mut impl FnMut(Position, &[u8]) -> Result<(), ApiError>,
    ) -> Result<usize, ApiError> {
        if !self.line.is_empty() {
            self.end_line(order)?;
        }
        Ok(self.lines as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `body` fed in pieces of `piece` bytes; the elements as text, or the error.
    fn json(body: &str, piece: usize) -> Result<Vec<(usize, String)>, ApiError> {
        let mut got = Vec::new();
        let mut s = JsonBatch::new();
        for p in body.as_bytes().chunks(piece.max(1)) {
            s.feed(p, &mut |at, e| {
                got.push((at.index, String::from_utf8(e.to_vec()).unwrap()));
                Ok(())
            })?;
        }
        let n = s.finish()?;
        assert_eq!(n, got.len());
        Ok(got)
    }

    fn ndjson(body: &str, piece: usize) -> Result<Vec<(usize, String)>, ApiError> {
        let mut got = Vec::new();
        let mut s = NdjsonBatch::new();
        let mut keep = |at: Position, e: &[u8]| {
            assert_eq!(at.line, Some(at.index as u64 + 1));
            got.push((at.index, String::from_utf8(e.to_vec()).unwrap()));
            Ok(())
        };
        for p in body.as_bytes().chunks(piece.max(1)) {
            s.feed(p, &mut keep)?;
        }
        s.finish(&mut keep)?;
        Ok(got)
    }

    fn message(e: ApiError) -> String {
        match e {
            ApiError::BadRequest { message, .. } => message,
            ApiError::Invalid { field, reason } => format!("{field}: {reason}"),
            other => other.to_string(),
        }
    }

    #[test]
    fn elements_come_out_whole_whatever_the_pieces() {
        let body = r#" { "orders" : [ {"a": "x,]}\"", "b": [1, {"c": []}]} ,{"d":2}, 3 ] } "#;
        for piece in [1, 2, 3, 7, 1000] {
            let got = json(body, piece).unwrap();
            assert_eq!(
                got,
                vec![
                    (0, r#"{"a": "x,]}\"", "b": [1, {"c": []}]} "#.to_string()),
                    (1, r#"{"d":2}"#.to_string()),
                    (2, "3 ".to_string()),
                ],
                "pieces of {piece}"
            );
        }
        assert_eq!(json(r#"{"orders": []}"#, 4).unwrap(), vec![]);
    }

    #[test]
    fn a_broken_envelope_is_refused_with_where() {
        let cases = [
            ("", "the body is empty"),
            (r#"[{"a":1}]"#, "'{\"orders\": [' expected at byte 0"),
            (r#"{"order": []}"#, "order: unknown field"),
            (r#"{}"#, "orders: the batch has no `orders`"),
            (
                r#"{"orders": [{"a":1}"#,
                "orders[0]: the body ends after this order",
            ),
            (r#"{"orders": [{"a":1},"#, "ends after 1 order(s)"),
            (
                r#"{"orders": [{"a":1}, {"b":"#,
                "orders[1]: the body ends inside this order",
            ),
            (
                r#"{"orders": [{"a":1}]}x"#,
                "trailing characters after the batch, at byte 21",
            ),
            (r#"{"orders": [{"a":1}]}{}"#, "trailing characters"),
            (
                r#"{"orders": [{"a":1},]}"#,
                "orders[1]: an order is missing",
            ),
            (r#"{"orders": [,]}"#, "orders[0]: an order is missing"),
            (
                r#"{"orders": [{"a":1}], "x": 2}"#,
                "`orders` is its only field",
            ),
            (r#"{"orders": [{"a":1}}"#, "',' or ']' expected"),
        ];
        for (body, expected) in cases {
            let got = message(json(body, 3).unwrap_err());
            assert!(got.contains(expected), "{body}: {got}");
        }
    }

    #[test]
    fn depth_and_length_are_bounded_per_order() {
        let deep = format!(r#"{{"orders": [{{"a": 1}}, {}]}}"#, "[".repeat(9));
        let got = message(json(&deep, 5).unwrap_err());
        assert_eq!(got, "orders[1]: nested deeper than 8 levels");
        let eight = format!(r#"{{"orders": [{}{}]}}"#, "[".repeat(8), "]".repeat(8));
        assert_eq!(json(&eight, 5).unwrap().len(), 1);

        let long = format!(
            r#"{{"orders": [{{"a": "{}"}}]}}"#,
            "x".repeat(MAX_ORDER_BYTES)
        );
        let got = message(json(&long, 65_536).unwrap_err());
        assert_eq!(
            got,
            format!("orders[0]: longer than {MAX_ORDER_BYTES} bytes")
        );
    }

    #[test]
    fn ndjson_lines_are_orders_and_blank_or_long_lines_are_refused() {
        let got = ndjson("{\"a\":1}\r\n{\"b\":[2]}\n{\"c\":3}", 2).unwrap();
        assert_eq!(
            got,
            vec![
                (0, "{\"a\":1}".to_string()),
                (1, "{\"b\":[2]}".to_string()),
                (2, "{\"c\":3}".to_string()),
            ]
        );
        assert_eq!(ndjson("{\"a\":1}\n", 100).unwrap().len(), 1);
        let got = message(ndjson("{\"a\":1}\n\n{\"b\":2}\n", 3).unwrap_err());
        assert_eq!(
            got,
            "orders[1] (line 2): the line is blank: every line is one order"
        );
        let got = message(ndjson("{\"a\":1}\n  \t", 3).unwrap_err());
        assert!(
            got.starts_with("orders[1] (line 2): the line is blank"),
            "{got}"
        );
        let long = format!("{{}}\n{{\"a\": \"{}\"}}\n", "x".repeat(MAX_ORDER_BYTES));
        let got = message(ndjson(&long, 4096).unwrap_err());
        assert_eq!(
            got,
            format!("orders[1] (line 2): the line is longer than {MAX_ORDER_BYTES} bytes")
        );
        let deep = format!("{{}}\n{{}}\n{}\n", "[".repeat(20));
        let got = message(ndjson(&deep, 4096).unwrap_err());
        assert_eq!(got, "orders[2] (line 3): nested deeper than 8 levels");
    }
}
