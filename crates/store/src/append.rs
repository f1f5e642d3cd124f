//! Appending: one transaction per batch, every event judged by the procedural rules against
//! the latest state, idempotent by event id, chained by hash.

use crate::backend::{CheckpointRow, Db, DbError, Mode, OwnedRow, Tx, Value};
use crate::checkpoint::Checkpoints;
use crate::error::{LastEvent, Refusal, Result, StoreError};
use crate::read::{decode_raw, each_recorded, RawRow};
use crate::{row_hash, schema, Store};
use minutes_core::event::{schema_version, Event, EventKind, Recorded};
use minutes_core::id::{Clerk, EventId};
use minutes_core::ledger::{streams_read, Ledger};
use minutes_core::time::Timestamp;

/// How many documents' states a write keeps loaded before it forgets them (and reads any it
/// needs again from their checkpoints): bounds a large import's memory. Fewer than this and an
/// import of a record with thousands of documents spends its time reloading them.
const MAX_DOCUMENTS_LOADED: usize = 64;

/// As [`MAX_DOCUMENTS_LOADED`], for meetings: a meeting's state grows with its sessions,
/// actors and proposals, and a record of a thousand meetings would keep them all.
const MAX_MEETINGS_LOADED: usize = 16;

/// How many rows a write holds back to send in one statement (PostgreSQL): a round trip for
/// many, with the rows' memory bounded on a large import.
const PENDING_ROWS: usize = 256;

/// What an import of a stream of events did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    /// Events written.
    pub appended: u64,
    /// Events the log held already (retries): nothing written for them.
    pub existed: u64,
}

/// Why an import stopped: the caller's input failed, or the store refused or failed.
#[derive(Debug)]
pub enum ImportError<E> {
    /// The input could not be read or decoded.
    Input(E),
    /// The store refused an event, or failed.
    Store(StoreError),
}

impl<E> From<StoreError> for ImportError<E> {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl<E: std::fmt::Display> std::fmt::Display for ImportError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Input(e) => write!(f, "{e}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for ImportError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Input(e) => Some(e),
            Self::Store(e) => Some(e),
        }
    }
}

/// What became of one appended event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Its place in the log.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// Its position in its stream.
    pub version: u64,
    /// True when the log held it already (a retry): nothing was written for it.
    pub existed: bool,
}

impl Store {
    /// Appends `events` in one transaction, all or nothing. Each is judged by the procedural
    /// rules as if appended alone, in order; an event whose id the log holds with the same
    /// content is a no-op. With `expected`, every event's stream must still be at that version
    /// (use it with one event). `now` stamps events without `recorded_at`, the store's clerk
    /// ([`Store::set_clerk`]) those without `recorded_by`. Returns after the commit is durable.
    pub fn append(
        &mut self,
        events: &[Event],
        expected: Option<u64>,
        now: Timestamp,
    ) -> Result<Vec<Appended>> {
        let mut cache = self.ledger.take();
        loop {
            // `None` only from a cached state another writer overtook; the second time round
            // there is no cache, so the loop ends.
            if let Some(out) = self.append_from(events, expected, now, cache.take())? {
                return Ok(out);
            }
        }
    }

    /// One attempt of [`Store::append`] from `cache`; `None` (nothing written) when the cache
    /// proved overtaken by another writer.
    fn append_from(
        &mut self,
        events: &[Event],
        expected: Option<u64>,
        now: Timestamp,
        cache: Option<Primed>,
    ) -> Result<Option<Vec<Appended>>> {
        let tx = Tx::begin(&self.db, Mode::Append)?;
        let db = tx.db();
        let mut batch = Batch::start(db, cache)?;
        batch.checkpoints.key.clone_from(&self.snapshot_key);
        batch.check_ids(db, events.iter().map(|e| &e.id))?;
        let mut out = Vec::with_capacity(events.len());
        for (index, e) in events.iter().enumerate() {
            match batch.add(db, index, Given::Borrowed(e), expected, now, self.clerk.as_ref()) {
                Ok(a) => out.push(a),
                Err(err) if batch.overtaken(db, &err)? => return Ok(None),
                Err(err) => return Err(err),
            }
        }
        match batch.finish(db) {
            Err(err) if batch.overtaken(db, &err)? => return Ok(None),
            r => r?,
        }
        tx.commit()?;
        self.ledger = Some(batch.into_primed(&self.db));
        Ok(Some(out))
    }

