//! `cargo xtask`: project chores, one file each.

mod check_record;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check-record") => check_record::run(&root()),
        _ => {
            eprintln!("usage: cargo xtask check-record");
            eprintln!("  check-record   every event of events/wtpf-13 loads and cites a quote found in its source");
            std::process::exit(2)
        }
    }
}

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
