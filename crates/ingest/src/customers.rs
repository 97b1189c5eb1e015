//! The optional customers file: prospects, visitors and what is known about buyers besides their
//! orders (NPS answer, referrer, image-client flag, manager, birthday, last touch).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use clientele_core::bounds::{TextError, check_id, check_name};
use clientele_core::{CustomerProfile, Day, NpsScore, RowRef};

use crate::columns::normalize_header;
use crate::encoding::{Undecodable, decode_chunk, detect_encoding, undecodable_line};
use crate::layout::{csv_reader_builder, detect_layout, split_line};
use crate::limits::ImportLimits;
use crate::pipeline::{ImportError, Reject, io_err, open_input, xlsx_err};
use crate::records::RecordLines;
use crate::values::{DateFormat, guess_date_format, normalize_email, normalize_phone, parse_date};
use crate::xlsx::{Container, read_xlsx};

/// The columns a customers file can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ProfileField {
    Id,
    Email,
    Phone,
    Name,
    Nps,
    ReferredBy,
    ImageClient,
    Manager,
    Birthday,
    LastTouch,
}

fn profile_field(header: &str) -> Option<ProfileField> {
    use ProfileField::*;
    let h = normalize_header(header);
    Some(match h.as_str() {
        "customer id"
        | "customer"
        | "client"
        | "client id"
        | "id"
        | "клиент"
        | "покупатель"
        | "код клиента"
        | "id клиента"
        | "код покупателя"
        | "контрагент" => Id,
        "email" | "e mail" | "почта" | "электронная почта" => Email,
        "phone" | "телефон" | "мобильный" | "мобильный телефон" => {
            Phone
        }
        "name" | "customer name" | "client name" | "имя" | "фио" | "наименование" => {
            Name
        }
        "nps" | "nps score" | "recommend" | "likelihood to recommend" | "оценка nps" | "нпс" => {
            Nps
        }
        "referred by"
        | "referrer"
        | "referral"
        | "кто привел"
        | "кто привёл"
        | "рекомендатель"
        | "пришел от"
        | "пришёл от" => ReferredBy,
        "image client" | "image" | "vip" | "имиджевый клиент" | "имиджевый" => {
            ImageClient
        }
        "manager" | "account manager" | "owner" | "responsible" | "менеджер" | "ответственный" => {
            Manager
        }
        "birthday" | "birth date" | "date of birth" | "день рождения" | "дата рождения" => {
            Birthday
        }
        "last touch"
        | "touch"
        | "last contact"
        | "inquiry"
        | "lead date"
        | "visit"
        | "last visit"
        | "последний контакт"
        | "обращение"
        | "дата обращения"
        | "визит"
        | "лид" => LastTouch,
        _ => return None,
    })
}

fn truthy(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "да" | "д" | "+" | "x" | "истина" => Some(true),
        "0" | "false" | "no" | "n" | "нет" | "н" | "-" | "" | "ложь" => Some(false),
        _ => None,
    }
}

/// Reads the customers file. Bad rows become rejects (or, with `strict`, an error). Read within
/// the default [`ImportLimits`]; see [`read_customers_with`].
pub fn read_customers(
    path: &Path,
    strict: bool,
) -> Result<(Vec<CustomerProfile>, Vec<Reject>), ImportError> {
    read_customers_with(path, strict, &ImportLimits::default())
}

