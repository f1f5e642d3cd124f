//! `cargo xtask bench`.
use std::path::Path;
/// Runs the bench.
pub fn run(_root: &Path, _args: &[String]) -> anyhow::Result<()> { Ok(()) }
/// A measured child.
pub fn child(_args: &[String]) -> anyhow::Result<()> { Ok(()) }