    /// Appends the events `next` yields, in one transaction, all or nothing, without holding
    /// them: memory stays flat however many there are. `next` returns `None` at the end, or an
    /// error of the caller's that abandons the import. A refused event is named by its 0-based
    /// index in the order `next` yielded it.
    ///
    /// `next` runs on a thread of its own, a bounded queue ahead of the transaction: while one
    /// core reads, decodes and writes the canonical form of the next events, the other judges,
    /// folds and inserts (an import is CPU-bound on both sides).
    pub fn import<E: Send>(
        &mut self,
        mut next: impl FnMut() -> Option<std::result::Result<Event, E>> + Send,
        now: Timestamp,
    ) -> std::result::Result<Imported, ImportError<E>> {
        // SQLite's default page cache: a larger one spills fewer index pages of the one
        // transaction to the log, but an import's memory is bounded by the baseline's
        // (BENCHMARKS.md, issue 16), and one transaction already writes each page once.
        self.ledger = None;
        let tx = Tx::begin(&self.db, Mode::Append).map_err(StoreError::from)?;
        let db = tx.db();
        let mut batch = Batch::start(db, None)?;
        batch.checkpoints.key.clone_from(&self.snapshot_key);
        let clerk = self.clerk.clone();
        let done = std::thread::scope(|scope| {
            // Chunks of events rather than single ones: fewer wake-ups of either thread.
            let (ahead, queue) = std::sync::mpsc::sync_channel(IMPORT_AHEAD / IMPORT_CHUNK);
            let clerk = clerk.as_ref();
            scope.spawn(move || {
                let mut chunk = Vec::with_capacity(IMPORT_CHUNK);
                while let Some(item) = next() {
                    match item {
                        Ok(e) => chunk.push(Ready::new(e, now, clerk)),
                        Err(e) => {
                            // The events before it first: they are judged (and named) first.
                            let _ = ahead.send(Ok(std::mem::take(&mut chunk)));
                            let _ = ahead.send(Err(e));
                            return;
                        }
                    }
                    // A closed queue: the transaction stopped at a refused event.
                    if chunk.len() == IMPORT_CHUNK
                        && ahead
                            .send(Ok(std::mem::replace(&mut chunk, Vec::with_capacity(IMPORT_CHUNK))))
                            .is_err()
                    {
                        return;
                    }
                }
                let _ = ahead.send(Ok(chunk));
            });
            let mut done = Imported::default();
            let mut index = 0;
            // Returning drops the queue, which stops the reader before the scope joins it.
            for chunk in queue {
                let chunk = chunk.map_err(ImportError::Input)?;
                batch.check_ids(db, chunk.iter().map(|r| &r.event.id))?;
                for ready in chunk {
                    let a = batch.add(db, index, Given::Ready(ready), None, now, clerk)?;
                    if a.existed {
                        done.existed += 1;
                    } else {
                        done.appended += 1;
                    }
                    index += 1;
                }
            }
            Ok::<_, ImportError<E>>(done)
        })?;
        batch.finish(db)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(done)
    }

    /// Appends each event on its own terms but in one transaction (group commit): an event the
    /// rules refuse, or whose stream is not at its expected version, fails alone; the others
    /// are committed together. An error of the database itself fails the whole group.
    pub fn append_each(
        &mut self,
        items: &[(Event, Option<u64>)],
        now: Timestamp,
    ) -> Result<Vec<Result<Appended>>> {
        // From, and leaving, this connection's state of its last write, as `append` does.
        let mut primed = self.ledger.take();
        let out = self.append_each_primed(items, now, &mut primed, None);
        self.ledger = primed;
        out
    }