/// [`read_customers`] within `limits`: the file is read whole (it is small beside the orders),
/// so [`ImportLimits::max_customers_bytes`] bounds it, and its lines as the orders' are.
pub fn read_customers_with(
    path: &Path,
    strict: bool,
    limits: &ImportLimits,
) -> Result<(Vec<CustomerProfile>, Vec<Reject>), ImportError> {
    let rows = read_rows(path, limits)?;
    let format_err = |message: String| ImportError::Format {
        path: path.to_path_buf(),
        message,
    };
    let Some(header_index) = header_row(&rows) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header = &rows[header_index].1;
    let columns = header_columns(header, profile_field).map_err(|c| {
        format_err(format!(
            "columns '{}' and '{}' both look like {:?}; rename one",
            header[c.first], header[c.second], c.field
        ))
    })?;
    if ![ProfileField::Id, ProfileField::Email, ProfileField::Phone]
        .iter()
        .any(|f| columns.contains_key(f))
    {
        return Err(format_err(format!(
            "no customer id, e-mail or phone column among the headers: {}",
            header.join(", ")
        )));
    }
    // The rows after the header's (not the lines after its line: a record may span lines).
    let data = &rows[header_index + 1..];
    let date_format = |field: ProfileField| -> Option<DateFormat> {
        column_date_format(data, *columns.get(&field)?, false)
    };
    let birthday_format = date_format(ProfileField::Birthday);
    let touch_format = date_format(ProfileField::LastTouch);

    let mut profiles = Vec::new();
    let mut rejects = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, row) in data {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: ProfileField| {
            columns
                .get(&f)
                .and_then(|&i| row.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let reject = |f: Option<ProfileField>, reason: String| Reject {
            file: PathBuf::from(path),
            row: RowRef {
                file: u32::MAX,
                line: *line,
            },
            column: f
                .and_then(|f| columns.get(&f))
                .map_or(String::new(), |&i| header[i].clone()),
            reason,
            raw: row.join(";"),
        };
        let parsed =
            (|| {
                // Contacts are kept (not only used as a fallback id), so a malformed one is a
                // reject rather than a value quietly lost.
                let email = cell(ProfileField::Email)
                    .map(|e| {
                        normalize_email(e).ok_or_else(|| {
                            reject(
                                Some(ProfileField::Email),
                                format!("'{e}' is not an e-mail address"),
                            )
                        })
                    })
                    .transpose()?;
                let phone = cell(ProfileField::Phone)
                    .map(|p| {
                        normalize_phone(p).ok_or_else(|| {
                            reject(
                                Some(ProfileField::Phone),
                                format!("'{p}' is not a phone number"),
                            )
                        })
                    })
                    .transpose()?;
                let text_check =
                    |f: ProfileField, what: &str, check: fn(&str) -> Result<(), TextError>| {
                        match cell(f).map(check) {
                            Some(Err(e)) => Err(reject(Some(f), format!("the {what} {e}"))),
                            _ => Ok(()),
                        }
                    };
                text_check(ProfileField::Id, "customer id", check_id)?;
                text_check(ProfileField::ReferredBy, "referrer's id", check_id)?;
                text_check(ProfileField::Name, "name", check_name)?;
                text_check(ProfileField::Manager, "manager", check_name)?;
                let id = if let Some(id) = cell(ProfileField::Id) {
                    id.to_string()
                } else if let Some(e) = &email {
                    e.clone()
                } else if let Some(p) = &phone {
                    p.clone()
                } else {
                    return Err(reject(
                        Some(ProfileField::Id),
                        "no customer id: the cell is empty".into(),
                    ));
                };
                let nps = match cell(ProfileField::Nps) {
                    None => None,
                    Some(t) => Some(t.parse::<u8>().ok().and_then(NpsScore::new).ok_or_else(
                        || {
                            reject(
                                Some(ProfileField::Nps),
                                format!("'{t}' is not an NPS answer from 0 to 10"),
                            )
                        },
                    )?),
                };
                let image_client = match cell(ProfileField::ImageClient) {
                    None => false,
                    Some(t) => truthy(t).ok_or_else(|| {
                        reject(
                            Some(ProfileField::ImageClient),
                            format!("'{t}' is not yes/no"),
                        )
                    })?,
                };
                let date =
                    |f: ProfileField, format: Option<DateFormat>| -> Result<Option<Day>, Reject> {
                        match (cell(f), format) {
                            (None, _) => Ok(None),
                            (Some(t), Some(fmt)) => parse_date(t, fmt)
                                .map(Some)
                                .map_err(|e| reject(Some(f), e.to_string())),
                            (Some(t), None) => Err(reject(
                                Some(f),
                                format!("'{t}': the column's date format could not be told"),
                            )),
                        }
                    };
                Ok(CustomerProfile {
                    id,
                    name: cell(ProfileField::Name).map(str::to_string),
                    nps,
                    referred_by: cell(ProfileField::ReferredBy).map(str::to_string),
                    image_client,
                    manager: cell(ProfileField::Manager).map(str::to_string),
                    birthday: date(ProfileField::Birthday, birthday_format)?,
                    email,
                    phone,
                    last_touch: date(ProfileField::LastTouch, touch_format)?,
                })
            })();
        match parsed {
            Ok(p) => {
                if let Some(first) = seen.get(&p.id) {
                    rejects.push(reject(
                        None,
                        format!(
                            "customer '{}' already appeared on line {first}; the first row is kept",
                            p.id
                        ),
                    ));
                    continue;
                }
                seen.insert(p.id.clone(), *line);
                profiles.push(p);
            }
            Err(r) => rejects.push(r),
        }
    }
    if strict && let Some(r) = rejects.first() {
        return Err(ImportError::Strict {
            path: path.to_path_buf(),
            line: r.row.line,
            column: r.column.clone(),
            reason: r.reason.clone(),
            count: rejects.len(),
        });
    }
    for r in &mut rejects {
        r.row.file = u32::MAX; // customers-file rows sort after every order file's
    }
    Ok((profiles, rejects))
}

/// The header of a small table read whole (see [`read_rows`]): the index of the first row with
/// any text, `None` for a table without any.
pub fn header_row(rows: &[(u64, Vec<String>)]) -> Option<usize> {
    rows.iter()
        .position(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
}

/// Two columns of a header that name the same field: their indexes and the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnClash<F> {
    pub first: usize,
    pub second: usize,
    pub field: F,
}

/// The columns of a small table's `header` that `field` recognises, each field at most once; a
/// second column naming a field already seen is a clash, which the caller words for its file.
pub fn header_columns<F: Copy + Eq + std::hash::Hash>(
    header: &[String],
    field: impl Fn(&str) -> Option<F>,
) -> Result<HashMap<F, usize>, ColumnClash<F>> {
    let mut columns = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        if let Some(f) = field(name) {
            if let Some(&first) = columns.get(&f) {
                return Err(ColumnClash {
                    first,
                    second: i,
                    field: f,
                });
            }
            columns.insert(f, i);
        }
    }
    Ok(columns)
}

