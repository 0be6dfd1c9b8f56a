// Kintsugi control room. Vanilla JS; every text from the daemon is set with
// textContent (never parsed as HTML). Live updates arrive as server-sent
// events from /api/live; nothing polls.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { csrf: "", pending: new Map(), next: null, filters: {}, agents: [] };
window.kintsugi = { seen: {} }; // hold id -> Date.now() when it reached the DOM

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function note(text) { $("note").textContent = text; }

async function api(path, opts) {
  const o = Object.assign({ credentials: "same-origin" }, opts || {});
  if (o.method === "POST") o.headers = Object.assign({ "X-Kintsugi-CSRF": state.csrf, "Content-Type": "application/json" }, o.headers || {});
  const r = await fetch(path, o);
  let body = {};
  try { body = await r.json(); } catch (_) { /* not JSON */ }
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function ago(ts) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(ts)) / 1000));
  if (isNaN(s)) return ts;
  if (s < 90) return s + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  return Math.round(s / 3600) + " h";
}

// How long a hold has waited and, once the daemon's hold expiry is known
// (status `pending_ttl_secs`), the time left before it expires.
function waiting(created) {
  let text = "waiting " + ago(created);
  if (state.ttl != null) {
    const left = Math.round((Date.parse(created) + state.ttl * 1000 - Date.now()) / 1000);
    text += left > 0 ? " · expires in " + (left < 90 ? left + " s" : Math.round(left / 60) + " min") : " · EXPIRED";
  }
  return text;
}

// ---- views ----
const VIEWS = ["held", "timeline", "snapshots", "status", "agents"];
function show(view) {
  if (!VIEWS.includes(view)) view = "held";
  for (const v of VIEWS) {
    $("view-" + v).hidden = v !== view;
    const tab = document.querySelector('[data-tab="' + v + '"]');
    if (v === view) tab.setAttribute("aria-current", "page"); else tab.removeAttribute("aria-current");
  }
  if (view === "status") loadStatus();
  if (view === "agents") loadAgents();
  if (view === "snapshots") loadSnapshots();
}
window.addEventListener("hashchange", () => show(location.hash.slice(1)));
document.addEventListener("keydown", (e) => {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const n = Number(e.key);
  if (n >= 1 && n <= VIEWS.length) { location.hash = VIEWS[n - 1]; e.preventDefault(); }
  if (e.key === "/") { location.hash = "timeline"; $("f-text").focus(); e.preventDefault(); }
});

// ---- held ----
function renderHeldCount() {
  $("held-count").textContent = "(" + state.pending.size + ")";
  $("held-empty").hidden = state.pending.size > 0;
  document.title = (state.pending.size ? "(" + state.pending.size + " held) " : "") + "Kintsugi control room";
}

function holdItem(item) {
  const c = item.command;
  const li = el("li", { className: "hold " + item.class });
  li.dataset.hold = item.id;
  li.append(
    el("p", {}, el("span", { className: "label", textContent: item.class + " · held " }), el("code", { textContent: c.raw })),
    el("p", { className: "meta", textContent: "id " + item.id + " · agent " + c.agent + (c.session ? " · session " + c.session : "") + " · in " + c.cwd }),
    el("p", { className: "meta waiting", textContent: waiting(item.created) }),
    el("p", { className: "meta", textContent: item.reason }),
  );
  li.querySelector(".waiting").dataset.created = item.created;
  if (item.preview) li.append(el("pre", { textContent: item.preview }));
  const approve = el("button", { type: "button", className: "approve", textContent: "Approve" });
  approve.dataset.approve = item.id;
  approve.setAttribute("aria-label", "Approve " + c.raw);
  approve.onclick = () => decide(item.id, true, li);
  const deny = el("button", { type: "button", className: "deny", textContent: "Deny" });
  deny.dataset.deny = item.id;
  deny.setAttribute("aria-label", "Deny " + c.raw);
  deny.onclick = () => decide(item.id, false, li);
  li.append(approve, deny);
  return li;
}

function addHold(item) {
  if (item.status && item.status !== "pending") return;
  if (state.pending.has(item.id)) return;
  state.pending.set(item.id, item);
  $("held-list").append(holdItem(item));
  window.kintsugi.seen[item.id] = Date.now();
  renderHeldCount();
}

function removeHold(id) {
  state.pending.delete(id);
  const li = document.querySelector('[data-hold="' + CSS.escape(id) + '"]');
  if (li) li.remove();
  renderHeldCount();
}

async function loadPending() {
  // A list asked for before a live event added a hold is older than that
  // hold: it may only remove holds added before it was asked for.
  const asked = Date.now();
  try {
    const r = await api("/api/pending");
    const now = new Set(r.items.filter((i) => i.status === "pending").map((i) => i.id));
    for (const id of [...state.pending.keys()]) {
      if (!now.has(id) && (window.kintsugi.seen[id] || 0) < asked) removeHold(id);
    }
    for (const i of r.items) addHold(i);
  } catch (e) { note("Could not list held commands: " + e.message); }
}

