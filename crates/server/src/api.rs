//! The HTTP API: the command line's questions under the same names (`/api/state`, `/api/diff`,
//! `/api/blame`, `/api/history`, `/api/replay`, `/api/ls`, `/api/verify`, `/api/proof/...`),
//! the same time forms and JSON shapes; writes (`POST /api/events`, the `append` JSON, and
//! `POST /api/record/{verb}`, the fields of `minutes record`) for clerks with a bearer token;
//! the live feed; and the OpenAPI document, generated from these declarations by utoipa.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minutes_core::event::{ActorKind, Decision, DocumentKind, Event, Phase, Role, Rules, Source, Stance};
use minutes_core::id::{Clerk, EventId};
use minutes_core::time::{TimeArg, Timestamp};
use minutes_query::diff::Anchor;
use minutes_query::record::{self, Envelope, Fate, OpSpec, Request, TimeSpec, Verb, When};
use minutes_query::zones::Zones;
use minutes_query::{Lookup, Moment, Reader, ReplayFilter};
use minutes_store::Appended;
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::{page, App, MAX_BODY};

/// The header every answer carries: the seq of the last event the answer reflects (at
/// least), which the feed takes as `?after=`.
pub const SEQ_HEADER: &str = "minutes-seq";

#[derive(OpenApi)]
#[openapi(
    info(title = "minutes", description = "An event-sourced meeting record over HTTP: the command line's questions and recording verbs, and a live feed of committed events. Reads are open; writes need `Authorization: Bearer TOKEN`."),
    paths(whoami, meetings, listing, replay, state, diff, blame, history, marked, verify, inclusion, consistency, head, feed, append, record_verb),
    components(schemas(ErrorBody, StateDoc, AmendmentDoc, UncertainDoc, WindowDoc, ListingDoc, DocumentDoc, AppendedDoc, RecordedDoc, VerifyDoc, HeadDoc, ClerkDoc, RecordBody, OpBody, ClauseBody, BodyPair, VerbName, EventDoc)),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of the API, as `/api/openapi.json` serves it.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// Every route, with the body limit.
pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .route("/api/openapi.json", get(|| async { ([(CONTENT_TYPE, "application/json")], openapi_json()) }))
        .route("/api/meetings", get(meetings))
        .route("/api/ls", get(listing))
        .route("/api/replay", get(replay))
        .route("/api/state", get(state))
        .route("/api/diff", get(diff))
        .route("/api/blame", get(blame))
        .route("/api/history", get(history))
        .route("/api/marked", get(marked))
        .route("/api/verify", get(verify))
        .route("/api/proof/inclusion", get(inclusion))
        .route("/api/proof/consistency", get(consistency))
        .route("/api/head", get(head))
        .route("/api/feed", get(feed))
        .route("/api/whoami", get(whoami))
        .route("/api/events", post(append))
        .route("/api/record/{verb}", post(record_verb))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page or operation") })
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(axum::middleware::map_response(too_large))
        .with_state(app)
}

/// The body limit's refusal in the API's error form.
async fn too_large(r: Response) -> Response {
    let json = r.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE && !json {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is longer than 1 MiB, the most a request may take",
        )
        .into_response();
    }
    r
}

/// Query parameters whose rejection answers in the API's own error form.
struct Q<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(t)| Q(t))
            .map_err(|e| ApiError::refused(e.body_text()))
    }
}

fn time(s: &Option<String>, what: &str) -> Result<Option<TimeArg>, ApiError> {
    s.as_deref().map(|t| TimeArg::parse(t).map_err(|e| ApiError::refused(format!("{what}: {e}")))).transpose()
}

/// A JSON answer with the seq it reflects.
fn answer<T: Serialize>(seq: u64, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(json) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static("application/json")),
                (SEQ_HEADER.parse().unwrap_or(CONTENT_TYPE), HeaderValue::from(seq)),
            ],
            json,
        )
            .into_response(),
        Err(e) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Answers a question with a read-only connection: the seq is read first, so the answer
/// reflects at least every event up to it.
async fn ask<T: Serialize + Send + 'static>(
    app: &App,
    f: impl FnOnce(&Reader<'_>) -> minutes_query::Result<T> + Send + 'static,
) -> Result<Response, ApiError> {
    let now = app.now();
    let (seq, body) = app
        .readers
        .with(move |s| {
            let seq = s.head_seq()?;
            let body = f(&Reader::new(s, now))?;
            Ok((seq, body))
        })
        .await?;
    Ok(answer(seq, &body))
}

// ---------------------------------------------------------------------------------------------
// The shapes of the answers, for the OpenAPI document: the contract's fields of the query
// layer's views (which serialize themselves), so a client can rely on them; views carry more.

/// `state`: the document at a moment (the fields every consumer may rely on; more are given).
#[derive(ToSchema)]
#[allow(dead_code)]
struct StateDoc {
    /// The document's name.
    document: String,
    /// The moment asked, RFC 3339.
    at: String,
    /// `tabled`, `under_consideration`, `endorsed`, `not_endorsed`, `adopted`, `withdrawn`; null before tabling.
    status: Option<String>,
    /// The document's stream version now.
    version: u64,
    /// Who had the document at the moment.
    body: Option<String>,
    /// The text in force at the moment.
    text: Option<String>,
    /// Every amendment proposed by the moment.
    amendments: Vec<AmendmentDoc>,
    /// The events uncertain at the moment.
    uncertain: Vec<UncertainDoc>,
}

/// An amendment in a state.
#[derive(ToSchema)]
#[allow(dead_code)]
struct AmendmentDoc {
    id: String,
    proposed_by: Vec<String>,
    status: String,
    wording_known: bool,
}

