// The review page: state, keys, and the conversation with the server.
// A decision gets its id here (crypto.randomUUID); the card moves on only when the server confirmed the
// write. On a network failure the card stays and the same decision is sent again, and again, with the same
// id (the server records it once). A decision not yet confirmed is kept in localStorage, so closing the tab
// loses nothing: the next visit sends it first.

import { EventsView, eventLabel } from "./events.js";
import { anyDialogOpen, openCorrection, openFlag, openHelp } from "./forms.js";
import { articleNode, cardNode, clear, el, progressText, statusWord } from "./render.js";

const FILTERS = ["claim_type", "status", "place", "agency", "item_class", "source", "q"];
const FILTER_NAMES = { claim_type: "all types", status: "any status", place: "all places", agency: "all agencies", item_class: "all items", source: "all sources" };
const STATUSES = [["unreviewed", "unreviewed"], ["accept", "accepted"], ["reject", "rejected"], ["correct", "corrected"], ["flag", "flagged"], ["skip", "skipped"]];

const state = {
  reviewer: null, vocabulary: null, facets: null, filters: {}, docFilter: null,
  queue: [], index: -1, card: null, busy: false, loadSeq: 0, articles: new Map(),
  // The events view: which view shows, the event whose claims the queue is narrowed to, the event the
  // reviewer came from ({id, label}), a jump waiting for the claims view, and where `v` returns to.
  view: "claims", eventFilter: null, eventScope: null, pending: null, eventsHash: "#events", events: null,
};
const $ = (id) => document.getElementById(id);
const WRITE_TIMEOUT_MS = 10000;

class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
  }
}

export function newDecisionId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Pages served to another machine over plain http are not a secure context: build a v4 UUID by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.error);
  return data;
}

// Pending writes survive a closed tab.
const pendingKey = () => `newsclaims-review:pending:${location.host}:${state.reviewer}`;
function savePending(write) {
  try { localStorage.setItem(pendingKey(), JSON.stringify(write)); } catch { /* storage off: the retry loop still holds it */ }
}
function loadPending() {
  try { return JSON.parse(localStorage.getItem(pendingKey()) || "null"); } catch { return null; }
}
function clearPending() {
  try { localStorage.removeItem(pendingKey()); } catch { /* nothing stored */ }
}