    /// As [`Store::append_each`], but starting from the latest states a previous call left in
    /// `primed`, if the log has not moved since (its head is still the row it recorded), and
    /// leaving them there after the commit: the group-commit writer keeps the streams it has
    /// loaded instead of reading and folding them again for every transaction. Anything else
    /// (another writer appended, a failed transaction) drops them. With `kept`, the events
    /// written are put there once committed, in log order, as the log holds them (stamped, with
    /// their seq, version and hash).
    pub(crate) fn append_each_primed(
        &mut self,
        items: &[(Event, Option<u64>)],
        now: Timestamp,
        primed: &mut Option<Primed>,
        mut kept: Option<&mut Vec<Recorded>>,
    ) -> Result<Vec<Result<Appended>>> {
        let mut cached = primed.take();
        // The ids are taken as free at first; an attempt made again looks them up.
        let mut look_up_ids = false;
        loop {
            // As in `append`: `None` only from a cache another writer overtook, or an id taken
            // as free that the log held.
            if let Some(out) =
                self.append_each_from(items, now, cached.take(), primed, look_up_ids, kept.as_deref_mut())?
            {
                return Ok(out);
            }
            look_up_ids = true;
        }
    }

    /// One attempt of [`Store::append_each_primed`] from `cached`; `None` (nothing written)
    /// when the cache proved overtaken by another writer.
    fn append_each_from(
        &mut self,
        items: &[(Event, Option<u64>)],
        now: Timestamp,
        cached: Option<Primed>,
        primed: &mut Option<Primed>,
        look_up_ids: bool,
        kept: Option<&mut Vec<Recorded>>,
    ) -> Result<Option<Vec<Result<Appended>>>> {
        let tx = Tx::begin(&self.db, Mode::Append)?;
        let db = tx.db();
        let mut batch = Batch::start(db, cached)?;
        if kept.is_some() {
            batch.kept = Some(Vec::new());
        }
        batch.checkpoints.key.clone_from(&self.snapshot_key);
        let ids = items.iter().map(|(e, _)| &e.id);
        if look_up_ids {
            batch.check_ids(db, ids)?;
        } else {
            batch.assume_free(db, ids);
        }
        let mut out = Vec::with_capacity(items.len());
        for (index, (e, expected)) in items.iter().enumerate() {
            match batch.add(db, index, Given::Borrowed(e), *expected, now, self.clerk.as_ref()) {
                Ok(a) => out.push(Ok(a)),
                Err(err @ (StoreError::Refused { .. } | StoreError::Stale { .. })) => out.push(Err(err)),
                Err(err) if batch.overtaken(db, &err)? => return Ok(None),
                Err(other) => return Err(other),
            }
        }
        // A refusal judged by a trusted state stands only if nobody has appended since.
        if let Some(Err(refusal)) = out.iter().find(|r| r.is_err()) {
            if batch.overtaken(db, refusal)? {
                return Ok(None);
            }
        }
        match batch.finish(db) {
            Err(err) if batch.overtaken(db, &err)? => return Ok(None),
            r => r?,
        }
        tx.commit()?;
        if let (Some(to), Some(written)) = (kept, batch.kept.take()) {
            *to = written;
        }
        *primed = Some(batch.into_primed(&self.db));
        Ok(Some(out))
    }
}

/// How many decoded events an import's reader may run ahead of its transaction: enough to keep
/// both sides busy, few enough to keep memory flat.
const IMPORT_AHEAD: usize = 256;

/// How many events an import's reader hands over at a time.
const IMPORT_CHUNK: usize = 64;

/// An event an import's reader made ready for the transaction: stamped where it had no
/// `recorded_at` or `recorded_by`, and its canonical payload written.
struct Ready {
    event: Event,
    stamped: Stamped,
    payload: String,
}

impl Ready {
    fn new(mut event: Event, now: Timestamp, clerk: Option<&Clerk>) -> Self {
        let stamped = Stamped::of(&event);
        stamp(&mut event, now, clerk);
        let payload = event.to_json();
        Self { event, stamped, payload }
    }
}

/// An event to add: borrowed from an append's slice (copied only to be written), or made ready
/// by an import's reader (never copied).
// Passed by value to one call for each event: boxing the large variant would cost an
// allocation an event on the import's critical path.
#[allow(clippy::large_enum_variant)]
enum Given<'a> {
    Borrowed(&'a Event),
    Ready(Ready),
}