/// An event's time window.
#[derive(ToSchema)]
#[allow(dead_code)]
struct WindowDoc {
    from: Option<String>,
    to: Option<String>,
}

/// An event uncertain at the moment.
#[derive(ToSchema)]
#[allow(dead_code)]
struct UncertainDoc {
    id: String,
    #[schema(rename = "type")]
    type_name: String,
    occurred: WindowDoc,
}

/// `ls`: a meeting's bodies, sessions, actors and documents.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ListingDoc {
    meeting: String,
    title: String,
    time_zone: String,
    version: u64,
    #[schema(value_type = Vec<Object>)]
    bodies: Vec<()>,
    #[schema(value_type = Vec<Object>)]
    sessions: Vec<()>,
    #[schema(value_type = Vec<Object>)]
    actors: Vec<()>,
    documents: Vec<DocumentDoc>,
}

/// A document in a listing.
#[derive(ToSchema)]
#[allow(dead_code)]
struct DocumentDoc {
    name: String,
    status: Option<String>,
    version: u64,
}

/// One event as `replay --json` prints it and `import` reads it.
#[derive(ToSchema)]
#[allow(dead_code)]
struct EventDoc {
    seq: u64,
    id: String,
    #[schema(rename = "type")]
    type_name: String,
    meeting: String,
    version: u64,
}

/// An append's acknowledgement, as `append --json` prints it.
#[derive(Serialize, ToSchema)]
struct AppendedDoc {
    seq: u64,
    #[schema(value_type = String)]
    id: EventId,
    version: u64,
    existed: bool,
}

/// What a verb recorded, as `record --json` prints it.
#[derive(ToSchema)]
#[allow(dead_code)]
struct RecordedDoc {
    seq: u64,
    id: String,
    version: u64,
    #[schema(rename = "type")]
    type_name: String,
    document: Option<String>,
    amendment: Option<String>,
    existed: bool,
    description: String,
}

/// `verify --json`: the chain and the Merkle tree head.
#[derive(Serialize, ToSchema)]
struct VerifyDoc {
    ok: bool,
    events: u64,
    head: Option<String>,
    problem: Option<String>,
    size: u64,
    root: String,
}

/// The seq of the last event committed.
#[derive(Serialize, ToSchema)]
struct HeadDoc {
    seq: u64,
}

// ---------------------------------------------------------------------------------------------
// Reads.

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MomentQuery {
    /// The document: its name (`wtpf-13/opinion-2`) or a symbol.
    doc: String,
    /// When: RFC 3339, or `YYYY-MM-DD HH:MM` in the meeting's zone [default: now].
    at: Option<String>,
    /// As the record stood at this moment of recording.
    as_recorded_at: Option<String>,
}

