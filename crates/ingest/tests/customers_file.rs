//! The customers file keeps each person's e-mail and phone (normalised), and refuses a row
//! whose contact is malformed rather than losing the value.

use clientele_ingest::customers::read_customers;

#[test]
fn contacts_are_kept_and_malformed_ones_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(
        &path,
        "customer_id;name;email;phone\n\
         A;Anna;Anna@Example.COM ;8 (912) 345-67-89\n\
         B;Boris;not-an-e-mail;\n\
         C;Clara;;+44 20 7946 0958\n",
    )
    .unwrap();
    let (profiles, rejects) = read_customers(&path, false).unwrap();
    let ids: Vec<&str> = profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["A", "C"]);
    assert_eq!(profiles[0].email.as_deref(), Some("anna@example.com"));
    assert_eq!(profiles[0].phone.as_deref(), Some("+79123456789"));
    assert_eq!(profiles[1].email, None);
    assert_eq!(profiles[1].phone.as_deref(), Some("+442079460958"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].row.line, 3);
    assert_eq!(rejects[0].column, "email");
    assert!(
        rejects[0].reason.contains("not-an-e-mail"),
        "{}",
        rejects[0].reason
    );
}

#[test]
fn rejects_name_their_line_in_files_with_crlf_line_ends_and_quoted_line_breaks() {
    // As Excel and 1C save them: CRLF line ends, and a quoted note over two lines before the
    // bad row, which is on line 5.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(
        &path,
        "customer_id;name;email\r\n\
         A;\"Anna\r\nof Kazan\";anna@example.com\r\n\
         \r\n\
         B;Boris;not-an-e-mail\r\n\
         C;Clara;clara@example.com\r\n",
    )
    .unwrap();
    let (profiles, rejects) = read_customers(&path, false).unwrap();
    let ids: Vec<&str> = profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["A", "C"]);
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        (rejects[0].row.line, rejects[0].column.as_str()),
        (5, "email")
    );
}

/// Issue 23, items 2 and 7: ids with control characters and overlong names are rejects naming
/// the column; a line in another encoding refuses the file, naming the line; a larger file
/// than the bound is refused.
#[test]
fn bounds_and_encodings_of_the_customers_file() {
    use clientele_ingest::customers::read_customers_with;
    use clientele_ingest::limits::ImportLimits;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    let long_name = "ж".repeat(1001);
    std::fs::write(
        &path,
        format!(
            "customer_id;name;manager;referred by\nA;Anna;Olga;\nB\u{0};Boris;;\nC;{long_name};;\nD;Dan;;X\u{1b}\nE;Eva;{long_name};\n"
        ),
    )
    .unwrap();
    let (profiles, rejects) = read_customers(&path, false).unwrap();
    assert_eq!(profiles.len(), 1);
    let got: Vec<(u64, &str, &str)> = rejects
        .iter()
        .map(|r| (r.row.line, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                "customer_id",
                "the customer id holds a control character (U+0000)"
            ),
            (4, "name", "the name is longer than 1000 characters"),
            (
                5,
                "referred by",
                "the referrer's id holds a control character (U+001B)"
            ),
            (6, "manager", "the manager is longer than 1000 characters"),
        ]
    );

    let mut bytes = "customer_id;name\nA;Анна\nB;Борис\n".as_bytes().to_vec();
    bytes.extend(encoding_rs::WINDOWS_1251.encode("C;Клара\n").0.iter());
    std::fs::write(&path, &bytes).unwrap();
    let e = read_customers(&path, false).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("line 4 is not valid UTF-8 (byte 0xCA), though the rest of the file is: a line in another encoding, or a damaged byte"),
        "{e}"
    );
    let limits = ImportLimits {
        max_customers_bytes: 10,
        ..ImportLimits::default()
    };
    let e = read_customers_with(&path, false, &limits).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("the customers file is larger than 10 bytes, the most read"),
        "{e}"
    );
}
