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
