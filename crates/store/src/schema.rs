//! The schema: one append-only `events` table, guarded by triggers. Every other table is derived
//! and can be dropped and rebuilt from `events`.

/// Marks a SQLite file as a minutes store (`PRAGMA application_id`, "MINU").
pub const APPLICATION_ID: i64 = 0x4D49_4E55;

/// The schema version this program writes (`PRAGMA user_version`). Every change of what a
/// store holds bumps it, with its step in `upgrade.rs`:
/// 1. the `events` table (and, derived, snapshots and checkpoints without bindings);
/// 2. derived snapshots and checkpoints bound to the log, digested and optionally signed;
/// 3. the analysts' views `timeline`, `amendments` and `documents` (derived, droppable).
pub const SCHEMA_VERSION: i64 = 3;

/// The analysts' views over `events`, derived like every other non-log object (dropped and
/// made again at will): each reads only the events no `EventCorrected` withdrew.
/// - `timeline`: one row an event, with the local times the record gives (the offset of the
///   event's own times), the window's certainty, body, actors, amendment and source;
/// - `amendments`: one row an amendment, with its proposers and its current fate;
/// - `documents`: one row a document, with its kind, title, latest symbol, status (the fold's
///   rule: a body taking up an endorsed draft leaves it endorsed), stream version and the
///   number of its pending amendments.
macro_rules! views {
    () => {
        "
DROP VIEW IF EXISTS timeline;
DROP VIEW IF EXISTS amendments;
DROP VIEW IF EXISTS documents;
CREATE VIEW timeline AS
SELECT e.seq, e.id, e.meeting, json_extract(e.payload, '$.document') AS document, e.type,
       json_extract(e.payload, '$.body') AS body,
       json_extract(e.payload, '$.actors') AS actors,
       replace(substr(json_extract(e.payload, '$.occurred.from'), 1, 16), 'T', ' ') AS local_from,
       replace(substr(json_extract(e.payload, '$.occurred.to'), 1, 16), 'T', ' ') AS local_to,
       json_extract(e.payload, '$.occurred.from') AS occurred_from,
       json_extract(e.payload, '$.occurred.to') AS occurred_to,
       CASE WHEN e.occurred_from = e.occurred_to THEN 'exact'
            WHEN e.occurred_from IS NOT NULL AND e.occurred_to IS NOT NULL THEN 'window'
            ELSE 'open' END AS certainty,
       json_extract(e.payload, '$.data.amendment') AS amendment,
       json_extract(e.payload, '$.data.summary') AS summary,
       json_extract(e.payload, '$.source.file') AS source_file,
       json_extract(e.payload, '$.source.section') AS source_section,
       json_extract(e.payload, '$.source.quote') AS source_quote,
       e.recorded_at,
       row_number() OVER (PARTITION BY e.meeting ORDER BY e.occurred_from, e.seq) AS replay_order
FROM events e
WHERE e.id NOT IN (SELECT json_extract(c.payload, '$.data.corrects') FROM events c WHERE c.type = 'EventCorrected');
CREATE VIEW amendments AS
WITH eff AS (
  SELECT * FROM events
  WHERE id NOT IN (SELECT json_extract(c.payload, '$.data.corrects') FROM events c WHERE c.type = 'EventCorrected')
), fates AS (
  SELECT stream, json_extract(payload, '$.data.amendment') AS amendment, type, id, occurred_from, occurred_to,
         json_extract(payload, '$.data.decided_by') AS decided_by,
         row_number() OVER (PARTITION BY stream, json_extract(payload, '$.data.amendment')
                            ORDER BY occurred_from DESC, seq DESC) AS latest
  FROM eff
  WHERE type IN ('AmendmentWithdrawn', 'AmendmentReferredToReport', 'AmendmentAccepted', 'AmendmentRejected',
                 'AmendmentTransferred', 'AmendmentSuperseded')
)
SELECT p.meeting, p.stream AS document, json_extract(p.payload, '$.data.amendment') AS amendment,
       json_extract(p.payload, '$.actors') AS proposed_by,
       json_extract(p.payload, '$.body') AS body,
       json_extract(p.payload, '$.data.summary') AS summary,
       json_extract(p.payload, '$.data.wording_known') AS wording_known,
       json_extract(p.payload, '$.occurred.from') AS proposed_from,
       json_extract(p.payload, '$.occurred.to') AS proposed_to,
       CASE f.type WHEN 'AmendmentWithdrawn' THEN 'withdrawn'
                   WHEN 'AmendmentReferredToReport' THEN 'referred_to_report'
                   WHEN 'AmendmentAccepted' THEN 'accepted'
                   WHEN 'AmendmentRejected' THEN 'rejected'
                   WHEN 'AmendmentTransferred' THEN 'transferred'
                   WHEN 'AmendmentSuperseded' THEN 'superseded'
                   ELSE 'pending' END AS status,
       f.decided_by, f.occurred_from AS decided_from_utc, f.occurred_to AS decided_to_utc,
       p.id AS proposal_id, f.id AS decision_id,
       json_extract(p.payload, '$.source.file') AS source_file,
       json_extract(p.payload, '$.source.quote') AS source_quote
FROM eff p
LEFT JOIN fates f ON f.stream = p.stream AND f.amendment = json_extract(p.payload, '$.data.amendment') AND f.latest = 1
WHERE p.type = 'AmendmentProposed';
CREATE VIEW documents AS
WITH eff AS (
  SELECT * FROM events
  WHERE id NOT IN (SELECT json_extract(c.payload, '$.data.corrects') FROM events c WHERE c.type = 'EventCorrected')
), tabled AS (
  SELECT *, row_number() OVER (PARTITION BY stream ORDER BY occurred_from, seq) AS first FROM eff WHERE type = 'DocumentTabled'
), steps AS (
  SELECT stream, type,
         row_number() OVER (PARTITION BY stream ORDER BY occurred_from DESC, seq DESC) AS latest,
         row_number() OVER (PARTITION BY stream, type IN ('DocumentReferred', 'ItemTakenUp')
                            ORDER BY occurred_from DESC, seq DESC) AS latest_of_kind
  FROM eff
  WHERE type IN ('DocumentTabled', 'DocumentReferred', 'ItemTakenUp', 'DraftEndorsed', 'DraftNotEndorsed',
                 'DraftAdopted', 'DocumentWithdrawn')
)
SELECT t.stream AS name, t.meeting,
       json_extract(t.payload, '$.data.kind') AS kind,
       json_extract(t.payload, '$.data.title') AS title,
       COALESCE((SELECT json_extract(r.payload, '$.data.symbol') FROM eff r
                 WHERE r.stream = t.stream AND r.type = 'DocumentRevised' AND json_extract(r.payload, '$.data.symbol') IS NOT NULL
                 ORDER BY r.occurred_from DESC, r.seq DESC LIMIT 1),
                json_extract(t.payload, '$.data.symbol')) AS symbol,
       CASE l.type
         WHEN 'DocumentTabled' THEN 'tabled'
         WHEN 'DraftEndorsed' THEN 'endorsed'
         WHEN 'DraftNotEndorsed' THEN 'not_endorsed'
         WHEN 'DraftAdopted' THEN 'adopted'
         WHEN 'DocumentWithdrawn' THEN 'withdrawn'
         ELSE CASE (SELECT s.type FROM steps s WHERE s.stream = t.stream
                    AND s.type NOT IN ('DocumentReferred', 'ItemTakenUp') AND s.latest_of_kind = 1)
              WHEN 'DraftEndorsed' THEN 'endorsed' ELSE 'under_consideration' END
       END AS status,
       (SELECT MAX(v.version) FROM events v WHERE v.stream = t.stream) AS version,
       (SELECT COUNT(*) FROM amendments a WHERE a.document = t.stream AND a.status = 'pending') AS pending,
       json_extract(t.payload, '$.occurred.to') AS tabled_by
FROM tabled t
JOIN steps l ON l.stream = t.stream AND l.latest = 1
WHERE t.first = 1;
"
    };
}