impl MomentQuery {
    fn moment(&self) -> Result<Moment, ApiError> {
        Ok(Moment {
            at: time(&self.at, "at")?,
            as_recorded_at: time(&self.as_recorded_at, "as_recorded_at")?,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MeetingQuery {
    /// The meeting's id.
    meeting: String,
    /// Statuses at this moment [default: after all its events].
    at: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReplayQuery {
    /// The meeting's id.
    meeting: String,
    /// Only events whose window ends at or after this.
    from: Option<String>,
    /// Only events whose window starts before this.
    to: Option<String>,
    /// Only events in this body (id or printed name).
    body: Option<String>,
    /// Only events by this actor (id or printed name), and the fates of their proposals.
    actor: Option<String>,
    /// Only events about this document (name or symbol).
    document: Option<String>,
    /// As the record stood at this moment of recording.
    as_recorded_at: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    /// The document.
    doc: String,
    /// The earlier moment (or `from_event`).
    from: Option<String>,
    /// The earlier moment: when this event had certainly happened.
    from_event: Option<uuid::Uuid>,
    /// The later moment [default: now] (or `to_event`).
    to: Option<String>,
    /// The later moment: when this event had certainly happened.
    to_event: Option<uuid::Uuid>,
    /// As the record stood at this moment of recording.
    as_recorded_at: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// The document.
    doc: String,
    /// As the record stood at this moment of recording.
    as_recorded_at: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct InclusionQuery {
    /// The event's id.
    id: String,
    /// The tree size the proof is for [default: the log's size].
    size: Option<u64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConsistencyQuery {
    /// The earlier tree size.
    from: u64,
    /// The later tree size [default: the log's size].
    size: Option<u64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedQuery {
    /// Send the events after this seq (a `Last-Event-ID` header wins) [default: only new ones].
    after: Option<u64>,
}

/// The meetings the store holds.
#[utoipa::path(get, path = "/api/meetings", responses(
    (status = 200, description = "The meetings' ids", body = Vec<String>, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 500, description = "The store failed", body = ErrorBody)))]
async fn meetings(State(app): State<App>) -> Result<Response, ApiError> {
    ask(&app, |q| Ok(q.store().meetings()?)).await
}

/// `ls`: a meeting's bodies, sessions, actors and documents.
#[utoipa::path(get, path = "/api/ls", params(MeetingQuery), responses(
    (status = 200, description = "The listing, as `ls --json`", body = ListingDoc, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused: an unknown meeting, a bad time", body = ErrorBody)))]
async fn listing(State(app): State<App>, Q(q): Q<MeetingQuery>) -> Result<Response, ApiError> {
    let at = time(&q.at, "at")?;
    ask(&app, move |r| r.listing(&q.meeting, at)).await
}

/// `replay`: the meeting's events in replay order, with its filters.
#[utoipa::path(get, path = "/api/replay", params(ReplayQuery), responses(
    (status = 200, description = "The events, as `replay --json` prints them (one array)", body = Vec<EventDoc>, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn replay(State(app): State<App>, Q(q): Q<ReplayQuery>) -> Result<Response, ApiError> {
    let f = ReplayFilter {
        from: time(&q.from, "from")?,
        to: time(&q.to, "to")?,
        body: q.body,
        actor: q.actor,
        document: q.document,
        as_recorded_at: time(&q.as_recorded_at, "as_recorded_at")?,
        // As `replay --json`: every event, registrations and corrected ones too.
        all: true,
    };
    ask(&app, move |r| r.replay(&q.meeting, &f)).await
}

/// `state`: a document at a moment.
#[utoipa::path(get, path = "/api/state", params(MomentQuery), responses(
    (status = 200, description = "The state, as `state --json`", body = StateDoc, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused: an unknown document, a bad time", body = ErrorBody)))]
async fn state(State(app): State<App>, Q(q): Q<MomentQuery>) -> Result<Response, ApiError> {
    let m = q.moment()?;
    let now = app.now();
    let live = app.live.clone();
    // From the record in memory, brought up to the log first: no JSON is decoded.
    let (seq, view) = tokio::task::spawn_blocking(move || {
        live.sync()?;
        let memory = live.read();
        let view = minutes_query::state_of(&*memory, now, &q.doc, &m)?;
        Ok::<_, ApiError>((memory.head(), view))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the read failed: {e}")))??;
    Ok(answer(seq, &view))
}

/// `diff`: what changed in a document's text between two moments.
#[utoipa::path(get, path = "/api/diff", params(DiffQuery), responses(
    (status = 200, description = "The diff, as `diff --json`", body = minutes_query::view::DiffView, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn diff(State(app): State<App>, Q(q): Q<DiffQuery>) -> Result<Response, ApiError> {
    let anchor = |t: Option<TimeArg>, e: Option<uuid::Uuid>| match (t, e) {
        (Some(t), _) => Anchor::Time(t),
        (None, Some(e)) => Anchor::Event(EventId(e)),
        (None, None) => Anchor::Now,
    };
    let from = match (time(&q.from, "from")?, q.from_event) {
        (None, None) => return Err(ApiError::refused("give from or from_event")),
        (t, e) => anchor(t, e),
    };
    let to = anchor(time(&q.to, "to")?, q.to_event);
    let rec = time(&q.as_recorded_at, "as_recorded_at")?;
    ask(&app, move |r| r.diff(&q.doc, from, to, rec)).await
}

/// `blame`: where each clause's wording came from.
#[utoipa::path(get, path = "/api/blame", params(MomentQuery), responses(
    (status = 200, description = "The blame, as `blame --json`", body = minutes_query::view::BlameView, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn blame(State(app): State<App>, Q(q): Q<MomentQuery>) -> Result<Response, ApiError> {
    let m = q.moment()?;
    ask(&app, move |r| r.blame(&q.doc, &m)).await
}

/// `history`: every event about a document.
#[utoipa::path(get, path = "/api/history", params(HistoryQuery), responses(
    (status = 200, description = "The events, as `history --json` (one array)", body = Vec<EventDoc>, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn history(State(app): State<App>, Q(q): Q<HistoryQuery>) -> Result<Response, ApiError> {
    let rec = time(&q.as_recorded_at, "as_recorded_at")?;
    ask(&app, move |r| r.history(&q.doc, rec)).await
}

/// The text at a moment marked with every change since tabling, who made it and its source.
#[utoipa::path(get, path = "/api/marked", params(MomentQuery), responses(
    (status = 200, description = "The marked text: lines of runs (`equal`, `insert`, `delete`) and the changes they point to", body = minutes_query::view::MarkedText, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn marked(State(app): State<App>, Q(q): Q<MomentQuery>) -> Result<Response, ApiError> {
    let m = q.moment()?;
    ask(&app, move |r| r.marked_text(&q.doc, &m)).await
}

/// `verify`: the hash chain and the Merkle tree head.
#[utoipa::path(get, path = "/api/verify", responses(
    (status = 200, description = "The report, as `verify --json` (ok false names the first problem)", body = VerifyDoc, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 500, description = "The store failed", body = ErrorBody)))]
async fn verify(State(app): State<App>) -> Result<Response, ApiError> {
    ask(&app, |r| {
        let v = r.store().verify(None)?;
        Ok(VerifyDoc {
            ok: v.ok(),
            events: v.events,
            head: v.head,
            problem: v.problem.map(|p| format!("seq {}: {}", p.seq, p.what)),
            size: v.size,
            root: v.root,
        })
    })
    .await
}

/// `proof inclusion`: an event's RFC 9162 audit path.
#[utoipa::path(get, path = "/api/proof/inclusion", params(InclusionQuery), responses(
    (status = 200, description = "The proof, as `proof inclusion --json`", body = minutes_query::proof::InclusionView, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn inclusion(State(app): State<App>, Q(q): Q<InclusionQuery>) -> Result<Response, ApiError> {
    ask(&app, move |r| r.inclusion(&q.id, q.size)).await
}

/// `proof consistency`: the log extends an earlier tree.
#[utoipa::path(get, path = "/api/proof/consistency", params(ConsistencyQuery), responses(
    (status = 200, description = "The proof, as `proof consistency --json`", body = minutes_query::proof::ConsistencyView, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused", body = ErrorBody)))]
async fn consistency(State(app): State<App>, Q(q): Q<ConsistencyQuery>) -> Result<Response, ApiError> {
    ask(&app, move |r| r.consistency(q.from, q.size)).await
}

/// The seq of the last event committed.
#[utoipa::path(get, path = "/api/head", responses(
    (status = 200, description = "The head", body = HeadDoc, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 500, description = "The store failed", body = ErrorBody)))]
async fn head(State(app): State<App>) -> Result<Response, ApiError> {
    let seq = app.readers.with(|s| Ok(s.head_seq()?)).await?;
    Ok(answer(seq, &HeadDoc { seq }))
}

/// The live feed: every event committed after `after` (or the `Last-Event-ID` header, which
/// wins), once each, in log order, then each new one as it is committed, by this server or by
/// any other process writing the store. Each message's `id` is the event's seq and its data
/// the event as `replay --json` prints it.
#[utoipa::path(get, path = "/api/feed", params(FeedQuery,
    ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this seq (sent by EventSource on reconnection)")),
    responses((status = 200, description = "Server-Sent Events", content_type = "text/event-stream", body = String),
    (status = 400, description = "A Last-Event-ID that is not a seq", body = ErrorBody)))]
async fn feed(State(app): State<App>, headers: HeaderMap, Q(q): Q<FeedQuery>) -> Result<Response, ApiError> {
    let last = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::refused("Last-Event-ID: not a seq"))?,
        ),
        None => None,
    };
    let after = last.or(q.after).unwrap_or_else(|| app.feed.head());
    Ok(app.feed.subscribe(app.live.clone(), after).into_response())
}

// ---------------------------------------------------------------------------------------------
// Writes.

/// A write without a valid bearer token: 401, nothing written.
struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut r = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "writing needs a clerk's token: send Authorization: Bearer TOKEN (serve --tokens FILE gives clerks tokens)",
        )
        .into_response();
        r.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r
    }
}

/// The clerk a request's bearer token names, or 401.
fn clerk(app: &App, headers: &HeaderMap) -> Result<Clerk, Unauthorized> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    token.and_then(|t| app.tokens.clerk(t)).cloned().ok_or(Unauthorized)
}

/// The clerk a token names.
#[derive(Serialize, ToSchema)]
struct ClerkDoc {
    clerk: String,
}

/// The clerk the bearer token names: how the page signs a clerk in.
#[utoipa::path(get, path = "/api/whoami", security(("bearer" = [])), responses(
    (status = 200, description = "The token's clerk", body = ClerkDoc),
    (status = 401, description = "No valid bearer token", body = ErrorBody)))]
