//! `minutes proof`: RFC 9162 inclusion and consistency proofs over the log's Merkle tree.

use std::io::Write;

use crate::context::Context;
use crate::error::Result;

/// Print RFC 9162 proofs over the log's Merkle tree (one leaf a row, in seq order; the leaf
/// bytes are `seq\nstream\nversion\npayload`), which any RFC 9162 verifier checks against the
/// root `verify --json` printed at that size: that an event is in the log, or that the log
/// extends an earlier one. Hashes are hex; the default size is the whole log.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes proof inclusion 0190f3a0-0000-7000-8000-000000000001 --json\n  minutes proof consistency --from 120 --json"
)]
pub struct Args {
    #[command(subcommand)]
    proof: Proof,
}

#[derive(clap::Subcommand)]
enum Proof {
    /// The event's leaf (index, bytes, hash) and its audit path to the root of the tree of
    /// --size leaves. JSON fields: event, seq, index, size, root, leaf, leaf_hash, path
    Inclusion {
        /// The event's id (a UUID)
        event_id: String,
        /// The tree's size [default: the whole log]
        #[arg(long, value_name = "N")]
        size: Option<u64>,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
    },
    /// The consistency proof between the tree of --from leaves and the tree of --size. JSON
    /// fields: from, from_root, size, root, proof
    Consistency {
        /// The earlier tree's size (1 to --size)
        #[arg(long, value_name = "N")]
        from: u64,
        /// The later tree's size [default: the whole log]
        #[arg(long, value_name = "M")]
        size: Option<u64>,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    match a.proof {
        Proof::Inclusion { event_id, size, json } => {
            let v = ctx.ask(|q| q.inclusion(&event_id, size))?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&v).map_err(std::io::Error::other)?)?;
            } else {
                writeln!(
                    out,
                    "event {} (seq {}) is leaf {} of the tree of size {}",
                    v.event, v.seq, v.index, v.size
                )?;
                writeln!(out, "root      {}", v.root)?;
                writeln!(out, "leaf hash {}", v.leaf_hash)?;
                for p in &v.path {
                    writeln!(out, "path      {p}")?;
                }
            }
        }
        Proof::Consistency { from, size, json } => {
            let v = ctx.ask(|q| q.consistency(from, size))?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&v).map_err(std::io::Error::other)?)?;
            } else {
                writeln!(out, "the tree of size {} extends the tree of size {}", v.size, v.from)?;
                writeln!(out, "root {} {}", v.from, v.from_root)?;
                writeln!(out, "root {} {}", v.size, v.root)?;
                for p in &v.proof {
                    writeln!(out, "proof {p}")?;
                }
            }
        }
    }
    Ok(())
}
