//! The customers file, any bytes: no panic; every profile read has an id within the bounds.
#![no_main]

use clientele_core::bounds::check_id;
use clientele_ingest::customers::read_customers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(&path, data).unwrap();
    if let Ok((profiles, _)) = read_customers(&path, false) {
        for p in &profiles {
            // E-mail and phone ids are normalised; a written id is checked as read.
            assert!(
                check_id(&p.id).is_ok() || p.email.as_deref() == Some(&p.id),
                "{:?}",
                p.id
            );
        }
    }
});