/// Creates the schema in an empty database.
pub const CREATE: &str = concat!(
    "
PRAGMA application_id = 1296649813;
PRAGMA user_version = 3;
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY,   -- order of appending, from 1, no gaps
    id            TEXT    NOT NULL UNIQUE,
    stream        TEXT    NOT NULL,      -- the document's name, or the meeting id
    version       INTEGER NOT NULL,      -- position in the stream, from 1
    type          TEXT    NOT NULL,
    v             INTEGER NOT NULL,      -- schema version of the type
    meeting       TEXT    NOT NULL,
    occurred_from TEXT,                  -- UTC, RFC 3339; null when open
    occurred_to   TEXT,
    recorded_at   TEXT    NOT NULL,
    payload       TEXT    NOT NULL,      -- the event as JSON: the bytes the hash covers
    hash          TEXT    NOT NULL,      -- sha256 over the previous hash and this row, hex
    UNIQUE (stream, version)
);
CREATE INDEX events_by_meeting ON events (meeting, seq);
CREATE TRIGGER events_never_updated BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: a row is never updated; record a correction instead'); END;
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: a row is never deleted'); END;
",
    views!()
);

/// Connection settings: WAL, and durable commits (an append is acknowledged only after its
/// commit is on disk).
pub const PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
";