/// Stamps `e` with `now` and `clerk` where it has no `recorded_at` or `recorded_by`.
fn stamp(e: &mut Event, now: Timestamp, clerk: Option<&Clerk>) {
    e.recorded_at.get_or_insert(now);
    if e.recorded_by.is_none() {
        e.recorded_by = clerk.cloned();
    }
}

/// What a connection's last write left: the chain's head, the latest states of the streams it
/// loaded, and SQLite's `data_version` as it stood, which tells the next write whether any
/// other connection has committed since.
pub(crate) struct Primed {
    seq: u64,
    prev: String,
    data_version: i64,
    ledger: Ledger,
    checkpoints: Checkpoints,
}

/// The state of one write transaction: where the chain continues, the streams loaded, and the
/// events already added.
struct Batch {
    seq: u64,
    prev: String,
    data_version: i64,
    ledger: Ledger,
    checkpoints: Checkpoints,
    /// Started from a previous write's state without reading the head (PostgreSQL): correct
    /// unless another writer has appended since, which [`Batch::overtaken`] tells.
    trusted: bool,
    /// An insert clashed with a row another writer appended since this state was read.
    moved: bool,
    /// The events' ids were taken as free without a look ([`Batch::assume_free`]) ...
    assumed: bool,
    /// ... and the log held one of them: the write must be made again with them looked up.
    held_assumed: bool,
    /// Ids checked absent from the log ([`Batch::check_ids`]) and not yet written: the rows of
    /// such events wait in `pending` and go in one statement.
    free: std::collections::HashSet<EventId>,
    /// Rows judged and chained but not yet sent: sent before anything reads the log in this
    /// transaction, when [`PENDING_ROWS`] wait, and before the commit.
    pending: Vec<OwnedRow>,
    /// When asked for ([`Store::append_each_primed`]), each event written, as the log now
    /// holds it: handed over once the transaction commits, so that a reader kept in memory
    /// need not read and decode the rows back.
    kept: Option<Vec<Recorded>>,
}

impl Batch {
    /// Starts at the log's head, reusing what a previous write of this connection left
    /// (`cache`): as it is when no other connection has committed since (SQLite's
    /// `data_version` is unchanged; under the write lock nobody can commit meanwhile), else
    /// after folding in whatever the others appended.
    ///
    /// On PostgreSQL the head is a round trip (SQLite's `data_version` is not), so a cached
    /// state is trusted without one: seqs follow each other without gaps, so if anyone else
    /// has appended since, the row at this state's head + 1 exists and the first insert
    /// clashes with it; a refusal, which inserts nothing, reads the head before it stands
    /// ([`Batch::overtaken`]). Either way the write is rolled back and judged again from the
    /// log as it is.
    fn start(db: &Db, cache: Option<Primed>) -> Result<Self> {
        // PostgreSQL's token is the head, read below when there is no state to trust.
        let data_version = if db.is_postgres() { 0 } else { db.change_token()? };
        let cache = match cache {
            Some(mut p) if db.is_postgres() || p.data_version == data_version => {
                p.checkpoints.new_transaction();
                return Ok(Self::new(p, db.is_postgres()));
            }
            other => other,
        };
        let (seq, prev) = db
            .query_opt::<(i64, String)>(schema::HEAD, &[])?
            .map(|(s, h)| (s as u64, h))
            .unwrap_or((0, String::new()));
        let (ledger, checkpoints) = match cache {
            Some(Primed { seq: at, mut ledger, mut checkpoints, .. }) if at <= seq => {
                checkpoints.new_transaction();
                if at < seq {
                    each_recorded(db, &schema::after(), &[Value::Int(at as i64)], |r| {
                        checkpoints.observe(&r);
                        ledger.extend(&r);
                        Ok(true)
                    })?;
                }
                (ledger, checkpoints)
            }
            _ => (Ledger::new(), Checkpoints::default()),
        };
        Ok(Self::new(Primed { seq, prev, data_version, ledger, checkpoints }, false))
    }