async function decide(id, approve, li) {
  for (const b of li.querySelectorAll("button")) b.disabled = true;
  const word = approve ? "approve" : "deny";
  note((approve ? "Approving " : "Denying ") + id + "…");
  try {
    const body = approve ? JSON.stringify({ pin: $("pin").value || undefined }) : "";
    await api("/api/" + word + "/" + encodeURIComponent(id), { method: "POST", body });
    note(approve ? "Approved " + id + ": the waiting command may run now." : "Denied " + id + ".");
    removeHold(id);
  } catch (e) {
    note("Could not " + word + " " + id + ": " + e.message);
    for (const b of li.querySelectorAll("button")) b.disabled = false;
  }
}

// ---- timeline ----
function eventRow(ev) {
  const tr = el("tr");
  tr.dataset.seq = ev.seq;
  const dec = ev.decision || "";
  tr.append(
    el("td", { textContent: ev.seq }),
    el("td", { textContent: (ev.ts || "").replace("T", " ").slice(0, 19) }),
    el("td", { textContent: ev.kind }),
    el("td", { textContent: ev.agent || "" }),
    el("td", { className: "decision-" + dec, textContent: dec.toUpperCase() }),
    el("td", { textContent: ev.class || "" }),
    el("td", {}, el("code", { textContent: ev.raw || ev.reason || "" })),
  );
  return tr;
}

function filterQuery() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
  return p;
}

function matches(ev) {
  const f = state.filters;
  if (f.agent && ev.agent !== f.agent) return false;
  if (f.session && ev.session !== f.session) return false;
  if (f.class && ev.class !== f.class) return false;
  if (f.decision && ev.decision !== f.decision) return false;
  if (f.text && !(ev.raw || "").includes(f.text)) return false;
  return true;
}

async function loadEvents(append) {
  const p = filterQuery();
  if (append && state.next) p.set("before", state.next);
  const t0 = performance.now();
  try {
    const r = await api("/api/events?" + p.toString());
    const rows = $("event-rows");
    if (!append) rows.replaceChildren();
    for (const ev of r.events) rows.append(eventRow(ev));
    state.next = r.next_before;
    $("more").hidden = !state.next;
    state.loadMs = Math.round(performance.now() - t0);
    summarize();
  } catch (e) { note("Could not read the ledger: " + e.message); }
}

function summarize() {
  const n = $("event-rows").children.length;
  $("events-summary").textContent = n + " event" + (n === 1 ? "" : "s") + " shown" + (state.next ? " (more below)" : "") + " · last page loaded in " + state.loadMs + " ms";
}

function addEvent(ev) {
  if (!matches(ev)) return;
  const rows = $("event-rows");
  if (rows.querySelector('[data-seq="' + ev.seq + '"]')) return;
  rows.prepend(eventRow(ev));
  summarize();
}

$("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  state.filters = {};
  for (const k of ["text", "agent", "session", "class", "decision"]) state.filters[k] = $("f-" + k).value.trim();
  loadEvents(false);
});
$("clear").onclick = () => { $("filters").reset(); state.filters = {}; loadEvents(false); };
$("more").onclick = () => loadEvents(true);

// ---- snapshots ----
async function loadSnapshots() {
  try {
    const r = await api("/api/snapshots");
    const list = $("snap-list");
    list.replaceChildren();
    for (const s of r.snapshots) {
      const li = el("li", { className: "snap" });
      li.dataset.snapshot = s.id;
      const undo = el("button", { type: "button", textContent: "Undo" });
      undo.dataset.undo = s.id;
      undo.setAttribute("aria-label", "Undo " + s.command);
      undo.onclick = () => undoSnapshot(s.id, undo);
      li.append(
        el("p", {}, el("code", { textContent: s.command })),
        el("p", { className: "meta", textContent: s.id + " · " + s.created + " · " + s.files + " files, " + s.bytes + " bytes" + (s.complete ? "" : " · INCOMPLETE") }),
        el("p", { className: "meta", textContent: s.covers }),
        undo,
      );
      list.append(li);
    }
    $("snap-empty").hidden = r.snapshots.length > 0;
  } catch (e) { note("Could not list snapshots: " + e.message); }
}

async function undoSnapshot(id, button) {
  button.disabled = true;
  note("Undoing " + id + "…");
  try {
    const r = await api("/api/undo/" + encodeURIComponent(id), { method: "POST" });
    note("Undone " + id + ": " + r.text.split("\n").filter((l) => l.trim()).join(" · "));
  } catch (e) { note("Could not undo " + id + ": " + e.message); }
  button.disabled = false;
}