/// The date format of `column` among a small table's data rows, guessed from its first 500
/// non-empty cells (`allow_serial` as in [`guess_date_format`]); `None` when no format fits.
pub(crate) fn column_date_format(
    data: &[(u64, Vec<String>)],
    column: usize,
    allow_serial: bool,
) -> Option<DateFormat> {
    let samples: Vec<&str> = data
        .iter()
        .filter_map(|(_, r)| r.get(column).map(|s| s.trim()))
        .filter(|s| !s.is_empty())
        .take(500)
        .collect();
    guess_date_format(&samples, allow_serial)
        .ok()
        .map(|g| g.format)
}

/// Reads a small table whole: (line number, cells) per row.
pub(crate) fn read_rows(
    path: &Path,
    limits: &ImportLimits,
) -> Result<Vec<(u64, Vec<String>)>, ImportError> {
    let format_err = |message: String| ImportError::Format {
        path: path.to_path_buf(),
        message,
    };
    let input = open_input(path, limits)?;
    if input.container == Container::Xlsx {
        let rows = read_xlsx(path, None, limits).map_err(xlsx_err(path))?;
        return Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r))
            .collect());
    }
    let mut bytes = Vec::new();
    let max = limits.max_customers_bytes;
    input
        .reader
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    if bytes.len() as u64 > max {
        return Err(ImportError::TooCostly {
            path: path.to_path_buf(),
            message: format!("the customers file is larger than {max} bytes, the most read"),
        });
    }
    let encoding = detect_encoding(&bytes);
    // The file is one transaction: a line that cannot be read in its encoding refuses it, named.
    if let Some((at, why)) = undecodable_line(&bytes, encoding) {
        let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1;
        return Err(format_err(match why {
            Undecodable::NotUtf8 => format!(
                "line {line} is not valid UTF-8 (byte 0x{:02X}), though the rest of the file is: a line in another encoding, or a damaged byte",
                bytes[at]
            ),
            Undecodable::Utf8InWindows1251 => format!(
                "line {line} is UTF-8 text, though the file is Windows-1251: save the file in one encoding"
            ),
        }));
    }
    let text = decode_chunk(&bytes, encoding).map_err(|e| {
        format_err(format!(
            "the text is not valid {} at byte {}",
            encoding.name(),
            e.offset
        ))
    })?;
    let layout = detect_layout(&text, true).map_err(|e| format_err(e.to_string()))?;
    let mut rows = Vec::new();
    match csv_reader_builder(&layout) {
        Some(builder) => {
            let mut rdr = builder.from_reader(text.as_bytes());
            let mut lines = RecordLines::default();
            for record in rdr.records() {
                let record = record.map_err(|e| format_err(e.to_string()))?;
                let (_, lines_before) = lines.locate(text.as_bytes(), &record);
                rows.push((
                    lines_before + 1,
                    record.iter().map(str::to_string).collect(),
                ));
            }
        }
        None => {
            let mut fields = Vec::new();
            for (i, line) in text.lines().enumerate() {
                fields.clear();
                split_line(line, &layout, &mut fields);
                rows.push((i as u64 + 1, fields.iter().map(|s| s.to_string()).collect()));
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::{ColumnClash, header_columns};

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn field(name: &str) -> Option<&'static str> {
        match name {
            "Клиент" | "Customer" => Some("customer"),
            "Дата" => Some("date"),
            _ => None,
        }
    }

    #[test]
    fn header_columns_maps_known_names_and_names_both_columns_of_a_clash() {
        let columns = header_columns(&header(&["Клиент", "Сумма", "Дата"]), field).unwrap();
        assert_eq!(columns.len(), 2);
        assert_eq!(columns["customer"], 0);
        assert_eq!(columns["date"], 2);
        assert_eq!(
            header_columns(&header(&["Дата", "Клиент", "x", "Customer"]), field),
            Err(ColumnClash {
                first: 1,
                second: 3,
                field: "customer"
            })
        );
    }
}
