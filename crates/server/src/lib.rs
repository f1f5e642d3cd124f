//! `minutes serve`: one store over HTTP. A JSON API over the query layer (the same names, time
//! forms and JSON shapes as the command line's `--json`), a live feed of committed events
//! (Server-Sent Events), writes by clerks with bearer tokens through the store's one
//! group-commit writer, and the timeline page, built into the binary.
//!
//! The server keeps the record decoded in memory and current from the log (`live.rs`): state
//! queries and the recording verbs' lookups are answered from it without decoding JSON. Other
//! reads are answered on the blocking pool from a few read-only connections; every answer says
//! the seq it reflects (header `Minutes-Seq`), which the feed takes as `?after=SEQ`.

mod api;
mod error;
mod feed;
mod live;
mod page;
pub mod tokens;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use minutes_core::time::Timestamp;
use minutes_store::{Appender, Store, Writer};

pub use api::openapi_json;
pub use error::{ApiError, ServerError};
pub use tokens::Tokens;

/// How the server is reached: plain HTTP on loopback, TLS, or plain HTTP behind a TLS proxy.
#[derive(Debug, Clone)]
pub enum Transport {
    /// Plain HTTP: only a loopback address is allowed (tokens travel in clear).
    Plain,
    /// Plain HTTP on any address, because a TLS-terminating proxy stands in front.
    BehindTlsProxy,
    /// TLS (rustls) with a PEM certificate chain and private key.
    Tls {
        /// The certificate chain (PEM).
        cert: PathBuf,
        /// The private key (PEM).
        key: PathBuf,
    },
}

/// What `minutes serve` was asked for.
#[derive(Debug, Clone)]
pub struct Config {
    /// The store file (it must exist).
    pub db: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Who may write.
    pub tokens: Tokens,
    /// Plain, TLS, or behind a proxy.
    pub transport: Transport,
    /// A pinned clock (tests): the default moment of reads and the `recorded_at` of writes;
    /// `None` is the system clock.
    pub now: Option<Timestamp>,
}

/// The largest request body taken (one event is at most 1 MiB of JSON).
pub const MAX_BODY: usize = 1 << 20;

/// How many read-only connections answer reads.
const READERS: usize = 4;

/// A few read-only connections to the store, each used by one request at a time on the
/// blocking pool.
#[derive(Clone)]
pub(crate) struct Readers {
    pool: Arc<Vec<Mutex<Store>>>,
    next: Arc<AtomicUsize>,
}

impl Readers {
    fn open(path: &Path) -> Result<Self, minutes_store::StoreError> {
        let pool =
            (0..READERS).map(|_| Store::open_read_only(path).map(Mutex::new)).collect::<Result<_, _>>()?;
        Ok(Self { pool: Arc::new(pool), next: Arc::new(AtomicUsize::new(0)) })
    }

    /// Runs `f` with a free connection (or the next one, waiting for it) on the blocking pool.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.pool.clone();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let n = pool.len();
            let guard = (0..n)
                .find_map(|i| pool[(start + i) % n].try_lock().ok())
                .map_or_else(|| pool[start % n].lock().map_err(|_| poisoned()), Ok)?;
            let out = f(&guard);
            // What a read noticed and passed over is the read's own business.
            let _ = guard.take_warnings();
            out
        })
        .await
        .map_err(|e| {
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, format!("the read failed: {e}"))
        })?
    }
}

fn poisoned() -> ApiError {
    ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "a read connection failed earlier")
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) readers: Readers,
    pub(crate) appender: Appender,
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) feed: feed::Feed,
    pub(crate) live: Arc<live::Live>,
    pub(crate) now: Option<Timestamp>,
}

impl App {
    /// The time now, or the pinned clock.
    pub(crate) fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(|| chrono::Utc::now().fixed_offset())
    }
}

/// Whether an address may be served over plain HTTP without a proxy: loopback only.
pub fn check_transport(addr: &SocketAddr, transport: &Transport) -> Result<(), ServerError> {
    match transport {
        Transport::Plain if !addr.ip().is_loopback() => Err(ServerError::Config(format!(
            "{addr} is not a loopback address: bearer tokens would travel in clear; give --tls-cert and --tls-key, or --behind-tls-proxy when a TLS proxy stands in front"
        ))),
        _ => Ok(()),
    }
}

/// Opens the store, binds, calls `ready` with the address bound (port 0 picks one), and serves
/// until the process ends. Must run inside a multi-threaded tokio runtime.
pub async fn serve(config: Config, ready: impl FnOnce(SocketAddr, &str)) -> Result<(), ServerError> {
    check_transport(&config.addr, &config.transport)?;
    let store = Store::open(&config.db)?;
    let readers = Readers::open(&config.db)?;
    let live = Arc::new(live::Live::open(&config.db)?);
    let feed = feed::Feed::start(live.clone())?;
    let clock: minutes_store::Clock = match config.now {
        Some(t) => Box::new(move || t),
        None => Box::new(|| chrono::Utc::now().fixed_offset()),
    };
    // What the server commits goes into the memory as it commits, before it is answered (the
    // look at the log that follows finds it there and decodes nothing), and the feed's watcher
    // is told, once a commit (it polls for anything else).
    let (observed, poker) = (live.clone(), feed.clone());
    let writer = Writer::spawn_observed(
        store,
        clock,
        Box::new(move |rows| {
            observed.committed(rows);
            poker.poke();
        }),
    );
    let app = App {
        readers,
        appender: writer.appender(),
        tokens: Arc::new(config.tokens),
        feed,
        live,
        now: config.now,
    };
    let router = api::router(app);
    match config.transport {
        Transport::Plain | Transport::BehindTlsProxy => {
            let listener = tokio::net::TcpListener::bind(config.addr).await?;
            let addr = listener.local_addr()?;
            ready(addr, "http");
            axum::serve(listener, router).await?;
        }
        Transport::Tls { cert, key } => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls =
                axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await.map_err(|e| {
                    ServerError::Config(format!(
                        "the TLS certificate {} or key {} do not load: {e}",
                        cert.display(),
                        key.display()
                    ))
                })?;
            let listener = std::net::TcpListener::bind(config.addr)?;
            listener.set_nonblocking(true)?;
            let addr = listener.local_addr()?;
            ready(addr, "https");
            axum_server::from_tcp_rustls(listener, tls).serve(router.into_make_service()).await?;
        }
    }
    drop(writer);
    Ok(())
}