// ---- status and agents ----
async function loadStatus() {
  try {
    const r = await api("/api/status");
    const s = r.daemon;
    const rows = [
      ["Daemon", "running, pid " + s.pid + ", version " + (s.version || "?") + ", up " + (s.uptime_secs ?? "?") + " s"],
      ["Mode", (s.mode || "?") + (s.panic ? " — KILL SWITCH ON" : "")],
      ["Scorer", s.scorer],
      ["Held now", (s.pending ?? 0) + (s.pending_ttl_secs ? " (a hold expires after " + s.pending_ttl_secs + " s)" : "")],
      ["Ledger", (s.ledger_len ?? "?") + " events, head " + (s.ledger_head || "-")],
      ["Last checkpoint", s.last_checkpoint ? "#" + s.last_checkpoint.seq + " at " + s.last_checkpoint.time : "none yet"],
      ["Fleet", s.fleet ? "backlog " + s.fleet.backlog + " events" : "not configured"],
      ["Admin vault", s.admin || "-"],
      ["Connections", (s.connections ?? "?") + " requests, " + (s.subscribers ?? "?") + " live streams"],
      ["Data dir", r.web.data_dir],
    ];
    const guards = s.guards || [];
    rows.push(["Guard layers", guards.length ? guards.length + " guarded agent(s) running" : "no `kintsugi guard` running"]);
    for (const g of guards) {
      const layer = g.layer === "exec" ? "exec supervisor: every exec judged" : "PATH shims only: absolute paths are not seen";
      rows.push(["Guarded " + g.agent, layer + " (guard pid " + g.guard_pid + ", session " + g.session + ")"]);
    }
    for (const w of s.warnings || []) rows.push(["Warning", w]);
    const dl = $("status-list");
    dl.replaceChildren();
    for (const [k, v] of rows) dl.append(el("dt", { textContent: k }), el("dd", { textContent: String(v) }));
  } catch (e) { note("No status: " + e.message); }
}

$("verify").onclick = async () => {
  $("verify-result").textContent = "Verifying…";
  try {
    const r = await api("/api/verify", { method: "POST" });
    $("verify-result").textContent = r.text;
  } catch (e) { $("verify-result").textContent = "Could not verify: " + e.message; }
};

async function loadAgents() {
  try {
    const r = await api("/api/agents");
    const held = {};
    for (const i of state.pending.values()) held[i.command.agent] = (held[i.command.agent] || 0) + 1;
    const rows = $("agent-rows");
    rows.replaceChildren();
    for (const a of r.agents) {
      const live = Date.now() - Date.parse(a.last_seen) < 10 * 60 * 1000;
      rows.append(el("tr", {},
        el("td", { textContent: a.agent }),
        el("td", { textContent: live ? "LIVE (seen in the last 10 min)" : "idle" }),
        el("td", { textContent: a.events }),
        el("td", { textContent: a.last_seen + " (" + ago(a.last_seen) + " ago)" }),
        el("td", { textContent: held[a.agent] || 0 })));
    }
    const wiring = $("wiring-rows");
    wiring.replaceChildren();
    for (const w of r.wiring || []) {
      const hook = w.wired ? "WIRED (kintsugi hook runs first)" : (w.installed ? "NOT WIRED: run `kintsugi init`" : "-");
      wiring.append(el("tr", {},
        el("td", { textContent: w.agent }),
        el("td", { textContent: w.installed ? "installed" : "not found" }),
        el("td", { textContent: hook })));
    }
  } catch (e) { note("Could not list agents: " + e.message); }
}

// ---- live ----
function connectLive() {
  const es = new EventSource("/api/live");
  es.addEventListener("hello", () => { loadPending(); });
  es.addEventListener("link", (e) => {
    const m = JSON.parse(e.data);
    $("link").textContent = m.up ? "Live feed: connected" : "Live feed: DAEMON UNREACHABLE (" + m.why + ")";
    if (m.up) { loadPending(); loadEvents(false); }
  });
  es.addEventListener("queue", (e) => {
    const m = JSON.parse(e.data);
    if (m.change === "created") addHold(m.item); else removeHold(m.item.id);
  });
  es.addEventListener("event", (e) => {
    const ev = JSON.parse(e.data);
    addEvent(ev);
    if (ev.snapshot && !$("view-snapshots").hidden) loadSnapshots();
  });
  es.addEventListener("resync", () => { loadPending(); loadEvents(false); });
  es.onopen = () => { $("link").textContent = "Live feed: connected"; };
  es.onerror = () => { $("link").textContent = "Live feed: reconnecting…"; };
}

setInterval(() => {
  for (const w of document.querySelectorAll(".waiting")) w.textContent = waiting(w.dataset.created);
}, 1000);

(async function start() {
  try {
    state.csrf = (await api("/api/session")).csrf;
  } catch (e) { note("Not logged in: " + e.message); return; }
  try { state.ttl = (await api("/api/status")).daemon.pending_ttl_secs; } catch (_) { /* shown by the status view */ }
  show(location.hash.slice(1));
  connectLive();
  await Promise.all([loadPending(), loadEvents(false)]);
  document.body.dataset.ready = "yes";
})();