async fn whoami(State(app): State<App>, headers: HeaderMap) -> Response {
    match clerk(&app, &headers) {
        Ok(c) => axum::Json(ClerkDoc { clerk: c.as_str().to_string() }).into_response(),
        Err(r) => r.into_response(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AppendQuery {
    /// Append only if the event's stream still holds this many events (else 409).
    expected_version: Option<u64>,
}

/// `append`: one event, as `append` reads it (times may be `YYYY-MM-DD HH:MM` in the
/// meeting's zone; an event without an id gets the id of its content). The token's clerk is
/// recorded as `recorded_by`.
#[utoipa::path(post, path = "/api/events", params(AppendQuery), request_body(content = Object, description = "One event (JSON)"),
    security(("bearer" = [])),
    responses(
    (status = 200, description = "Committed durably (or already in the log: existed)", body = AppendedDoc, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused, with the command line's message", body = ErrorBody),
    (status = 401, description = "No valid bearer token: nothing written", body = ErrorBody),
    (status = 409, description = "The stream is not at the expected version", body = ErrorBody),
    (status = 413, description = "The body is longer than 1 MiB", body = ErrorBody),
    (status = 503, description = "The store is busy with another writer; retry", body = ErrorBody),
    (status = 507, description = "The store is full", body = ErrorBody)))]
async fn append(State(app): State<App>, headers: HeaderMap, Q(q): Q<AppendQuery>, body: Body) -> Response {
    let clerk = match clerk(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let result: Result<Appended, ApiError> = async {
        let text = text(body)?;
        let text = text.trim_start_matches('\u{feff}');
        // A time without a zone is read in its meeting's zone, from the record in memory (as
        // it stands when the request is read).
        app.live.sync_async().await?;
        let mut event = {
            let memory = app.live.read();
            let zones = Zones::default();
            Event::from_json_in(text, &|m| zones.of(m, || memory.meeting(m).ok().map(|s| s.zone)))
                .map_err(|e| ApiError::refused(e.to_string()))?
        };
        event.recorded_by = Some(clerk);
        Ok(app.appender.append(event, q.expected_version).await?)
    }
    .await;
    match result {
        Ok(x) => answer(x.seq, &AppendedDoc { seq: x.seq, id: x.id, version: x.version, existed: x.existed }),
        Err(e) => e.into_response(),
    }
}

/// The recording verbs the API takes: every verb of `minutes record`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
enum VerbName {
    Declare,
    Body,
    Actor,
    Attendance,
    OpenMeeting,
    CloseMeeting,
    OpenSession,
    Suspend,
    Resume,
    CloseSession,
    Elect,
    Statement,
    Table,
    Revise,
    ReferDoc,
    WithdrawDoc,
    TakeUp,
    Propose,
    Withdraw,
    Accept,
    Reject,
    Refer,
    Procedural,
    WithdrawProcedural,
    Endorse,
    NotEndorse,
    Adopt,
    Correct,
}

/// One operation of a proposal, as `record propose` takes its flags. Edits of words: `clause`
/// and one of `insert` (with `after` or `before`), `replace` (with `with`) or `delete`, each
/// with an optional `occurrence`; words are whole words. Whole clauses: `insert_clause`
/// (`PARENT[:AFTER]`, with `key` or `label`, and `words`), `replace_clause` (`PATH`, with
/// `words`, optionally `key` and `label`), `delete_clause`. Sections: `insert_section` (the
/// section it follows, `^` for the start, `$` for the end, with `heading`, optionally `key`,
/// and `clauses`), `delete_section` (its key).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OpBody {
    /// The clause whose words are edited (`recognizing/c/iv`).
    clause: Option<String>,
    /// Words inserted.
    insert: Option<String>,
    /// The anchor the words go after.
    after: Option<String>,
    /// The anchor the words go before.
    before: Option<String>,
    /// Words replaced.
    replace: Option<String>,
    /// Their replacement.
    with: Option<String>,
    /// Words deleted.
    delete: Option<String>,
    /// Which occurrence of the anchor or words (from 1).
    #[schema(minimum = 1)]
    occurrence: Option<usize>,
    /// A clause inserted: `PARENT[:AFTER]` (AFTER a sibling's key, `^` for the start; none: at the end).
    insert_clause: Option<String>,
    /// A whole clause replaced: its path.
    replace_clause: Option<String>,
    /// A whole clause deleted: its path.
    delete_clause: Option<String>,
    /// A section inserted after this one (`^`: at the start; `$`: at the end).
    insert_section: Option<String>,
    /// A section deleted: its key.
    delete_section: Option<String>,
    /// The key of the clause or section inserted.
    key: Option<String>,
    /// The label of the clause inserted or replaced (`a)`, `1 bis)`).
    label: Option<String>,
    /// The words of the clause inserted or replaced.
    words: Option<String>,
    /// The heading of the section inserted.
    heading: Option<String>,
    /// The clauses of the section inserted, in order.
    #[serde(default)]
    clauses: Vec<ClauseBody>,
}

/// A clause of a section inserted: its label as printed, if any, and its words.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ClauseBody {
    /// Its label as printed.
    label: Option<String>,
    /// Its words.
    words: String,
}

/// A body of a meeting declared: its id and name.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BodyPair {
    /// The body's id (`plenary`, `wg-1`).
    id: String,
    /// Its name as printed.
    name: String,
}