    /// A write continuing the chain where `from` leaves it, nothing added yet.
    fn new(from: Primed, trusted: bool) -> Self {
        let Primed { seq, prev, data_version, ledger, checkpoints } = from;
        Self {
            seq,
            prev,
            data_version,
            ledger,
            checkpoints,
            trusted,
            moved: false,
            assumed: false,
            held_assumed: false,
            free: Default::default(),
            pending: Vec::new(),
            kept: None,
        }
    }

    /// Whether this write judged by a trusted state that another writer has overtaken, so that
    /// `err` (what the write met) may not be the log's answer: an insert clashed with the
    /// other's row, or a refusal was reached and the head has moved since. The write must then
    /// be rolled back and made again from the log as it is. So too when an id taken as free
    /// ([`Batch::assume_free`]) was held by the log.
    fn overtaken(&self, db: &Db, err: &StoreError) -> Result<bool> {
        if self.held_assumed {
            return Ok(true);
        }
        if !self.trusted {
            return Ok(false);
        }
        if self.moved {
            return Ok(true);
        }
        if !matches!(err, StoreError::Refused { .. } | StoreError::Stale { .. }) {
            return Ok(false);
        }
        Ok(db.change_token()? != self.data_version)
    }

    /// What the next write of this connection starts from, once this one is committed (a
    /// connection's own commits leave SQLite's `data_version` as it was; PostgreSQL's token is
    /// the head this write left).
    fn into_primed(self, db: &Db) -> Primed {
        Primed {
            seq: self.seq,
            prev: self.prev,
            data_version: db.token_after(self.data_version, self.seq),
            ledger: self.ledger,
            checkpoints: self.checkpoints,
        }
    }

    /// Before the commit: sends the rows waiting and stores the checkpoints that are due, in
    /// this transaction.
    fn finish(&mut self, db: &Db) -> Result<()> {
        let due = self.checkpoints.due(db, &self.ledger)?;
        self.send(db, &due)?;
        self.checkpoints.stored(due);
        Ok(())
    }

    /// Whether the ids of a write of `n` events are worth settling before the events are
    /// added: on PostgreSQL, for two or more, whose rows can then wait and go in one statement
    /// (their clash on the id ruled out: appends are serialised by the chain's lock, so nobody
    /// else can take one meanwhile). Not for one event, whose insert finds a clash itself in
    /// the round trip a look would cost, nor on SQLite, whose inserts find theirs as cheaply.
    fn rows_together(db: &Db, n: usize) -> bool {
        db.is_postgres() && n >= 2
    }