// POST until the server answers: 2xx returns the data, 4xx throws ApiError, anything else waits and retries.
async function commit(path, body, what) {
  savePending({ path, body });
  for (let attempt = 1; ; attempt++) {
    let failure;
    // A request that hangs (a stalled proxy, a server stuck on a lock) counts as failed and is sent again.
    const controller = new AbortController();
    const limit = Number(document.body.dataset.writeTimeoutMs) || WRITE_TIMEOUT_MS; // tests shorten it
    const timer = setTimeout(() => controller.abort(), limit);
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const data = await response.json().catch(() => null);
      if (response.ok && data) {
        clearPending();
        hideBanner();
        return data;
      }
      if (response.status >= 400 && response.status < 500) {
        clearPending();
        throw new ApiError(response.status, data?.error);
      }
      failure = response.ok ? "the answer was cut off" : data?.error?.message || `the server answered ${response.status}`;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      failure = controller.signal.aborted ? `no answer within ${limit / 1000} s` : "the server cannot be reached";
    } finally {
      clearTimeout(timer);
    }
    const wait = Math.min(1000 * 2 ** (attempt - 1), 10000);
    showBanner(`Not saved yet (${what}): ${failure}. Retrying in ${Math.round(wait / 1000)} s with the same decision id; the card stays until the server confirms.`, "error");
    document.body.dataset.state = "retrying";
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function showBanner(text, kind = "info") {
  const banner = $("banner");
  banner.className = `banner ${kind}`;
  banner.textContent = text;
  banner.hidden = false;
}
function hideBanner() {
  $("banner").hidden = true;
}

function setProgress(progress) {
  $("progress-text").textContent = progressText(progress);
  const share = progress.total ? (100 * progress.reviewed) / progress.total : 0;
  $("progress-fill").style.width = `${share.toFixed(1)}%`;
}

function filterQuery() {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (state.filters[key]) params.set(key, state.filters[key]);
  if (state.docFilter) params.set("doc_id", state.docFilter);
  if (state.eventFilter) params.set("event_id", state.eventFilter);
  return params.toString();
}

async function loadQueue() {
  const data = await getJSON(`/api/queue?${filterQuery()}`);
  state.queue = data.claims;
  setProgress(data.progress);
}

function firstUnreviewed(after = -1) {
  const n = state.queue.length;
  for (let step = 1; step <= n; step++) {
    const i = (after + step + n) % n;
    if (!state.queue[i].status) return i;
  }
  return -1;
}

function positionText() {
  if (state.index < 0) return "not in the current view";
  const scope = state.docFilter ? "in this article" : state.eventFilter ? "in this event" : Object.values(state.filters).some(Boolean) ? "matching the filters" : "";
  return `claim ${state.index + 1} of ${state.queue.length}${scope ? ` ${scope}` : ""}`;
}

async function article(docId) {
  if (!state.articles.has(docId)) state.articles.set(docId, await getJSON(`/api/documents/${encodeURIComponent(docId)}`));
  return state.articles.get(docId);
}

async function showClaim(claimId) {
  const seq = ++state.loadSeq;
  const card = await getJSON(`/api/claims/${encodeURIComponent(claimId)}`);
  const view = await article(card.document.doc_id);
  if (seq !== state.loadSeq) return; // a newer navigation won
  state.card = card;
  state.index = state.queue.findIndex((entry) => entry.id === claimId);
  const node = cardNode(card, { reviewer: state.reviewer, position: positionText(), articleCount: state.docFilter ? 0 : view.claims.length });
  const container = clear($("card"));
  container.dataset.claimId = card.claim_id;
  container.dataset.status = card.decision ? card.decision.decision : "none";
  container.append(node);
  const only = $("article-only");
  if (only) only.addEventListener("click", () => setDocFilter(card.document.doc_id));
  clear($("article")).append(articleNode(view, card.claim_id, (id) => showClaim(id).catch(report)));
  $("article").hidden = false;
  $("done").hidden = true;
  $("actions").hidden = false;
}

async function showIndex(index) {
  if (index < 0 || index >= state.queue.length) return showDone();
  await showClaim(state.queue[index].id);
}

function showDone() {
  state.card = null;
  state.index = -1;
  const container = clear($("card"));
  delete container.dataset.claimId;
  const filtered = state.docFilter || state.eventFilter || Object.values(state.filters).some(Boolean);
  $("done").hidden = false;
  $("done-text").textContent = state.queue.length
    ? `Every claim ${filtered ? "in this view " : ""}has a decision. Use j / k to go through them again, change the filters, or export: newsclaims review export --out reviewed.jsonl`
    : "No claims match these filters.";
  $("actions").hidden = !state.queue.length;
  $("article").hidden = true;
}

function applyStatus(claimId, status) {
  for (const entry of state.queue) if (entry.id === claimId) entry.status = status;
  for (const view of state.articles.values()) for (const entry of view.claims) if (entry.id === claimId) entry.status = status;
}

// While a write is on its way the page is busy: keys are ignored and body[data-state] says "saving"
// (or "retrying"); it is "ready" again only once the page shows where the write led.
function setBusy(busy) {
  state.busy = busy;
  document.body.dataset.state = busy ? "saving" : "ready";
}

// Record a decision on the current card; the page moves on only after the server confirmed it.
async function decide(decision, extra = {}) {
  if (state.busy || !state.card) return null;
  setBusy(true);
  const claimId = state.card.claim_id;
  const body = { decision_id: newDecisionId(), claim_id: claimId, decision, ...extra };
  try {
    const data = await commit("/api/decisions", body, statusWord(decision));
    applyStatus(claimId, decision);
    setProgress(data.progress);
    const from = state.queue.findIndex((entry) => entry.id === claimId);
    const next = firstUnreviewed(from);
    await showIndex(next);
    return null;
  } catch (error) {
    if (error instanceof ApiError) {
      showBanner(error.message, "error");
      return error.message;
    }
    throw error;
  } finally {
    setBusy(false);
  }
}

async function undo() {
  if (state.busy) return;
  setBusy(true);
  try {
    const data = await commit("/api/undo", { decision_id: newDecisionId() }, "undo");
    const claimId = data.decision.claim_id;
    applyStatus(claimId, null);
    setProgress(data.progress);
    await showClaim(claimId);
    showBanner(`Undone: your ${statusWord(data.undone?.decision)} decision on this claim was withdrawn (a new row supersedes it; nothing was deleted).`);
  } catch (error) {
    if (error instanceof ApiError) showBanner(error.message, "error");
    else throw error;
  } finally {
    setBusy(false);
  }
}

function step(delta) {
  if (!state.queue.length) return;
  const base = state.index < 0 ? (delta > 0 ? -1 : state.queue.length) : state.index;
  const target = Math.max(0, Math.min(state.queue.length - 1, base + delta));
  if (target !== state.index) showIndex(target).catch(report);
}

function correct() {
  if (!state.card || state.busy) return;
  const card = state.card;
  const earlier = card.decision?.decision === "correct" ? card.decision.corrected : {};
  openCorrection(
    $("dialog"),
    {
      original: card.editable,
      start: { ...card.editable, ...earlier },
      vocabulary: state.vocabulary,
      itemClasses: (state.facets?.item_class || []).map((f) => f.value),
    },
    (corrected, note) => decide("correct", { corrected, note }),
    () => {},
  );
}

function flag() {
  if (!state.card || state.busy) return;
  openFlag($("dialog"), (note) => decide("flag", { note }), () => {});
}

async function setDocFilter(docId) {
  state.docFilter = docId;
  $("doc-filter").hidden = !docId;
  if (docId) $("doc-filter-text").textContent = `Only this article: ${state.articles.get(docId)?.document.title || docId}`;
  await reload(state.card?.claim_id);
}

async function reload(keepId) {
  await loadQueue();
  const keep = keepId ? state.queue.findIndex((entry) => entry.id === keepId) : -1;
  const target = keep >= 0 ? keep : firstUnreviewed();
  await showIndex(target >= 0 ? target : state.queue.length ? 0 : -1);
}

// Views: "#events" is the list of events, "#events/ID" one event's claims side by side; anything else is the
// claims view. Every navigation goes through the hash, so Back and reloading work.
function go(hash) {
  if (location.hash === hash) route().catch(report);
  else location.hash = hash;
}

function showView(view) {
  state.view = view;
  document.body.dataset.view = view;
  $("events-view").hidden = view !== "events";
  $("tab-claims").setAttribute("aria-pressed", String(view === "claims"));
  $("tab-events").setAttribute("aria-pressed", String(view === "events"));
}

async function route() {
  const found = location.hash.match(/^#events(?:\/(.+))?$/);
  if (found) {
    state.eventsHash = location.hash;
    showView("events");
    await state.events.show(found[1] ? decodeURIComponent(found[1]) : null);
    return;
  }
  showView("claims");
  const pending = state.pending;
  state.pending = null;
  showEventBar();
  if (!pending) return;
  if (pending.filter !== state.eventFilter) {
    state.eventFilter = pending.filter;
    showEventBar();
    await reload(pending.claimId);
  } else if (pending.claimId) await showClaim(pending.claimId);
  else await reload();
}

// From an event to the claims view: one claim (only = false), or the event's claims as the queue.
function reviewFromEvent(event, claimId, only) {
  state.eventScope = { id: event.event_id, label: eventLabel(event), count: event.claim_count };
  state.pending = { claimId, filter: only ? event.event_id : null };
  go("#claims");
}

function showEventBar() {
  const scope = state.eventScope;
  $("event-bar").hidden = !scope;
  if (!scope) return;
  $("event-bar-text").textContent = state.eventFilter ? `Only the ${scope.count} claims of the event: ${scope.label}` : `From the event: ${scope.label}`;
  $("event-bar-all").hidden = !state.eventFilter;
}

function backToEvent() {
  if (state.eventScope) go(`#events/${encodeURIComponent(state.eventScope.id)}`);
}

async function showAllClaims() {
  state.eventFilter = null;
  showEventBar();
  await reload(state.card?.claim_id);
}

function typing(target) {
  if (!(target instanceof Element) || target.closest("dialog:not([open])")) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (anyDialogOpen() || typing(event.target)) return;
  // Space and Enter on a focused button or link press it, as everywhere else.
  if ((event.key === " " || event.key === "Enter") && event.target instanceof Element && ["BUTTON", "A", "SUMMARY"].includes(event.target.tagName)) return;
  if (state.view === "events") {
    // None of the claim keys work here: the card is not on screen.
    const used = event.key === "v" ? (go("#claims"), true) : event.key === "?" ? (openHelp($("dialog"), () => {}), true) : state.events.onKey(event.key);
    if (used) event.preventDefault();
    return;
  }
  const actions = {
    a: () => decide("accept"),
    x: () => decide("reject"),
    " ": () => decide("skip"),
    e: correct,
    f: flag,
    u: undo,
    j: () => step(1),
    k: () => step(-1),
    "?": () => openHelp($("dialog"), () => {}),
    "/": () => $("f-q").focus(),
    v: () => go(state.eventsHash),
    b: backToEvent,
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  if (state.busy && event.key !== "?") return; // a write is on its way: nothing may land on the next card
  Promise.resolve(action()).catch(report);
}

function report(error) {
  showBanner(error instanceof ApiError ? error.message : `Something went wrong: ${error.message || error}. Reload the page.`, "error");
}

function buildFilters() {
  const bar = $("filters");
  const options = { ...state.facets, status: STATUSES.map(([value, name]) => ({ value, name })) };
  for (const key of ["claim_type", "status", "place", "agency", "item_class", "source"]) {
    const select = el("select", { id: `f-${key}`, "aria-label": FILTER_NAMES[key] }, el("option", { value: "" }, FILTER_NAMES[key]));
    let group = null;
    for (const option of options[key] || []) {
      const node = el("option", { value: option.value }, option.count === undefined ? option.name : `${option.name} (${option.count})`);
      if (option.group) {
        if (!group || group.label !== option.group) {
          group = el("optgroup");
          group.label = option.group;
          select.append(group);
        }
        group.append(node);
      } else select.append(node);
    }
    select.addEventListener("change", () => {
      state.filters[key] = select.value || null;
      select.blur();
      reload().catch(report);
    });
    bar.append(select);
  }
  const search = el("input", { type: "search", id: "f-q", placeholder: "Search sentences and titles  ( / )", "aria-label": "search", autocomplete: "off" });
  let timer = null;
  const run = () => {
    state.filters.q = search.value.trim() || null;
    reload().catch(report);
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 350);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      clearTimeout(timer);
      run();
    } else if (event.key === "Escape") search.blur();
  });
  bar.append(search);
}