/// The fields of `minutes record VERB`, by their flag names (snake_case); each verb reads the
/// ones its flags name, and a verb's positional argument has a field of its own: `meeting`
/// (declare), `new_body` (body), `actor` (actor, elect), `doc` (the document's verbs),
/// `amendment` (fates), `proposal` (procedural, withdraw-procedural), `event` (correct).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    /// When: RFC 3339, `YYYY-MM-DD HH:MM` in the meeting's zone, or `HH:MM` today [default: now].
    at: Option<String>,
    /// The start of the window in which it certainly happened.
    from: Option<String>,
    /// The end of that window.
    to: Option<String>,
    /// The meeting, for a verb about the meeting or a body [default: the store's one meeting];
    /// for `declare`, the new meeting's id.
    meeting: Option<String>,
    /// The source file (with `section` and `quote`).
    source: Option<String>,
    /// The section of the source.
    section: Option<String>,
    /// A short exact quote of the source.
    quote: Option<String>,
    /// The recorder's remark.
    note: Option<String>,
    /// `preparatory` or `follow_up`, for an event outside the meeting's dates.
    #[schema(value_type = Option<String>)]
    phase: Option<Phase>,
    /// Append only if the stream still holds this many events (else 409).
    expected_version: Option<u64>,
    /// The event's id: a retry with the same id is a no-op.
    id: Option<uuid::Uuid>,
    /// The document (name or symbol; for `table`, the new document's name, MEETING/SLUG).
    doc: Option<String>,
    /// The amendment (fates: the id `propose` gave; propose: the id to give).
    amendment: Option<String>,
    /// Who (actors' ids or printed names).
    #[serde(default)]
    by: Vec<String>,
    /// The body.
    body: Option<String>,
    /// A proposal's operations, in order.
    #[serde(default)]
    ops: Vec<OpBody>,
    /// A proposal reported without its words.
    #[serde(default)]
    unworded: bool,
    /// A summary: a proposal's, a statement's, a procedural proposal's, or the attendance in words.
    summary: Option<String>,
    /// How a fate was decided: `consensus`, `vote`, `chair` [default: consensus].
    #[schema(value_type = Option<String>)]
    decided_by: Option<Decision>,
    /// A statement's tenor: `support`, `clarification`, `opposition`, `other` [default: other].
    #[schema(value_type = Option<String>)]
    stance: Option<Stance>,
    /// The order of business (take-up).
    order: Option<u32>,
    /// For how long a session is suspended.
    duration_minutes: Option<u32>,
    /// Endorse: the amendments it carries [default: those accepted in that body].
    amendments: Option<Vec<String>>,
    /// Endorse: without amendments.
    #[serde(default)]
    unaltered: bool,
    /// Endorse: the body it is submitted to.
    submitted_to: Option<String>,
    /// Declare, table: the title.
    title: Option<String>,
    /// Declare: where it is held.
    venue: Option<String>,
    /// Declare: its IANA time zone (`Europe/Zurich`).
    zone: Option<String>,
    /// Declare: its first day (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    first_day: Option<chrono::NaiveDate>,
    /// Declare: its last day (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    last_day: Option<chrono::NaiveDate>,
    /// Declare: its bodies.
    #[serde(default)]
    bodies: Vec<BodyPair>,
    /// Declare: the plenary may adopt a draft no body endorsed.
    #[serde(default)]
    adopt_without_endorsement: bool,
    /// Declare: a body may endorse a draft it has not taken up.
    #[serde(default)]
    endorse_without_consideration: bool,
    /// Body: the new body's id.
    new_body: Option<String>,
    /// Body, actor: the name as printed.
    name: Option<String>,
    /// Body: the body that established it.
    by_body: Option<String>,
    /// Actor: the new actor's id; elect: who was elected.
    actor: Option<String>,
    /// Actor: `member_state`, `sector_member`, `organisation`, `person` [default: person];
    /// table: `draft_opinion`, `contribution`, `information_document`, `report`, `draft`
    /// [default: draft_opinion].
    kind: Option<String>,
    /// Actor: other printed forms of the name.
    #[serde(default)]
    aliases: Vec<String>,
    /// Actor: a person's State or organisation (an actor id).
    affiliation: Option<String>,
    /// Attendance: delegates.
    delegates: Option<u32>,
    /// Attendance: Member States represented.
    member_states: Option<u32>,
    /// Attendance: Sector Members represented.
    sector_members: Option<u32>,
    /// Elect: `chairman` or `vice_chairman` [default: chairman].
    #[schema(value_type = Option<String>)]
    role: Option<Role>,
    /// Table, revise: the official symbol.
    symbol: Option<String>,
    /// Table, revise: the text, in the review format (none: not known).
    text: Option<String>,
    /// Table: the document it is a forerunner of.
    forerunner_of: Option<String>,
    /// Procedural, withdraw-procedural: the proposal's id.
    proposal: Option<String>,
    /// Procedural: the documents it concerns.
    #[serde(default)]
    docs: Vec<String>,
    /// Correct: the event withdrawn from the record (its id).
    event: Option<uuid::Uuid>,
    /// Correct: why.
    reason: Option<String>,
}