/// Appends one row.
pub const INSERT: &str = "INSERT INTO events
    (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// The last row's seq and hash: where the chain continues.
pub const HEAD: &str = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1";

/// A number that changes when another connection commits (SQLite's `data_version`).
pub const DATA_VERSION: &str = "PRAGMA data_version";

/// The columns every read selects, in this order.
const COLUMNS: &str = "seq, version, hash, payload";

/// One event by id.
pub fn by_id() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE id = ?1")
}

/// A stream's events in order.
pub fn stream() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE stream = ?1 ORDER BY version")
}

/// The events appended after a seq, in order.
pub fn after() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq")
}

/// At most ?2 events appended after a seq, in order (a live feed's next page).
pub fn after_limit() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")
}

/// The last row's seq (0 for an empty log).
pub const HEAD_SEQ: &str = "SELECT COALESCE(MAX(seq), 0) FROM events";

/// A meeting's events in appending order.
pub fn meeting() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE meeting = ?1 ORDER BY seq")
}

/// The events that name documents (tabling and revisions), for finding one by symbol.
pub fn document_namings() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE type IN ('DocumentTabled', 'DocumentRevised') ORDER BY seq")
}

/// Every row in order, with all columns, for verify.
pub const ALL_ROWS: &str = "SELECT seq, id, stream, version, type, v, meeting, occurred_from, occurred_to,
    recorded_at, payload, hash FROM events ORDER BY seq";

/// As [`ALL_ROWS`], a page at a time: at most ?2 rows after seq ?1.
pub const ALL_ROWS_AFTER: &str =
    "SELECT seq, id, stream, version, type, v, meeting, occurred_from, occurred_to,
    recorded_at, payload, hash FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

/// A stream's version.
pub const STREAM_VERSION: &str = "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?1";

/// A stream's last event: its seq, id and type, through the `(stream, version)` index.
pub const STREAM_LAST: &str =
    "SELECT seq, id, type FROM events WHERE stream = ?1 ORDER BY version DESC LIMIT 1";

/// Whether a hash is in the log, and where.
pub const FIND_HASH: &str = "SELECT seq FROM events WHERE hash = ?1";

/// How many events the log holds.
pub const COUNT: &str = "SELECT COUNT(*) FROM events";

/// The meetings in the log.
pub const MEETINGS: &str = "SELECT DISTINCT meeting FROM events ORDER BY meeting";

/// A stream's events that can matter to its state at a moment: those whose window starts by
/// then (`?2` is an upper bound, RFC 3339 UTC; open starts count) and every correction, read
/// through the `(stream, version)` index.
pub fn stream_until() -> String {
    format!(
        "SELECT {COLUMNS} FROM events WHERE stream = ?1
            AND (occurred_from IS NULL OR occurred_from <= ?2 OR type = 'EventCorrected') ORDER BY version"
    )
}