function bindButtons() {
  const handlers = {
    "btn-accept": () => decide("accept"), "btn-reject": () => decide("reject"), "btn-skip": () => decide("skip"),
    "btn-correct": correct, "btn-flag": flag, "btn-undo": undo, "btn-prev": () => step(-1), "btn-next": () => step(1),
    "help-button": () => openHelp($("dialog"), () => {}), "doc-filter-clear": () => setDocFilter(null),
    "tab-claims": () => go("#claims"), "tab-events": () => go(state.eventsHash), "event-bar-all": showAllClaims,
    "event-bar-back": backToEvent,
  };
  for (const [id, handler] of Object.entries(handlers)) {
    $(id).addEventListener("click", (event) => {
      event.currentTarget.blur(); // so that a later space skips instead of pressing this button again
      Promise.resolve(handler()).catch(report);
    });
  }
}

async function start() {
  const info = await getJSON("/api/state");
  state.reviewer = info.reviewer;
  state.vocabulary = info.vocabulary;
  $("reviewer").textContent = info.reviewer;
  $("database").textContent = info.database;
  $("events-count").textContent = `(${info.events})`;
  state.events = new EventsView({ getJSON, go, review: reviewFromEvent, report, reviewer: info.reviewer });
  setProgress(info.progress);
  state.facets = await getJSON("/api/facets");
  buildFilters();
  bindButtons();
  document.addEventListener("keydown", onKey);
  window.addEventListener("beforeunload", (event) => {
    if (state.busy) event.preventDefault(); // a decision is not confirmed yet
  });
  const pending = loadPending();
  if (pending) {
    showBanner("Sending a decision the server had not confirmed before the page closed…");
    setBusy(true);
    try {
      await commit(pending.path, pending.body, "earlier decision");
      showBanner("An earlier decision that was not confirmed before the page closed is now saved.");
    } catch (error) {
      if (error instanceof ApiError) showBanner(`An earlier decision could not be saved: ${error.message}`, "error");
    } finally {
      state.busy = false;
    }
  }
  await reload();
  window.addEventListener("hashchange", () => route().catch(report));
  await route();
  document.body.dataset.state = "ready";
}

start().catch(report);