fn need<T: Clone>(v: &Option<T>, field: &str) -> Result<T, ApiError> {
    v.clone().ok_or_else(|| ApiError::refused(format!("{field} is required for this verb")))
}

fn spec(v: &Option<String>, field: &str) -> Result<Option<TimeSpec>, ApiError> {
    v.as_deref()
        .map(|s| TimeSpec::parse(s).map_err(|e| ApiError::refused(format!("{field}: {e}"))))
        .transpose()
}

/// One of an enum's snake_case names, or a refusal naming the field.
fn named<T: serde::de::DeserializeOwned>(v: &Option<String>, field: &str, default: T) -> Result<T, ApiError> {
    match v {
        None => Ok(default),
        Some(s) => serde_json::from_value(serde_json::Value::String(s.clone()))
            .map_err(|e| ApiError::refused(format!("{field}: {e}"))),
    }
}

/// A text in the review format, or a refusal.
fn review_text(v: &Option<String>) -> Result<Option<minutes_core::text::Text>, ApiError> {
    v.as_deref()
        .map(|t| minutes_core::text::parse(t).map_err(|e| ApiError::refused(format!("text: {e}"))))
        .transpose()
}

impl RecordBody {
    fn request(self, verb: VerbName) -> Result<Request, ApiError> {
        let when = match (spec(&self.at, "at")?, spec(&self.from, "from")?, spec(&self.to, "to")?) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(ApiError::refused("give at, or a window from and to, not both"))
            }
            (Some(t), None, None) => When::At(t),
            (None, None, None) => When::Now,
            (None, f, t) => When::Window(f, t),
        };
        let source = match (&self.source, &self.section, &self.quote) {
            (Some(f), Some(s), Some(q)) => {
                Some(Source { file: f.clone(), section: s.clone(), quote: q.clone() })
            }
            (None, None, None) => None,
            _ => return Err(ApiError::refused("source, section and quote go together")),
        };
        let decision = self.decided_by.unwrap_or(Decision::Consensus);
        let doc = || need(&self.doc, "doc");
        let body = || need(&self.body, "body");
        let fate = |fate| -> Result<Verb, ApiError> {
            Ok(Verb::Fate {
                amendment: need(&self.amendment, "amendment")?,
                doc: self.doc.clone(),
                fate,
                by: self.by.clone(),
                body: self.body.clone(),
            })
        };
        let mut meeting = self.meeting.clone();
        let verb = match verb {
            VerbName::Declare => {
                meeting = None;
                Verb::Declare {
                    meeting: need(&self.meeting, "meeting")?,
                    title: need(&self.title, "title")?,
                    venue: need(&self.venue, "venue")?,
                    zone: need(&self.zone, "zone")?,
                    first_day: need(&self.first_day, "first_day")?,
                    last_day: need(&self.last_day, "last_day")?,
                    bodies: self.bodies.iter().map(|b| (b.id.clone(), b.name.clone())).collect(),
                    rules: Rules {
                        adoption_requires_endorsement: !self.adopt_without_endorsement,
                        endorsement_requires_consideration: !self.endorse_without_consideration,
                    },
                }
            }
            VerbName::Body => Verb::Body {
                id: need(&self.new_body, "new_body")?,
                name: need(&self.name, "name")?,
                by_body: self.by_body.clone(),
            },
            VerbName::Actor => Verb::Actor {
                id: need(&self.actor, "actor")?,
                name: need(&self.name, "name")?,
                kind: named(&self.kind, "kind", ActorKind::Person)?,
                aliases: self.aliases.clone(),
                affiliation: self.affiliation.clone(),
            },
            VerbName::Attendance => Verb::Attendance {
                body: self.body.clone(),
                summary: need(&self.summary, "summary")?,
                delegates: self.delegates,
                member_states: self.member_states,
                sector_members: self.sector_members,
            },
            VerbName::OpenMeeting => Verb::OpenMeeting { body: self.body.clone() },
            VerbName::CloseMeeting => Verb::CloseMeeting { body: self.body.clone() },
            VerbName::OpenSession => Verb::OpenSession { body: body()? },
            VerbName::Suspend => Verb::Suspend { body: body()?, duration_minutes: self.duration_minutes },
            VerbName::Resume => Verb::Resume { body: body()? },
            VerbName::CloseSession => Verb::CloseSession { body: body()? },
            VerbName::Elect => Verb::Elect {
                actor: need(&self.actor, "actor")?,
                role: self.role.unwrap_or(Role::Chairman),
                body: body()?,
            },
            VerbName::Statement => Verb::Statement {
                by: self.by.clone(),
                doc: self.doc.clone(),
                stance: self.stance.unwrap_or(Stance::Other),
                summary: need(&self.summary, "summary")?,
                body: self.body.clone(),
            },
            VerbName::Table => Verb::Table {
                doc: doc()?,
                kind: named(&self.kind, "kind", DocumentKind::DraftOpinion)?,
                title: need(&self.title, "title")?,
                symbol: self.symbol.clone(),
                text: review_text(&self.text)?,
                by: self.by.clone(),
                body: self.body.clone(),
                forerunner_of: self.forerunner_of.clone(),
            },
            VerbName::Revise => Verb::Revise {
                doc: doc()?,
                symbol: self.symbol.clone(),
                text: review_text(&self.text)?,
                by: self.by.clone(),
                body: self.body.clone(),
            },
            VerbName::ReferDoc => Verb::ReferDoc { doc: doc()?, body: body()? },
            VerbName::WithdrawDoc => {
                Verb::WithdrawDoc { doc: doc()?, by: self.by.clone(), body: self.body.clone() }
            }
            VerbName::TakeUp => Verb::TakeUp { doc: doc()?, body: body()?, order: self.order },
            VerbName::Propose => Verb::Propose {
                doc: doc()?,
                by: self.by.clone(),
                ops: self.ops.iter().map(op).collect::<Result<_, _>>()?,
                unworded: self.unworded,
                amendment: self.amendment.clone(),
                summary: self.summary.clone(),
                body: self.body.clone(),
            },
            VerbName::Withdraw => fate(Fate::Withdraw)?,
            VerbName::Accept => fate(Fate::Accept(decision))?,
            VerbName::Reject => fate(Fate::Reject(decision))?,
            VerbName::Refer => fate(Fate::Refer)?,
            VerbName::Procedural => Verb::Procedural {
                id: need(&self.proposal, "proposal")?,
                summary: need(&self.summary, "summary")?,
                docs: self.docs.clone(),
                by: self.by.clone(),
                body: self.body.clone(),
            },
            VerbName::WithdrawProcedural => Verb::WithdrawProcedural {
                id: need(&self.proposal, "proposal")?,
                by: self.by.clone(),
                body: self.body.clone(),
            },
            VerbName::Endorse => {
                if self.unaltered && self.amendments.as_ref().is_some_and(|a| !a.is_empty()) {
                    return Err(ApiError::refused("give amendments, or unaltered, not both"));
                }
                Verb::Endorse {
                    doc: doc()?,
                    body: body()?,
                    amendments: if self.unaltered { Some(Vec::new()) } else { self.amendments.clone() },
                    submitted_to: self.submitted_to.clone(),
                }
            }
            VerbName::NotEndorse => Verb::NotEndorse { doc: doc()?, body: body()? },
            VerbName::Adopt => Verb::Adopt { doc: doc()?, body: self.body.clone() },
            VerbName::Correct => {
                if self.by.is_empty() {
                    return Err(ApiError::refused("by is required for correct: who corrected the record"));
                }
                Verb::Correct {
                    event: EventId(need(&self.event, "event")?),
                    reason: need(&self.reason, "reason")?,
                    by: self.by.clone(),
                }
            }
        };
        if matches!(verb, Verb::Propose { ref ops, unworded: false, .. } if ops.is_empty()) {
            return Err(ApiError::refused("a proposal takes at least one operation in ops, or unworded"));
        }
        Ok(Request {
            meeting,
            verb,
            envelope: Envelope { when, source, note: self.note, phase: self.phase },
            id: self.id.map(EventId),
            expected_version: self.expected_version,
        })
    }
}