    /// Looks up, in one statement, which of `ids` (of the events about to be added) the log
    /// holds; the others' rows go together (see [`Batch::rows_together`]).
    fn check_ids<'e>(&mut self, db: &Db, ids: impl ExactSizeIterator<Item = &'e EventId>) -> Result<()> {
        if !Self::rows_together(db, ids.len()) {
            return Ok(());
        }
        let ids: Vec<EventId> = ids.copied().collect();
        let texts: Vec<String> = ids.iter().map(EventId::to_string).collect();
        let Some(held) = db.ids_held(&texts)? else { return Ok(()) };
        for (id, text) in ids.into_iter().zip(&texts) {
            if !held.contains(text) {
                self.free.insert(id);
            }
        }
        Ok(())
    }

    /// Takes `ids` as free without looking them up, sparing the write a round trip: for the
    /// Writer's groups, whose events are new but for a rare retry. If the log holds one, the
    /// rows' statement clashes on it, and the write is rolled back and made again with its ids
    /// looked up ([`Batch::check_ids`]; see [`Batch::overtaken`]).
    fn assume_free<'e>(&mut self, db: &Db, ids: impl ExactSizeIterator<Item = &'e EventId>) {
        if Self::rows_together(db, ids.len()) {
            self.free.extend(ids.copied());
            self.assumed = true;
        }
    }

    /// Sends the rows waiting, in one statement.
    fn flush(&mut self, db: &Db) -> Result<()> {
        self.send(db, &[])
    }

    /// Sends the rows waiting and `checkpoints`, in one statement (on PostgreSQL: one round
    /// trip). A clash with another writer's row (a trusted state overtaken) marks this write
    /// as moved.
    fn send(&mut self, db: &Db, checkpoints: &[CheckpointRow]) -> Result<()> {
        if self.pending.is_empty() && checkpoints.is_empty() {
            return Ok(());
        }
        match db.insert_events(&self.pending, checkpoints) {
            Ok(()) => {
                self.pending.clear();
                Ok(())
            }
            Err(DbError::RowTaken) if self.trusted => {
                self.moved = true;
                Err(DbError::RowTaken.into())
            }
            Err(DbError::IdTaken) if self.assumed => {
                self.held_assumed = true;
                Err(DbError::IdTaken.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Judges and inserts one event; nothing is changed when it is refused. `now` and `clerk`
    /// stamp `recorded_at` and `recorded_by` where the event has none.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        db: &Db,
        index: usize,
        given: Given<'_>,
        expected: Option<u64>,
        now: Timestamp,
        clerk: Option<&Clerk>,
    ) -> Result<Appended> {
        let (input, stamped): (&Event, Stamped) = match &given {
            Given::Borrowed(e) => (e, Stamped::of(e)),
            Given::Ready(r) => (&r.event, r.stamped),
        };
        let id = input.id;
        let refused = |refusal: Refusal| StoreError::Refused { index, id, refusal };
        let read = streams_read(input);
        if read.iter().any(|s| !self.ledger.has_stream(s)) {
            // The log is read next: this transaction's rows first.
            self.flush(db)?;
            // Keep memory flat on a large import: forget the documents (and meetings) loaded
            // so far; any needed again is read back from this transaction's view of the log
            // (their checkpoints first stored, where due, so that none is folded from the
            // start). Forgotten before any stream of this event is loaded, so that none it
            // reads is forgotten between its loading and the rules.
            let (documents, meetings) = (self.ledger.documents_loaded(), self.ledger.meetings_loaded());
            if documents >= MAX_DOCUMENTS_LOADED || meetings >= MAX_MEETINGS_LOADED {
                self.checkpoints.store_due(db, &self.ledger)?;
            }
            if documents >= MAX_DOCUMENTS_LOADED {
                self.ledger.forget_documents();
                self.checkpoints.forget_documents();
            }
            if meetings >= MAX_MEETINGS_LOADED {
                self.ledger.forget_meetings();
                self.checkpoints.forget_meetings();
            }
            for stream in read {
                if !self.ledger.has_stream(stream) {
                    self.checkpoints.load(db, &mut self.ledger, stream)?;
                }
            }
        }
        // A retry of an event this connection knows is in its stream. Any other retry is found
        // by its id in the log when the event fails (stale, refused, or its id taken), which
        // spares the common case a lookup by id, and a stream loaded from its checkpoint an
        // index of all its ids.
        if self.ledger.stream_holds(input.stream(), &input.id) {
            return match self.retry(db, input, stamped).map_err(|e| relabel(e, index))? {
                Some(a) => Ok(a),
                None => Err(StoreError::Corrupt {
                    seq: self.seq,
                    error: minutes_core::event::DecodeError::Json(format!(
                        "event {id} is indexed but not in its stream"
                    )),
                }),
            };
        }
        let stream = input.stream().to_string();
        if let Some(want) = expected {
            let actual = self.ledger.version(&stream);
            if actual != want {
                if let Some(a) = self.retry(db, input, stamped).map_err(|e| relabel(e, index))? {
                    return Ok(a);
                }
                self.flush(db)?;
                let last = last_event(db, &stream)?;
                return Err(StoreError::Stale { stream, expected: want, actual, last });
            }
        }
        let (e, payload) = match given {
            Given::Borrowed(e) => {
                let mut e = e.clone();
                stamp(&mut e, now, clerk);
                (e, None)
            }
            Given::Ready(r) => (r.event, Some(r.payload)),
        };
        if let EventKind::EventCorrected(c) = &e.kind {
            // The rules ask whether the stream holds the event corrected, and whether it is a
            // correction itself: the log answers for a stream loaded from its checkpoint.
            if !self.ledger.stream_holds(&stream, &c.corrects) {
                self.flush(db)?;
                if let Some((in_stream, type_name)) = id_place(db, c.corrects)? {
                    if in_stream == stream {
                        self.ledger.note(&stream, c.corrects, type_name == "EventCorrected");
                    }
                }
            }
        }
        let version = match self.ledger.judge(&e) {
            Ok(v) => v,
            Err(r) => {
                if let Some(a) = self.retry(db, &e, stamped).map_err(|e| relabel(e, index))? {
                    return Ok(a);
                }
                return Err(refused(Refusal::Rule(r)));
            }
        };
        let seq = self.seq + 1;
        let payload = payload.unwrap_or_else(|| e.to_json());
        let hash = row_hash(&self.prev, seq, &stream, version, &payload);
        let utc = |t: Option<Timestamp>| {
            t.map(|t| t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        };
        let (id_text, from, to) = (e.id.to_string(), utc(e.occurred.from), utc(e.occurred.to));
        let recorded_at = utc(e.recorded_at).unwrap_or_default();
        let row = OwnedRow {
            seq: seq as i64,
            id: id_text,
            stream,
            version: version as i64,
            type_name: e.type_name().to_string(),
            v: i64::from(schema_version(e.type_name())),
            meeting: e.meeting.as_str().to_string(),
            occurred_from: from,
            occurred_to: to,
            recorded_at,
            payload,
            hash: hash.clone(),
        };
        let inserted = if self.free.remove(&e.id) {
            // Its id is free: the row waits to go with the others in one statement.
            self.pending.push(row);
            if self.pending.len() >= PENDING_ROWS {
                self.flush(db)?;
            }
            Ok(())
        } else {
            self.flush(db)?;
            db.insert_event(&row.borrowed())
        };
        match inserted {
            Ok(()) => {}
            Err(DbError::IdTaken) => {
                // The log holds this id: a retry in this stream, or an id taken in another.
                if let Some(a) = self.retry(db, &e, stamped).map_err(|e| relabel(e, index))? {
                    return Ok(a);
                }
                return Err(refused(Refusal::IdTaken(id)));
            }
            Err(DbError::RowTaken) if self.trusted => {
                self.moved = true;
                return Err(DbError::RowTaken.into());
            }
            Err(err) => return Err(err.into()),
        }
        // Written: only now folded into the latest state.
        self.ledger.record(&e, seq);
        self.checkpoints.observe_event(&e, seq);
        self.checkpoints.wrote(e.stream(), version, seq, &hash);
        self.seq = seq;
        let appended = Appended { seq, id: e.id, version, existed: false };
        if let Some(kept) = &mut self.kept {
            kept.push(Recorded { seq, version, hash: hash.clone(), event: e });
        }
        self.prev = hash;
        Ok(appended)
    }

    /// If the log holds `e`'s id in `e`'s stream, the event is a retry: a no-op when the content
    /// is the same (with the `recorded_at` and `recorded_by` stored, where the store `stamped`
    /// them), else refused (an event is never changed). `None` when the log does not hold the
    /// id in this stream.
    fn retry(&mut self, db: &Db, e: &Event, stamped: Stamped) -> Result<Option<Appended>> {
        self.flush(db)?;
        let Some((stored, appended)) = self.existing(db, e.id)? else { return Ok(None) };
        if stored.stream() != e.stream() {
            return Ok(None);
        }
        let same = if stamped.at || stamped.by {
            let mut mine = e.clone();
            if stamped.at {
                mine.recorded_at = stored.recorded_at;
            }
            if stamped.by {
                mine.recorded_by.clone_from(&stored.recorded_by);
            }
            mine == stored
        } else {
            *e == stored
        };
        if !same {
            return Err(StoreError::Refused { index: 0, id: e.id, refusal: Refusal::IdTaken(e.id) });
        }
        Ok(Some(Appended { existed: true, ..appended }))
    }

    fn existing(&self, db: &Db, id: EventId) -> Result<Option<(Event, Appended)>> {
        let row = db.query_opt::<RawRow>(&schema::by_id(), &[Value::Text(&id.to_string())])?;
        row.map(|r| {
            let r = decode_raw(r)?;
            Ok((r.event, Appended { seq: r.seq, id, version: r.version, existed: true }))
        })
        .transpose()
    }
}

/// A refusal of [`Batch::retry`] as the event at `index` of its batch.
fn relabel(e: StoreError, index: usize) -> StoreError {
    match e {
        StoreError::Refused { id, refusal, .. } => StoreError::Refused { index, id, refusal },
        other => other,
    }
}

/// Where the log holds an id: its stream and its type.
fn id_place(db: &Db, id: EventId) -> Result<Option<(String, String)>> {
    Ok(db.query_opt(schema::ID_PLACE, &[Value::Text(&id.to_string())])?)
}

/// The last event of a stream as this transaction sees it, for the words of a stale version.
fn last_event(db: &Db, stream: &str) -> Result<Option<LastEvent>> {
    let row = db.query_opt::<(i64, String, String)>(schema::STREAM_LAST, &[Value::Text(stream)])?;
    row.map(|(seq, id, type_name)| {
        let seq = seq as u64;
        let id = uuid::Uuid::parse_str(&id).map(EventId).map_err(|e| StoreError::Corrupt {
            seq,
            error: minutes_core::event::DecodeError::Json(format!("the id {id} is not an event id: {e}")),
        })?;
        Ok(LastEvent { seq, id, type_name })
    })
    .transpose()
}

/// Which of the fields the store stamps an input left out: a retry that left them out is the
/// same event as the one stored with them.
#[derive(Clone, Copy)]
struct Stamped {
    at: bool,
    by: bool,
}

impl Stamped {
    fn of(e: &Event) -> Self {
        Self { at: e.recorded_at.is_none(), by: e.recorded_by.is_none() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u32, ty: &str, doc: Option<&str>, data: &str) -> Event {
        let json = format!(
            r#"{{"id": "00000000-0000-4000-8000-{n:012}", "type": "{ty}", "v": 1, "meeting": "m", "document": {}, "body": null, "actors": [], "occurred": {{"from": "2030-03-02T10:00:00Z", "to": "2030-03-02T10:00:00Z"}}, {}"data": {data}}}"#,
            doc.map(|d| format!("\"m/{d}\"")).unwrap_or("null".into()),
            if ty == "MeetingDeclared" { "\"phase\": \"preparatory\", " } else { "" },
        );
        Event::from_json(&json).expect("test event parses")
    }

    fn now() -> Timestamp {
        chrono::DateTime::parse_from_rfc3339("2030-03-03T00:00:00Z").expect("time")
    }

    #[test]
    fn a_stale_version_names_the_version_found_and_the_streams_last_event() {
        let declared = r#"{"title": "M", "venue": "V", "time_zone": "UTC", "first_day": "2030-03-02", "last_day": "2030-03-02", "bodies": []}"#;
        let statement = r#"{"stance": "support", "summary": "s"}"#;
        let mut store = Store::memory().expect("store");
        store
            .append(
                &[
                    event(1, "MeetingDeclared", None, declared),
                    event(2, "DocumentTabled", Some("d"), r#"{"kind": "draft_opinion", "title": "D"}"#),
                    event(3, "StatementMade", Some("d"), statement),
                    event(4, "StatementMade", None, statement),
                ],
                None,
                now(),
            )
            .expect("appends");
        // Nobody else wrote: the writer's expectation was simply wrong.
        let err = store
            .append(&[event(5, "StatementMade", Some("d"), statement)], Some(1), now())
            .expect_err("stale");
        assert_eq!(
            err.to_string(),
            "m/d is at version 2, not 1: its last event is seq 3 StatementMade 00000000-0000-4000-8000-000000000003; read it again and retry"
        );
        let StoreError::Stale { last: Some(last), actual: 2, expected: 1, .. } = err else {
            panic!("stale: {err:?}")
        };
        assert_eq!((last.seq, last.type_name.as_str()), (3, "StatementMade"));
        // A stream that holds nothing yet.
        let err = store
            .append(
                &[event(6, "DocumentTabled", Some("e"), r#"{"kind": "draft_opinion", "title": "E"}"#)],
                Some(11),
                now(),
            )
            .expect_err("stale");
        assert_eq!(err.to_string(), "m/e holds no events yet (version 0), not 11; read it again and retry");
        assert!(matches!(err, StoreError::Stale { last: None, actual: 0, .. }));
    }
}
