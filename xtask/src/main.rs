//! `cargo xtask`: project chores, one file each.

mod bench;
mod bench_http;
mod check_record;
mod coverage;
mod gen;

use std::path::PathBuf;

/// mimalloc: event decoding and folding allocate many small strings, which it serves markedly
/// faster than the system allocator (`cargo xtask bench` measures it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check-record") => check_record::run(&root()),
        Some("coverage") => coverage::run(&root(), &args[1..]),
        Some("gen") => gen::run(&args[1..]),
        Some("bench") => bench::run(&root(), &args[1..]),
        Some("bench-child") => bench::child(&args[1..]),
        Some("bench-http") => bench_http::run(&root(), &args[1..]),
        _ => {
            eprintln!("usage: cargo xtask check-record | coverage [--summary] | gen N [--seed S] | bench [--events N] [--json]");
            eprintln!(
                "  check-record   every event of events/wtpf-13 loads and cites a quote found in its source"
            );
            eprintln!(
                "  coverage       every sentence of the sources, with the events citing it or the reason it is left out"
            );
            eprintln!(
                "  gen N          N synthetic events as JSON Lines, for `minutes import` into an empty store"
            );
            eprintln!("  bench          minutes beside a raw-SQLite baseline; writes BENCHMARKS.md");
            eprintln!(
                "  bench-http     minutes serve under wrk beside the library it serves [--secs S] [--write]"
            );
            std::process::exit(2)
        }
    }
}

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