/// One operation from its fields, by the same constructors as `record propose`'s flags.
fn op(o: &OpBody) -> Result<OpSpec, ApiError> {
    let occurrence = o.occurrence;
    if occurrence == Some(0) {
        return Err(ApiError::refused("ops: occurrence counts from 1"));
    }
    let whole = [&o.insert_clause, &o.replace_clause, &o.delete_clause, &o.insert_section, &o.delete_section]
        .iter()
        .filter(|x| x.is_some())
        .count();
    let words = [&o.insert, &o.replace, &o.delete].iter().filter(|x| x.is_some()).count();
    if whole + words != 1 {
        return Err(ApiError::refused(
            "ops: each operation is one of insert, replace, delete (with clause), insert_clause, replace_clause, delete_clause, insert_section or delete_section",
        ));
    }
    if whole == 1 {
        let words = || {
            o.words.clone().ok_or_else(|| ApiError::refused("ops: a clause inserted or replaced needs words"))
        };
        if let Some(v) = &o.insert_clause {
            let (parent, after) = match v.split_once(':') {
                Some((p, a)) => (p.to_string(), Some(a.to_string())),
                None => (v.clone(), None),
            };
            return Ok(OpSpec::insert_clause(parent, after, o.key.clone(), o.label.clone(), words()?)?);
        }
        if let Some(path) = &o.replace_clause {
            return Ok(OpSpec::replace_clause(path.clone(), o.key.clone(), o.label.clone(), words()?));
        }
        if let Some(path) = &o.delete_clause {
            return Ok(OpSpec::DeleteClause { path: path.clone() });
        }
        if let Some(key) = &o.delete_section {
            return Ok(OpSpec::DeleteSection { key: key.clone() });
        }
        let after = o.insert_section.clone().filter(|a| a != "$");
        let heading =
            o.heading.clone().ok_or_else(|| ApiError::refused("ops: insert_section needs heading"))?;
        let clauses = o.clauses.iter().map(|c| (c.label.clone(), c.words.clone())).collect();
        return Ok(OpSpec::insert_section(after, o.key.clone(), heading, clauses));
    }
    let path = o
        .clause
        .clone()
        .ok_or_else(|| ApiError::refused("ops: an edit of words names its clause (clause: PATH)"))?;
    match (&o.insert, &o.replace, &o.delete) {
        (Some(words), None, None) => {
            let (anchor, after) = match (&o.after, &o.before) {
                (Some(a), None) => (a.clone(), true),
                (None, Some(b)) => (b.clone(), false),
                _ => {
                    return Err(ApiError::refused(format!(
                        "ops: insert in {path} takes after or before (one)"
                    )))
                }
            };
            Ok(OpSpec::InsertWords { path, words: words.clone(), anchor, after, occurrence })
        }
        (None, Some(old), None) => match &o.with {
            Some(new) => Ok(OpSpec::ReplaceWords { path, old: old.clone(), new: new.clone(), occurrence }),
            None => Err(ApiError::refused(format!("ops: replace in {path} takes with"))),
        },
        (None, None, Some(words)) => Ok(OpSpec::DeleteWords { path, words: words.clone(), occurrence }),
        _ => {
            Err(ApiError::refused(format!("ops: an operation on {path} is one of insert, replace or delete")))
        }
    }
}