/// The derived table of document snapshots (see `snapshot.rs`): dropped and rebuilt from
/// `events` at will, never trusted over them.
pub const SNAPSHOTS_CREATE: &str = "
CREATE TABLE IF NOT EXISTS document_snapshots (
    id        INTEGER PRIMARY KEY,
    stream    TEXT    NOT NULL,
    through   INTEGER NOT NULL,   -- the state folds the stream's versions 1..=through
    max_to    TEXT    NOT NULL,   -- the latest end of their windows, UTC, fixed width
    last_from TEXT,               -- the replay key of the last event folded: its window's start
    last_seq  INTEGER NOT NULL,   -- (UTC, fixed width; null when open) and its seq
    state     TEXT    NOT NULL,   -- the folded state, JSON (kilobytes: read only when used)
    bound_seq INTEGER NOT NULL,   -- the binding to the log: the seq and chain hash of the
    bound_hash TEXT   NOT NULL,   -- stream's row at version `through`
    digest    TEXT    NOT NULL,   -- sha256 over the snapshot's own columns, hex
    mac       TEXT                -- HMAC-SHA256 of the same under a key kept outside the store
);
CREATE UNIQUE INDEX IF NOT EXISTS document_snapshots_by_stream
    ON document_snapshots (stream, through, max_to, last_from, last_seq)";

/// Drops the snapshots.
pub const SNAPSHOTS_DROP: &str = "DROP TABLE IF EXISTS document_snapshots";

/// Drops one stream's snapshots, before they are built again.
pub const SNAPSHOTS_DELETE_STREAM: &str = "DELETE FROM document_snapshots WHERE stream = ?1";

/// Stores one snapshot.
pub const SNAPSHOT_INSERT: &str = "INSERT INTO document_snapshots
    (stream, through, max_to, last_from, last_seq, state, bound_seq, bound_hash, digest, mac)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// The largest snapshot of a stream whose events had all certainly happened by a moment: its
/// id, how far it folds and its last event's replay key, from the index alone.
pub const SNAPSHOT_AT: &str = "SELECT id, through, last_from, last_seq FROM document_snapshots
    WHERE stream = ?1 AND max_to <= ?2 ORDER BY through DESC LIMIT 1";

/// The columns of a snapshot, in the order `snapshot::Stored` reads them.
const SNAPSHOT_COLUMNS: &str =
    "id, stream, through, max_to, last_from, last_seq, state, bound_seq, bound_hash, digest, mac";

/// A snapshot, all its columns.
pub fn snapshot_by_id() -> String {
    format!("SELECT {SNAPSHOT_COLUMNS} FROM document_snapshots WHERE id = ?1")
}

/// Every snapshot, all its columns, for verify.
pub fn snapshots_all() -> String {
    format!("SELECT {SNAPSHOT_COLUMNS} FROM document_snapshots ORDER BY stream, through")
}

/// Whether the snapshots table has the current shape (a query that fails on an older one).
pub const SNAPSHOTS_SHAPE: &str = "SELECT digest, mac, bound_seq, bound_hash FROM document_snapshots LIMIT 0";

/// The documents' streams, from their tablings.
pub const DOCUMENT_STREAMS: &str = "SELECT stream FROM events WHERE type = 'DocumentTabled' ORDER BY seq";

/// As [`stream_until`], only past a version (`?3`): the rows a snapshot does not cover.
pub fn stream_until_after() -> String {
    format!(
        "SELECT {COLUMNS} FROM events WHERE stream = ?1 AND version > ?3
            AND (occurred_from IS NULL OR occurred_from <= ?2 OR type = 'EventCorrected') ORDER BY version"
    )
}

