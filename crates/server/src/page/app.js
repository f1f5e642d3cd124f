// The timeline page of `minutes serve`: the meeting's timeline, a moment picked on it, the
// chosen document's text at that moment marked with its changes, and, for a signed-in clerk,
// forms that post to the same API. Vanilla JS; everything it reads comes from /api.
"use strict";

const $ = (id) => document.getElementById(id);
const S = {
  meeting: null, ls: null, events: [], zone: "UTC", start: 0, end: 1, moment: 0,
  doc: null, seq: 0, feed: null, playing: null, token: sessionStorage.getItem("minutes-token") || "",
  clerk: null, refresh: null, selection: null,
};

// ---- the API -------------------------------------------------------------------------------
async function get(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const r = await fetch(path + (q.toString() ? "?" + q : ""));
  const seq = Number(r.headers.get("Minutes-Seq") || 0);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  if (seq > S.seq) S.seq = seq;
  return body;
}

async function post(path, body) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer " + S.token },
    body: JSON.stringify(body),
  });
  let json = {};
  try { json = await r.json(); } catch (_) { json = { error: r.statusText }; }
  if (!r.ok) throw new Error(json.error || ("HTTP " + r.status));
  return json;
}

// ---- time in the meeting's zone ------------------------------------------------------------
function parts(ms) {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: S.zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const p = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return p;
}
function local(ms) { const p = parts(ms); return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`; }
function hm(ms) { const p = parts(ms); return `${p.hour}:${p.minute}`; }
// The instant of a local "YYYY-MM-DD HH:MM" in the meeting's zone.
function instant(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)$/.exec(text.trim());
  if (!m) return null;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const p = parts(t);
    const shown = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
    t += guess - shown;
  }
  return t;
}
function dayStart(dateText) { return instant(dateText + " 00:00"); }
function rfc(ms) { return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"); }
const when = (w) => ({ from: w && w.from ? Date.parse(w.from) : null, to: w && w.to ? Date.parse(w.to) : null });

// ---- loading -------------------------------------------------------------------------------
async function loadMeetings() {
  const ms = await get("/api/meetings");
  const sel = $("meeting");
  sel.replaceChildren(...ms.map((m) => new Option(m, m)));
  const want = new URLSearchParams(location.search).get("meeting");
  if (want && ms.includes(want)) sel.value = want;
  if (ms.length) await loadMeeting(sel.value);
}

async function loadMeeting(id) {
  S.meeting = id;
  S.ls = await get("/api/ls", { meeting: id });
  S.events = await get("/api/replay", { meeting: id });
  S.zone = S.ls.time_zone;
  $("zone").textContent = S.zone;
  $("meeting-title").textContent = S.ls.title;
  S.start = dayStart(S.ls.days[0]);
  S.end = dayStart(S.ls.days[1]) + 24 * 3600 * 1000;
  fill($("filter-body"), S.ls.bodies.map((b) => [b.id, b.name]), "all");
  fill($("filter-actor"), S.ls.actors.map((a) => [a.id, a.name]), "all");
  fill($("doc"), S.ls.documents.map((d) => [d.name, `${d.title} (${d.name})`]));
  fill($("prop-by"), S.ls.actors.map((a) => [a.id, a.name]));
  fill($("session-body"), S.ls.bodies.map((b) => [b.id, b.name]));
  const want = new URLSearchParams(location.search).get("doc");
  if (want) $("doc").value = want;
  S.doc = $("doc").value || null;
  const at = new URLSearchParams(location.search).get("at");
  setMoment(at && instant(at) !== null ? instant(at) : S.start + 9 * 3600 * 1000, false);
  drawTimeline();
  await showDocument();
  subscribe();
}

function fill(sel, pairs, all) {
  const keep = sel.value;
  const opts = pairs.map(([v, t]) => new Option(t, v));
  if (all) opts.unshift(new Option(all, ""));
  sel.replaceChildren(...opts);
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

// ---- the timeline --------------------------------------------------------------------------
const pos = (ms) => (100 * (ms - S.start)) / (S.end - S.start);
const visible = (ms) => ms !== null && ms >= S.start && ms < S.end;

function drawTimeline() {
  const tl = document.createElement("div");
  tl.className = "tl";
  const days = document.createElement("div");
  days.className = "tl-days";
  for (let d = S.start; d < S.end; d += 24 * 3600 * 1000) {
    const x = document.createElement("div");
    x.className = "tl-day";
    x.style.left = pos(d) + "%";
    x.style.width = pos(d + 24 * 3600 * 1000) - pos(d) + "%";
    x.textContent = local(d).slice(0, 10);
    days.append(x);
  }
  tl.append(days);
  const lanes = S.ls.bodies.map((b) => [b.id, b.name]).concat([["", "meeting"]]);
  const fb = $("filter-body").value, fa = $("filter-actor").value;
  for (const [id, name] of lanes) {
    const lane = document.createElement("div");
    lane.className = "tl-lane";
    lane.dataset.body = id;
    const label = document.createElement("span");
    label.className = "tl-lane-name";
    label.textContent = name;
    lane.append(label);
    for (const s of S.ls.sessions.filter((s) => s.body === id)) {
      const o = when(s.opened), c = s.closed ? when(s.closed) : { from: S.end, to: S.end };
      const a = o.from ?? o.to, z = c.to ?? c.from ?? S.end;
      if (a === null) continue;
      const band = document.createElement("div");
      band.className = "tl-session";
      band.style.left = pos(Math.max(a, S.start)) + "%";
      band.style.width = Math.max(0.2, pos(Math.min(z, S.end)) - pos(Math.max(a, S.start))) + "%";
      band.title = `session of ${name}: ${local(a)} to ${s.closed ? local(z) : "open"}`;
      lane.append(band);
    }
    for (const e of S.events.filter((e) => (e.body || "") === id)) {
      const w = when(e.occurred);
      const a = w.from ?? w.to, z = w.to ?? w.from;
      if (!visible(a) && !visible(z)) continue;
      const m = document.createElement("button");
      m.type = "button";
      m.className = "tl-mark";
      m.dataset.seq = e.seq;
      const uncertainWindow = w.from !== null && w.to !== null && w.to > w.from;
      if (uncertainWindow) {
        m.classList.add("uncertain");
        m.style.left = pos(Math.max(a, S.start)) + "%";
        m.style.width = Math.max(0.3, pos(Math.min(z, S.end)) - pos(Math.max(a, S.start))) + "%";
      } else {
        m.style.left = pos(a) + "%";
      }
      m.title = `${describe(e)} (${windowText(w)})`;
      m.setAttribute("aria-label", m.title);
      if ((fb && e.body !== fb) || (fa && !(e.actors || []).includes(fa))) m.classList.add("hidden");
      m.addEventListener("click", () => setMoment(z ?? a, true));
      lane.append(m);
    }
    tl.append(lane);
  }
  const now = document.createElement("div");
  now.className = "tl-now";
  now.id = "tl-now";
  tl.append(now);
  $("timeline").replaceChildren(tl);
  placeNow();
}

function windowText(w) {
  if (w.from !== null && w.to !== null && w.from !== w.to) return `${local(w.from)} to ${hm(w.to)}`;
  return local(w.to ?? w.from);
}

function describe(e) {
  const d = e.data || {};
  const who = (e.actors || []).join(", ");
  const what = { AmendmentProposed: `amendment ${d.amendment} proposed`, AmendmentAccepted: `amendment ${d.amendment} accepted`,
    AmendmentWithdrawn: `amendment ${d.amendment} withdrawn`, AmendmentRejected: `amendment ${d.amendment} rejected`,
    AmendmentReferredToReport: `amendment ${d.amendment} referred to the report` }[e.type] || e.type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return [e.document, what, who && `by ${who}`, d.summary].filter(Boolean).join(": ");
}

function placeNow() {
  const n = $("tl-now");
  if (n) n.style.left = pos(S.moment) + "%";
  for (const m of document.querySelectorAll(".tl-mark")) {
    const e = S.events.find((x) => x.seq === Number(m.dataset.seq));
    const w = e ? when(e.occurred) : { from: null, to: null };
    m.classList.toggle("future", (w.from ?? w.to) > S.moment);
  }
}

// ---- the moment ----------------------------------------------------------------------------
function setMoment(ms, refresh) {
  S.moment = Math.max(S.start, Math.min(S.end, ms));
  $("moment").value = local(S.moment);
  $("slider").value = Math.round((1000 * (S.moment - S.start)) / (S.end - S.start));
  placeNow();
  listEvents();
  if (refresh) scheduleDocument();
}

function scheduleDocument() {
  clearTimeout(S.refresh);
  S.refresh = setTimeout(showDocument, 120);
}

function step(dir) {
  const ends = S.events.map((e) => { const w = when(e.occurred); return w.to ?? w.from; }).filter(visible).sort((a, b) => a - b);
  const next = dir > 0 ? ends.find((t) => t > S.moment) : ends.reverse().find((t) => t < S.moment);
  if (next !== undefined) setMoment(next, true);
}

function togglePlay() {
  if (S.playing) { clearInterval(S.playing); S.playing = null; }
  else {
    S.playing = setInterval(() => {
      const pace = Number($("pace").value);
      if (S.moment >= S.end) return togglePlay();
      setMoment(S.moment + pace * 250, true);
    }, 250);
  }
  $("play").textContent = S.playing ? "Pause" : "Play";
  $("play").setAttribute("aria-pressed", S.playing ? "true" : "false");
}

function listEvents() {
  const fb = $("filter-body").value, fa = $("filter-actor").value;
  const items = [];
  for (const e of S.events) {
    const w = when(e.occurred);
    if ((w.from ?? w.to) > S.moment) continue;
    if ((fb && e.body !== fb) || (fa && !(e.actors || []).includes(fa))) continue;
    const li = document.createElement("li");
    const uncertain = w.to !== null && S.moment < w.to;
    if (uncertain) li.className = "uncertain";
    li.textContent = `${windowText(w)} ${uncertain ? "(uncertain) " : ""}${describe(e)}`;
    items.push(li);
  }
  $("events").replaceChildren(...items.reverse().slice(0, 200));
}

// ---- the document --------------------------------------------------------------------------
async function showDocument() {
  S.doc = $("doc").value || null;
  if (!S.doc) return;
  const at = rfc(S.moment);
  try {
    const [st, mk] = await Promise.all([get("/api/state", { doc: S.doc, at }), get("/api/marked", { doc: S.doc, at })]);
    renderState(st);
    renderMarked(mk, st);
  } catch (e) {
    $("status").textContent = e.message;
    $("text").replaceChildren();
  }
}

function renderState(st) {
  $("status").textContent = st.status
    ? `${st.status.replace(/_/g, " ")}${st.body ? ", before " + st.body : ""} at ${local(Date.parse(st.at))}; version ${st.version}`
    : `not yet tabled at ${local(Date.parse(st.at))}`;
  const pending = st.amendments.filter((a) => a.status === "pending").map((a) => {
    const li = document.createElement("li");
    li.dataset.amendment = a.id;
    li.textContent = `${a.id} (${a.proposed_by.join(", ") || "proposer not recorded"}): ${a.summary}`;
    if (S.clerk) {
      const span = document.createElement("span");
      span.className = "fates";
      for (const [verb, label] of [["accept", "Accept"], ["reject", "Reject"], ["withdraw", "Withdraw"], ["refer", "Refer to report"]]) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        b.dataset.verb = verb;
        b.addEventListener("click", () => record(verb, { amendment: a.id, doc: S.doc }));
        span.append(b);
      }
      li.append(span);
    }
    return li;
  });
  for (const m of st.may_be_pending || []) {
    const li = document.createElement("li");
    li.className = "uncertain-item";
    li.textContent = `${m.id} (${(m.proposed_by || []).join(", ")}): ${m.summary} (${m.why.replace(/_/g, " ")})`;
    pending.push(li);
  }
  $("pending").replaceChildren(...pending);
  $("conflicts").replaceChildren(...(st.conflicts || []).map((c) => {
    const li = document.createElement("li");
    li.textContent = `${c.amendment} and ${c.with} both touch “${c.words}”`;
    return li;
  }));
  $("uncertain").replaceChildren(...(st.uncertain || []).map((u) => {
    const li = document.createElement("li");
    li.className = "uncertain-item";
    li.textContent = `${u.description} (${windowText(when(u.occurred))})`;
    return li;
  }));
}

function renderMarked(mk, st) {
  const byAmendment = new Map((st.amendments || []).map((a) => [a.id, a]));
  const lines = mk.lines.map((l) => {
    const div = document.createElement("div");
    div.className = "line " + (l.path === "title" ? "title" : l.depth === 0 && l.path !== "preamble" ? "heading" : "");
    div.dataset.path = l.path;
    div.style.marginLeft = l.depth * 1.2 + "rem";
    const path = document.createElement("span");
    path.className = "path";
    path.textContent = l.path;
    div.append(path);
    const words = document.createElement("span");
    words.className = "words";
    for (const r of l.runs) {
      if (r.op === "equal") { words.append(r.text); continue; }
      const el = document.createElement(r.op === "insert" ? "ins" : "del");
      const a = document.createElement("a");
      a.href = "#change-" + r.change;
      a.textContent = r.text;
      const c = mk.changes[r.change];
      if (c) a.title = `${c.amendment || "revision"} by ${c.proposed_by.join(", ")}`;
      el.append(a);
      el.dataset.change = r.change;
      words.append(el);
    }
    div.append(words);
    return div;
  });
  $("text").replaceChildren(...lines);
  $("changes").replaceChildren(...mk.changes.map((c, i) => {
    const li = document.createElement("li");
    li.id = "change-" + i;
    const a = c.amendment && byAmendment.get(c.amendment);
    const head = document.createElement("strong");
    head.textContent = c.amendment ? `Amendment ${c.amendment}` : "Revision";
    li.append(head, ` proposed by ${c.proposed_by.join(", ") || "(not recorded)"}: ${c.summary}`);
    const proposal = c.amendment && S.events.find((e) => e.type === "AmendmentProposed" && e.data && e.data.amendment === c.amendment);
    if (proposal && proposal.source) {
      const q = document.createElement("div");
      q.className = "quote proposal-quote";
      q.textContent = `proposed: “${proposal.source.quote}” (${proposal.source.file}, ${proposal.source.section})`;
      li.append(q);
    }
    const src = c.event && c.event.source;
    if (src) {
      const q = document.createElement("div");
      q.className = "quote";
      q.textContent = `${c.event.type === "AmendmentAccepted" ? "accepted" : "took effect"}: “${src.quote}” (${src.file}, ${src.section})`;
      li.append(q);
    }
    const w = c.event ? when(c.event.occurred) : null;
    if (w) li.append(document.createTextNode(` ${c.event.type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()} ${windowText(w)}`));
    if (a && a.decided) li.dataset.decided = a.decided.id;
    return li;
  }));
}

// ---- live ----------------------------------------------------------------------------------
function subscribe() {
  if (S.feed) S.feed.close();
  S.feed = new EventSource("/api/feed?after=" + S.seq);
  S.feed.onopen = () => { $("live").hidden = false; };
  S.feed.onerror = () => { $("live").hidden = true; };
  S.feed.onmessage = async (m) => {
    const e = JSON.parse(m.data);
    if (e.seq > S.seq) S.seq = e.seq;
    if (e.meeting !== S.meeting) return;
    if (!S.events.some((x) => x.id === e.id)) S.events.push(e);
    try { S.ls = await get("/api/ls", { meeting: S.meeting }); } catch (_) { /* keep the last listing */ }
    fill($("doc"), S.ls.documents.map((d) => [d.name, `${d.title} (${d.name})`]));
    if ($("follow").checked) setMoment(Date.now(), false);
    drawTimeline();
    listEvents();
    scheduleDocument();
  };
}

// ---- clerks --------------------------------------------------------------------------------
async function signIn(token) {
  S.token = token;
  const r = await fetch("/api/whoami", { headers: { "Authorization": "Bearer " + token } });
  const body = await r.json();
  if (!r.ok) { S.clerk = null; $("clerk").textContent = body.error; $("clerk-forms").hidden = true; return; }
  S.clerk = body.clerk;
  sessionStorage.setItem("minutes-token", token);
  $("clerk").textContent = "signed in as " + S.clerk;
  $("clerk-forms").hidden = false;
  scheduleDocument();
}

function say(text, ok) {
  $("message").textContent = text;
  $("message").classList.toggle("ok", !!ok);
}

async function record(verb, fields) {
  const at = $("rec-at").value.trim() || local(S.moment);
  try {
    const r = await post("/api/record/" + verb, Object.assign({ at }, fields));
    say(`recorded: seq ${r.seq}, ${r.description}${r.amendment ? " (" + r.amendment + ")" : ""}`, true);
    await showDocument();
  } catch (e) {
    say(e.message, false);
  }
}

// The last words selected in a clause: kept as the selection changes, since pressing a button
// (with a finger on a phone, say) may clear the selection itself.
function selectedWords() {
  const sel = window.getSelection();
  const text = sel ? sel.toString().trim() : "";
  const node = sel && sel.anchorNode;
  const line = node && (node.nodeType === 1 ? node : node.parentElement).closest("#text .line");
  return text && line ? { clause: line.dataset.path, words: text } : null;
}
document.addEventListener("selectionchange", () => { const w = selectedWords(); if (w) S.selection = w; });

function useSelection() {
  const w = selectedWords() || S.selection;
  if (!w) return say("select words in a clause of the text first", false);
  $("prop-clause").value = w.clause;
  $("prop-words").value = w.words;
  $("prop-new").focus();
}

function propose(ev) {
  ev.preventDefault();
  const clause = $("prop-clause").value.trim(), words = $("prop-words").value.trim(), neu = $("prop-new").value.trim();
  const kind = $("prop-kind").value;
  const op = { clause };
  if (kind === "replace") Object.assign(op, { replace: words, with: neu });
  else if (kind === "delete") op.delete = words;
  else Object.assign(op, { insert: neu, [kind]: words });
  record("propose", { doc: S.doc, by: [$("prop-by").value], ops: [op] });
}

// ---- wiring --------------------------------------------------------------------------------
function wire() {
  $("meeting").addEventListener("change", (e) => loadMeeting(e.target.value));
  $("doc").addEventListener("change", () => showDocument());
  $("slider").addEventListener("input", (e) => setMoment(S.start + ((S.end - S.start) * Number(e.target.value)) / 1000, true));
  $("moment").addEventListener("change", (e) => { const t = instant(e.target.value); if (t !== null) setMoment(t, true); });
  $("moment").addEventListener("keydown", (e) => { if (e.key === "Enter") { const t = instant(e.target.value); if (t !== null) setMoment(t, true); } });
  $("prev").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  $("play").addEventListener("click", togglePlay);
  $("filter-body").addEventListener("change", () => { drawTimeline(); listEvents(); });
  $("filter-actor").addEventListener("change", () => { drawTimeline(); listEvents(); });
  $("signin").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()); });
  $("use-selection").addEventListener("click", useSelection);
  $("propose-form").addEventListener("submit", propose);
  $("open-session").addEventListener("click", () => record("open-session", { body: $("session-body").value, meeting: S.meeting }));
  $("close-session").addEventListener("click", () => record("close-session", { body: $("session-body").value, meeting: S.meeting }));
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, select, textarea")) return;
    if (e.key === "[") step(-1);
    else if (e.key === "]") step(1);
    else if (e.key === "p") togglePlay();
  });
}

wire();
if (S.token) signIn(S.token);
loadMeetings().catch((e) => { $("status").textContent = e.message; });
