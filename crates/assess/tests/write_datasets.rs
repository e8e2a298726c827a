//! Writes the golden data sets to `$WELLSPRING_90B_DATA_DIR` so NIST's tools can be run on
//! them (`cargo test -p wellspring-assess --test write_datasets -- --ignored`).

mod common;

#[test]
#[ignore = "writes files; run by hand to regenerate the NIST reference numbers"]
fn write_datasets() {
    let dir = std::env::var("WELLSPRING_90B_DATA_DIR").expect("set WELLSPRING_90B_DATA_DIR");
    for (name, bits, data) in common::datasets::all() {
        std::fs::write(format!("{dir}/{name}_{bits}bit.bin"), data).unwrap();
    }
}