/// The derived table of stream checkpoints (see `checkpoint.rs`): each stream's latest state as
/// the write path judges against it, bound to the row it folds through. Dropped and rebuilt
/// from `events` at will, and never trusted over them.
pub const CHECKPOINTS_CREATE: &str = "
CREATE TABLE IF NOT EXISTS stream_checkpoints (
    stream      TEXT    PRIMARY KEY,
    version     INTEGER NOT NULL,   -- the state folds the stream's versions 1..=version
    seq         INTEGER NOT NULL,   -- the seq and hash of the stream's row at that version:
    hash        TEXT    NOT NULL,   -- the checkpoint is used only while the log holds that row
    format      INTEGER NOT NULL,   -- the shape of state; another is passed over
    corrections TEXT    NOT NULL,   -- JSON: [the stream's corrections, the events they withdrew]
    state       TEXT    NOT NULL,   -- JSON: a document's state, or the seqs that shape a meeting's
    digest      TEXT    NOT NULL,   -- sha256 over the checkpoint's own columns, hex
    mac         TEXT                -- HMAC-SHA256 of the same under the snapshot key, if any
) WITHOUT ROWID";

/// Whether the checkpoints table has the current shape (a query that fails on an older one).
pub const CHECKPOINTS_SHAPE: &str = "SELECT digest, mac FROM stream_checkpoints LIMIT 0";

/// Every checkpoint, for verify.
pub const CHECKPOINTS_ALL: &str =
    "SELECT stream, version, seq, hash, format, corrections, state, digest, mac FROM stream_checkpoints ORDER BY stream";

/// Drops the checkpoints.
pub const CHECKPOINTS_DROP: &str = "DROP TABLE IF EXISTS stream_checkpoints";

/// A stream's checkpoint.
pub const CHECKPOINT_GET: &str =
    "SELECT version, seq, hash, format, corrections, state, digest, mac FROM stream_checkpoints WHERE stream = ?1";

/// Stores (or replaces) a stream's checkpoint.
pub const CHECKPOINT_PUT: &str = "INSERT OR REPLACE INTO stream_checkpoints
    (stream, version, seq, hash, format, corrections, state, digest, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// Moves a stream's checkpoint forward without writing its state again (`?1` the stream,
/// `?2`.. the new columns), where the row is still the one stored with digest `?7` (else it
/// changes nothing, and the checkpoint is stored in full).
pub const CHECKPOINT_MOVE: &str = "UPDATE stream_checkpoints SET version = ?2, seq = ?3, hash = ?4,
    corrections = ?5, digest = ?6, mac = ?8 WHERE stream = ?1 AND digest = ?7";

/// The seq and hash of a stream's row at a version, through the `(stream, version)` index.
pub const ROW_AT: &str = "SELECT seq, hash FROM events WHERE stream = ?1 AND version = ?2";

/// Where the log holds an id: the stream and the type, through the `UNIQUE (id)` index.
pub const ID_PLACE: &str = "SELECT stream, type FROM events WHERE id = ?1";

/// A stream's events past a version, in order.
pub fn stream_after() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE stream = ?1 AND version > ?2 ORDER BY version")
}

/// One event by seq.
pub fn by_seq() -> String {
    format!("SELECT {COLUMNS} FROM events WHERE seq = ?1")
}

/// The streams (documents) of a meeting to which an amendment with this id (`?2`) was
/// proposed, found without decoding the other rows.
pub const AMENDMENT_STREAMS: &str = "SELECT DISTINCT stream FROM events WHERE meeting = ?1
    AND type = 'AmendmentProposed' AND json_extract(payload, '$.data.amendment') = ?2 ORDER BY stream";

/// The upgrade from schema version 1: the derived tables of the old shape are dropped (the
/// next `minutes snapshots` and the next writes build them anew); the log is not touched.
pub const UPGRADE_1_TO_2: &str = "DROP TABLE IF EXISTS document_snapshots;
DROP TABLE IF EXISTS stream_checkpoints;
PRAGMA user_version = 2;";

/// From version 2 to 3: the analysts' views, made (again) from `events`.
pub const UPGRADE_2_TO_3: &str = concat!(views!(), "PRAGMA user_version = 3;");

/// Whether a table exists (SQLite).
pub const TABLE_EXISTS: &str = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";

/// Every row's leaf columns in order, for the Merkle tree (`merkle.rs`).
pub const LEAVES: &str = "SELECT seq, id, stream, version, payload FROM events ORDER BY seq";

/// The statements of a PostgreSQL store where its dialect differs from SQLite's; every other
/// statement above runs on both (`?N` is bound as `$N`). Text columns compare in the "C"
/// collation, byte by byte, as SQLite's do; `payload` is `text`, the exact bytes the hash
/// covers (never `jsonb`, which reorders keys).
pub mod pg {
    /// Creates the schema in a database without one: the identity, the log guarded by
    /// triggers (UPDATE, DELETE and TRUNCATE refused), and the derived tables.
    pub const CREATE: &str = r#"
CREATE TABLE minutes_meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO minutes_meta (key, value) VALUES ('application', 'minutes'), ('schema_version', '3');
CREATE TABLE events (
    seq           bigint PRIMARY KEY CHECK (seq > 0), -- head + 1 under the chain's lock: no gaps
    id            text COLLATE "C" NOT NULL,
    stream        text COLLATE "C" NOT NULL,
    version       bigint NOT NULL,
    type          text COLLATE "C" NOT NULL,
    v             bigint NOT NULL,
    meeting       text COLLATE "C" NOT NULL,
    occurred_from text COLLATE "C",
    occurred_to   text COLLATE "C",
    recorded_at   text COLLATE "C" NOT NULL,
    payload       text NOT NULL,                      -- the exact bytes the hash covers
    hash          text COLLATE "C" NOT NULL,
    CONSTRAINT events_id_key UNIQUE (id),
    CONSTRAINT events_stream_version_key UNIQUE (stream, version)
);
CREATE INDEX events_by_meeting ON events (meeting, seq);
CREATE FUNCTION minutes_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only: % is refused (a row is never changed or removed; record a correction instead)', TG_OP;
END
$$;
CREATE TRIGGER events_never_changed BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION minutes_events_append_only();
CREATE TRIGGER events_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION minutes_events_append_only();
"#;

    /// The derived table of document snapshots (as [`super::SNAPSHOTS_CREATE`]).
    pub const SNAPSHOTS_CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS document_snapshots (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    stream     text COLLATE "C" NOT NULL,
    through    bigint NOT NULL,
    max_to     text COLLATE "C" NOT NULL,
    last_from  text COLLATE "C",
    last_seq   bigint NOT NULL,
    state      text NOT NULL,
    bound_seq  bigint NOT NULL,
    bound_hash text NOT NULL,
    digest     text NOT NULL,
    mac        text
);
CREATE UNIQUE INDEX IF NOT EXISTS document_snapshots_by_stream
    ON document_snapshots (stream, through, max_to, last_from, last_seq)"#;

    /// The derived table of stream checkpoints (as [`super::CHECKPOINTS_CREATE`]). A state
    /// is written anew every few events of its stream and runs to tens of kilobytes: it is
    /// compressed with lz4, several times faster than the default, where the server has it
    /// (version 14 on, built with lz4), and with the default where it has not.
    pub const CHECKPOINTS_CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS stream_checkpoints (
    stream      text COLLATE "C" PRIMARY KEY,
    version     bigint NOT NULL,
    seq         bigint NOT NULL,
    hash        text NOT NULL,
    format      bigint NOT NULL,
    corrections text NOT NULL,
    state       text NOT NULL,
    digest      text NOT NULL,
    mac         text
);
DO $$ BEGIN
    EXECUTE 'ALTER TABLE stream_checkpoints ALTER COLUMN state SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL;
END $$"#;

    /// Appends one row; a clash on the id inserts nothing (0 rows) rather than failing, so the
    /// transaction goes on (a failed statement would abort it).
    pub const INSERT: &str = "INSERT INTO events
    (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO NOTHING";

    /// Appends many rows in one statement, each column an array (`?1` the seqs, ...): the ids
    /// are known to be free, so a clash fails rather than being skipped.
    pub const INSERT_ROWS: &str = "INSERT INTO events
    (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    SELECT * FROM UNNEST(?1::bigint[], ?2::text[], ?3::text[], ?4::bigint[], ?5::text[], ?6::bigint[],
        ?7::text[], ?8::text[], ?9::text[], ?10::text[], ?11::text[], ?12::text[])";

    /// As [`INSERT_ROWS`], and in the same statement (one round trip) stores (or replaces) the
    /// checkpoints `?13`..`?21` (each column an array, one stream at most once) that are due
    /// with the rows, and moves forward those `?22`..`?29` whose state is as stored (as
    /// [`super::CHECKPOINT_MOVE`]): how many rows it inserted, and how many it moved.
    pub const INSERT_ROWS_AND_CHECKPOINTS: &str = "WITH rows AS (INSERT INTO events
    (seq, id, stream, version, type, v, meeting, occurred_from, occurred_to, recorded_at, payload, hash)
    SELECT * FROM UNNEST(?1::bigint[], ?2::text[], ?3::text[], ?4::bigint[], ?5::text[], ?6::bigint[],
        ?7::text[], ?8::text[], ?9::text[], ?10::text[], ?11::text[], ?12::text[])
    RETURNING 1),
    checkpoints AS (INSERT INTO stream_checkpoints
    (stream, version, seq, hash, format, corrections, state, digest, mac)
    SELECT * FROM UNNEST(?13::text[], ?14::bigint[], ?15::bigint[], ?16::text[], ?17::bigint[], ?18::text[],
        ?19::text[], ?20::text[], ?21::text[])
    ON CONFLICT (stream) DO UPDATE SET version = EXCLUDED.version, seq = EXCLUDED.seq, hash = EXCLUDED.hash,
    format = EXCLUDED.format, corrections = EXCLUDED.corrections, state = EXCLUDED.state,
    digest = EXCLUDED.digest, mac = EXCLUDED.mac),
    moved AS (UPDATE stream_checkpoints AS c SET version = m.version, seq = m.seq, hash = m.hash,
    corrections = m.corrections, digest = m.digest, mac = m.mac
    FROM UNNEST(?22::text[], ?23::bigint[], ?24::bigint[], ?25::text[], ?26::text[], ?27::text[],
        ?28::text[], ?29::text[]) AS m(stream, version, seq, hash, corrections, digest, was, mac)
    WHERE c.stream = m.stream AND c.digest = m.was RETURNING 1)
    SELECT (SELECT count(*) FROM rows), (SELECT count(*) FROM moved)";

    /// Which of the ids `?1` (an array) the log holds.
    pub const IDS_HELD: &str = "SELECT id FROM events WHERE id = ANY(?1::text[])";

    /// Stores (or replaces) a stream's checkpoint.
    pub const CHECKPOINT_PUT: &str = "INSERT INTO stream_checkpoints
    (stream, version, seq, hash, format, corrections, state, digest, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    ON CONFLICT (stream) DO UPDATE SET version = EXCLUDED.version, seq = EXCLUDED.seq, hash = EXCLUDED.hash,
    format = EXCLUDED.format, corrections = EXCLUDED.corrections, state = EXCLUDED.state,
    digest = EXCLUDED.digest, mac = EXCLUDED.mac";

    /// Takes the chain's lock until the transaction ends.
    pub const LOCK_CHAIN: &str = "SELECT pg_advisory_xact_lock(?1)";

    /// Whether a table exists.
    pub const TABLE_EXISTS: &str = "SELECT to_regclass(?1) IS NOT NULL";

    /// The store's identity and schema version.
    pub const META: &str = "SELECT value FROM minutes_meta WHERE key = ?1";

    /// As [`super::AMENDMENT_STREAMS`].
    pub const AMENDMENT_STREAMS: &str = "SELECT DISTINCT stream FROM events WHERE meeting = ?1
    AND type = 'AmendmentProposed' AND (payload::json -> 'data' ->> 'amendment') = ?2 ORDER BY stream";
}
