//! `minutes`: record, replay and query the procedural history of formal meetings.
//!
//! The path of a command: `commands::run` parses the arguments and dispatches to one file in
//! `commands/`, which opens the store (crate `minutes-store`), asks the domain (crate
//! `minutes-core`) and prints through `render`.

mod commands;
mod context;
mod error;
mod render;

/// mimalloc: event decoding and folding allocate many small strings, which it serves markedly
/// faster than the system allocator (`cargo xtask bench` measures it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    commands::run()
}
