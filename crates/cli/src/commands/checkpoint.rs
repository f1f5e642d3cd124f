//! `minutes checkpoint` and `minutes keygen`: signed checkpoints of the log (C2SP
//! tlog-checkpoint, signed notes with Ed25519 keys) and the keys that sign them.

use std::io::Write;
use std::path::PathBuf;

use crate::context::Context;
use crate::error::{CliError, Result};

/// Print a signed checkpoint of the log: its origin (minutes/STORE-ID), its tree size and its
/// Merkle root, signed with a C2SP note key. Publish it (at the close of each session, say);
/// anyone holding the record later checks that the log extends it with
/// `minutes verify --checkpoint FILE --pubkey FILE`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes keygen council.example/minutes --out council.key\n  minutes --db council.db checkpoint --key council.key > session-1.checkpoint\n  minutes --db council.db verify --checkpoint session-1.checkpoint --pubkey council.key.pub"
)]
pub struct Args {
    /// The signing key file (PRIVATE+KEY+NAME+ID+KEY, as `minutes keygen` writes it)
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let skey = read(&a.key, "signing key")?;
    let note = ctx.ask(|q| q.checkpoint(&skey))?;
    write!(out, "{note}")?;
    Ok(())
}

/// Make an Ed25519 key pair for signing checkpoints: the signing key (keep it secret, off the
/// store's machine if you can) and the verifier key (publish it), as C2SP note keys.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes keygen council.example/minutes --out council.key   # writes council.key and council.key.pub\n  minutes keygen wtpf-13.secretariat/minutes --out /secure/wtpf.key"
)]
pub struct KeygenArgs {
    /// The key's name, as checkpoints name their signer (no spaces, no '+')
    name: String,
    /// Where the signing key goes (a new file); the verifier key goes to FILE.pub
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs `keygen`.
pub fn keygen(a: KeygenArgs, out: &mut impl Write) -> Result<()> {
    let (skey, vkey) = minutes_query::checkpoint::generate_key(&a.name)?;
    let public = PathBuf::from(format!("{}.pub", a.out.display()));
    for p in [&a.out, &public] {
        if p.exists() {
            return Err(CliError::Refused(format!(
                "{} exists already: keygen never overwrites a key",
                p.display()
            )));
        }
    }
    write_new(&a.out, &skey, 0o600)?;
    write_new(&public, &vkey, 0o644)?;
    writeln!(out, "{vkey}")?;
    Ok(())
}

/// Reads a key or checkpoint file.
pub fn read(p: &std::path::Path, what: &str) -> Result<String> {
    std::fs::read_to_string(p)
        .map_err(|e| CliError::Refused(format!("the {what} {} cannot be read: {e}", p.display())))
}

fn write_new(p: &std::path::Path, text: &str, mode: u32) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(p)
        .map_err(|e| CliError::Refused(format!("{} cannot be written: {e}", p.display())))?;
    writeln!(f, "{text}")
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::Refused(format!("{} cannot be written: {e}", p.display())))
}
