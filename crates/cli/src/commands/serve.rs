//! `minutes serve`: the store over HTTP (the API, the live feed, the timeline page); the server
//! itself is `minutes_server`, this file only reads the flags.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use minutes_server::{Config, Tokens, Transport};

use crate::context::Context;
use crate::error::{CliError, Result};

/// Serve the store over HTTP: the timeline page at /, a JSON API under /api (the same questions,
/// names, time forms and JSON as the command line; its OpenAPI document at /api/openapi.json),
/// and a live feed of committed events (Server-Sent Events, /api/feed). Reads are open; writes
/// need a clerk's bearer token (--tokens FILE or --tokens-env VAR), and the clerk is recorded
/// as recorded_by. The first line of output is the address it listens on. Without TLS it
/// listens on loopback only, since tokens would travel in clear.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  minutes serve --tokens clerks.txt\n  minutes serve --addr 127.0.0.1:0 --tokens-env MINUTES_TOKENS\n  minutes serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --tokens clerks.txt\n\nA tokens file holds one clerk a line, `CLERK TOKEN` or `CLERK sha256:HEX` (the token's\nSHA-256, so the file need not hold the secret); blank lines and lines starting with # are ignored."
)]
pub struct Args {
    /// Where to listen (port 0 picks a free port)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The clerks' tokens: one clerk a line, `CLERK TOKEN` or `CLERK sha256:HEX`
    #[arg(long, value_name = "FILE", conflicts_with = "tokens_env")]
    tokens: Option<PathBuf>,
    /// The name of an environment variable holding the tokens, in the file's form
    #[arg(long, value_name = "VAR")]
    tokens_env: Option<String>,
    /// A PEM certificate chain: serve HTTPS (with --tls-key)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address because a TLS-terminating proxy stands in
    /// front of it
    #[arg(long, conflicts_with = "tls_cert")]
    behind_tls_proxy: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, a: Args, out: &mut impl Write) -> Result<()> {
    let tokens = match (&a.tokens, &a.tokens_env) {
        (Some(f), _) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| CliError::Refused(format!("{}: cannot be read: {e}", f.display())))?;
            Tokens::parse(&text, &f.display().to_string())
        }
        (None, Some(var)) => {
            let text = std::env::var(var).map_err(|_| {
                CliError::Refused(format!(
                    "--tokens-env {var}: the environment variable is not set (or not UTF-8)"
                ))
            })?;
            Tokens::parse(&text, &format!("${var}"))
        }
        (None, None) => Ok(Tokens::default()),
    }
    .map_err(|e| CliError::Refused(e.to_string()))?;
    let transport = match (a.tls_cert, a.tls_key, a.behind_tls_proxy) {
        (Some(cert), Some(key), _) => Transport::Tls { cert, key },
        (_, _, true) => Transport::BehindTlsProxy,
        _ => Transport::Plain,
    };
    minutes_server::check_transport(&a.addr, &transport).map_err(|e| CliError::Usage(e.to_string()))?;
    // No command but init creates a store: a missing one is named before anything is bound.
    drop(ctx.db.open_write()?);
    let clerks = tokens.len();
    let pinned = std::env::var_os("MINUTES_NOW").map(|_| ctx.now);
    let config = Config { db: ctx.db.path.clone(), addr: a.addr, tokens, transport, now: pinned };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("the server cannot start: {e}")))?;
    let mut printed = Ok(());
    let served = rt.block_on(minutes_server::serve(config, |addr, scheme| {
        let plural = if clerks == 1 { "" } else { "s" };
        printed = writeln!(out, "listening on {scheme}://{addr}/")
            .and_then(|()| {
                writeln!(
                    out,
                    "store {}; {clerks} clerk{plural} may write; the API is described at /api/openapi.json",
                    ctx.db.path.display()
                )
            })
            .and_then(|()| out.flush());
    }));
    printed?;
    served.map_err(|e| match e {
        minutes_server::ServerError::Store(s) => CliError::from(s),
        minutes_server::ServerError::Config(m) => CliError::Usage(m),
        other => CliError::Failed(other.to_string()),
    })
}