/// A request's body as it arrived, or why it was not taken.
type Body = Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>;

/// The body as text: a body over the limit is 413, one that is not UTF-8 is refused (400), both
/// in the API's error form.
fn text(body: Body) -> Result<String, ApiError> {
    let bytes = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        ApiError::refused(format!("the body: not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
    })
}

/// Records a verb as [`record::record`] does, its event appended through the group-commit
/// writer with the token's clerk as `recorded_by`. Names and defaults are looked up in the
/// record kept in memory, brought up to the log first (and again before a generated amendment
/// id is stepped past, or the conflicts of a proposal are read): no lock is held while the
/// append waits for its commit, so every request in flight shares the writer's next commit.
async fn record_live(
    app: &App,
    clerk: Clerk,
    now: Timestamp,
    req: &Request,
) -> Result<record::Recorded, ApiError> {
    let live = &app.live;
    // The log as it stands when the verb is recorded.
    live.sync_async().await?;
    let retry = record::retry_of(&*live.read(), req)?;
    if let Some(r) = retry {
        return Ok(r);
    }
    let id = req.id.unwrap_or_else(|| EventId(uuid::Uuid::now_v7()));
    let mut tries = 0;
    loop {
        let draft = record::draft(&*live.read(), now, req, id)?;
        let mut event = draft.event.clone();
        event.recorded_by = Some(clerk.clone());
        match app.appender.append(event, req.expected_version).await {
            Ok(x) => {
                if record::reads_after(&draft.event) {
                    live.sync_async().await?;
                }
                return Ok(record::recorded(&*live.read(), draft, x)?);
            }
            Err(e) if record::steps_past(&e, &draft, tries) => {
                tries += 1;
                live.sync_async().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `record VERB`: one procedural event from the fields of `minutes record VERB`, judged by the
/// same rules and appended through the same writer. The token's clerk is `recorded_by`.
#[utoipa::path(post, path = "/api/record/{verb}", params(("verb" = VerbName, Path, description = "The verb, as `minutes record VERB` names it")),
    request_body = RecordBody, security(("bearer" = [])),
    responses(
    (status = 200, description = "Recorded durably (or a retry: existed), as `record --json`", body = RecordedDoc, headers(("Minutes-Seq" = u64, description = "The seq of the last event the answer reflects (at least)"))),
    (status = 400, description = "Refused, with the command line's message", body = ErrorBody),
    (status = 401, description = "No valid bearer token: nothing written", body = ErrorBody),
    (status = 409, description = "The stream is not at the expected version", body = ErrorBody),
    (status = 413, description = "The body is longer than 1 MiB", body = ErrorBody),
    (status = 503, description = "The store is busy with another writer; retry", body = ErrorBody),
    (status = 507, description = "The store is full", body = ErrorBody)))]
async fn record_verb(
    State(app): State<App>,
    headers: HeaderMap,
    verb: Result<Path<VerbName>, axum::extract::rejection::PathRejection>,
    body: Body,
) -> Response {
    let clerk = match clerk(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let result: Result<(u64, serde_json::Value), ApiError> = async {
        let Path(verb) =
            verb.map_err(|_| ApiError::refused("no such verb: see the OpenAPI document for the verbs"))?;
        let body = text(body)?;
        let req: RecordBody = if body.trim().is_empty() {
            RecordBody::default()
        } else {
            serde_json::from_str(&body).map_err(|e| ApiError::refused(format!("the body: {e}")))?
        };
        let req = req.request(verb)?;
        let r = record_live(&app, clerk, app.now(), &req).await?;
        let mut v = serde_json::to_value(&r)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.entry("amendment").or_insert(serde_json::Value::Null);
        }
        Ok::<_, ApiError>((r.seq, v))
    }
    .await;
    match result {
        Ok((seq, v)) => answer(seq, &v),
        Err(e) => e.into_response(),
    }
}
