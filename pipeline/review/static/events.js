// The events view: the events of `newsclaims corroborate` in a list, and one event's claims side by side,
// one column per claim, with the figures each outlet reported. The same rules as the rest of the page hold:
// every value from the server becomes text (el() / textContent), nothing reaches innerHTML, and class names
// are built only from fixed words and numbers counted here, never from data.

import { clear, el, link, sentenceNode, statusKey, statusWord } from "./render.js";

const PAGE_SIZE = 50;
const FIGURE_STATES = {
  compatible: "the figures differ; their ranges overlap",
  conflict: "the figures conflict",
  uncompared: "the figures differ and cannot be compared",
};
const VIA = { direct: "its own source", citation: "cites another outlet", republication: "republished copy" };
const FILTERS = [
  ["claim_type", "all types"],
  ["place", "all places"],
  ["item_class", "all items"],
  ["source", "all sources"],
];
const CHOICES = [
  ["min_sources", [["", "1+ sources"], ["2", "2+ independent sources"], ["3", "3+ independent sources"]]],
  ["min_claims", [["", "1+ claims"], ["2", "2+ claims"], ["3", "3+ claims"]]],
  ["figures", [["", "any figures"], ["several", "several figures"], ["conflict", "conflicting figures"]]],
  ["sort", [["", "most sources first"], ["claims", "most claims first"], ["time", "latest first"]]],
];

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function timeText(time) {
  if (!time || !time.from) return "no time";
  const span = time.from === time.to ? time.from : `${time.from} → ${time.to || "…"}`;
  return time.basis === "stated" ? span : `published ${span}`;
}

function placeText(place) {
  if (!place) return "no place";
  return place.province ? `${place.name}, ${place.province}` : place.name;
}

// "smuggling · Kimjongsuk County, Ryanggang Province · 2025-04-01 → 2025-04-30": how an event is named.
export function eventLabel(event) {
  return `${event.claim_type}${event.negated ? " (denied)" : ""} · ${placeText(event.place)} · ${timeText(event.time)}`;
}

function figureMark(state) {
  if (!FIGURE_STATES[state]) return null;
  return el("span", { class: `figure-state figures-${state}`, "data-figure-state": state }, FIGURE_STATES[state]);
}

function eventRow(event, onOpen) {
  const figures = el("span", { class: "row-figures" });
  for (const text of event.figures) figures.append(el("span", { class: "figure-chip" }, text || "?"));
  const mark = figureMark(event.figure_state);
  if (mark) figures.append(mark);
  const button = el(
    "button",
    { type: "button", class: "event-row", "data-event-id": event.id },
    el("span", { class: "badge type" }, event.claim_type),
    el(
      "span",
      { class: "row-where" },
      el("span", { class: "row-place" }, placeText(event.place)),
      el("span", { class: "row-time" }, timeText(event.time)),
    ),
    el(
      "span",
      { class: "row-sources" },
      el("span", {}, el("strong", {}, plural(event.source_count, "independent source")), ` · ${plural(event.article_count, "article")} · ${plural(event.claim_count, "claim")}`),
      el("span", { class: "row-source-names" }, event.sources.join(", ")),
    ),
    figures,
    el("span", { class: "row-reviewed" }, `${event.reviewed} / ${event.claim_count} reviewed`),
  );
  button.addEventListener("click", () => onOpen(event.id));
  return el("li", {}, button);
}

function listNode(data, { onOpen, onPage }) {
  const node = el("div", { class: "event-list-body" });
  if (!data.total) {
    node.append(
      el("p", { class: "empty" }, "No events match. Events come from newsclaims corroborate: run "),
      el("pre", {}, "newsclaims corroborate RUN_DIR --out RUN_DIR/events.jsonl\nnewsclaims review RUN_DIR"),
    );
    return node;
  }
  const list = el("ol", { class: "event-rows", id: "event-rows" });
  for (const event of data.events) list.append(eventRow(event, onOpen));
  const first = data.offset + 1;
  const last = data.offset + data.events.length;
  const previous = el("button", { type: "button", id: "events-previous" }, "Previous page");
  const next = el("button", { type: "button", id: "events-next" }, "Next page");
  previous.disabled = data.offset === 0;
  next.disabled = last >= data.total;
  previous.addEventListener("click", () => onPage(-1));
  next.addEventListener("click", () => onPage(1));
  const pager = el("div", { class: "pager" }, el("span", { id: "events-range" }, `${first}–${last} of ${plural(data.total, "event")}`), previous, next);
  node.append(pager, list);
  return node;
}

function figuresNode(view) {
  const section = el("section", { class: "event-figures", "aria-label": "figures" }, el("h3", {}, "Figures"));
  if (!view.figures.length) {
    section.append(el("p", { class: "none" }, "No claim of this event gives a figure."));
    return section;
  }
  const mark = figureMark(view.event.figure_state);
  if (mark) section.append(mark);
  const row = el("div", { class: "figure-boxes" });
  view.figures.forEach((figure, index) => {
    const who = figure.reported_by.map((r) => [r.outlet || r.doc_id, r.published].filter(Boolean).join(" "));
    row.append(
      el(
        "div",
        { class: `figure-box fig-${index % 6}`, "data-figure": index },
        el("span", { class: "figure-letter" }, figure.letter),
        el("span", { class: "figure-text" }, figure.text || "?"),
        el("span", { class: "figure-bounds" }, [figure.bounds, figure.unit, figure.per && `per ${figure.per}`].filter(Boolean).join(" ")),
        el("span", { class: "figure-sources" }, `${plural(figure.source_count ?? 0, "independent source")}: ${figure.sources.join(", ")}`),
        el("span", { class: "figure-who" }, `reported by ${who.join("; ")}`),
      ),
    );
  });
  section.append(row);
  return section;
}

function sourceLine(claim, claims) {
  if (claim.republication_of) {
    const original = claims.find((c) => c.document.doc_id === claim.republication_of);
    return `republishes ${original?.outlet || claim.source || "?"} (${claim.republication_of})`;
  }
  if (claim.via === "citation") return `cites ${claim.cites || claim.source || "another outlet"}`;
  return VIA[claim.via] || claim.via || "";
}

function reviewNode(claim, reviewer) {
  const status = statusKey(claim.status);
  const node = el(
    "div",
    { class: "col-status" },
    el("span", { class: `badge status status-${status}`, "data-status": status }, claim.status ? `${statusWord(status)} by you` : "unreviewed by you"),
  );
  const others = claim.reviews.filter((r) => r.reviewer !== reviewer);
  if (others.length) node.append(el("span", { class: "others" }, others.map((r) => `${r.reviewer}: ${statusWord(r.decision)}`).join(" · ")));
  if (claim.is_current === false) node.append(el("span", { class: "badge retired" }, "retired by a later extraction"));
  return node;
}

function columnNode(claim, number, view, { reviewer, onReview }) {
  const doc = claim.document;
  const sourceNumber = Number.isInteger(claim.source_number) ? claim.source_number : 0;
  const figure = Number.isInteger(claim.figure) ? claim.figure : null;
  const several = view.figures.length > 1;
  const column = el("article", {
    class: `event-column src-${sourceNumber % 6}`,
    role: "listitem",
    "data-claim-id": claim.claim_id,
    "data-column": number,
    "data-figure": figure ?? "",
    "aria-label": `claim ${number}: ${claim.outlet || doc.source || doc.doc_id}`,
  });
  column.append(
    el(
      "header",
      { class: "col-head" },
      el("span", { class: "col-number" }, String(number)),
      el("strong", { class: "col-outlet" }, claim.outlet || doc.source || "(no outlet)"),
      el("span", { class: "col-date" }, doc.published || ""),
      el("span", { class: "col-source", title: "independent source" }, sourceNumber ? `S${sourceNumber} ${claim.source || ""}` : claim.source || ""),
      el("span", { class: "col-via" }, sourceLine(claim, view.claims)),
    ),
    el("div", { class: "col-title" }, link(doc.url, doc.title || doc.doc_id)),
  );
  const passage = el("div", { class: "col-sentence" });
  if (claim.sentence.text) passage.append(sentenceNode(claim.sentence.text, claim.highlights, claim.sentence.clause, { id: null }));
  if (!claim.in_database) passage.append(el("p", { class: "warning" }, "Not in this database: shown from the events file, without highlights."));
  else if (claim.dropped_highlights) passage.append(el("p", { class: "warning" }, `${claim.dropped_highlights} part(s) could not be highlighted.`));
  column.append(passage);
  const figureRow = el("div", { class: "col-figure" });
  if (claim.quantity) {
    const classes = ["figure-chip"];
    if (figure !== null) classes.push(`fig-${figure % 6}`);
    if (several) classes.push(view.event.figure_state === "conflict" ? "conflicting" : "differing");
    figureRow.append(
      el("span", { class: classes.join(" ") }, figure !== null ? `${view.figures[figure].letter} ` : "", claim.quantity.text || "?"),
      claim.quantity.bounds ? el("span", { class: "detail" }, claim.quantity.bounds) : null,
    );
    if (several) {
      const othersText = view.figures.filter((_, i) => i !== figure).map((f) => f.text).join(", ");
      figureRow.append(el("span", { class: "figure-versus" }, `${view.event.figure_state === "conflict" ? "conflicts with" : "others say"} ${othersText}`));
    }
  } else figureRow.append(el("span", { class: "none" }, "no figure"));
  const time = claim.time;
  const attribution = claim.attribution || {};
  column.append(
    figureRow,
    el("div", { class: "col-time" }, time ? `${time.text || ""}${time.from ? ` (${time.from} → ${time.to || "…"})` : ""}` : "no time"),
    el(
      "div",
      { class: "col-attribution" },
      el("span", { class: "attribution-status" }, `${attribution.status || "?"}${claim.negated ? " · negated" : ""}`),
      attribution.text ? el("span", { class: "detail" }, `“${attribution.text}”`) : null,
    ),
    reviewNode(claim, reviewer),
  );
  const review = el("button", { type: "button", class: "review-claim", "data-claim-id": claim.claim_id }, "Review this claim ", el("kbd", {}, String(number)));
  review.disabled = !claim.in_database;
  review.addEventListener("click", () => onReview(claim.claim_id));
  column.append(el("div", { class: "col-actions" }, review));
  return column;
}

function linksNode(view) {
  const numbers = new Map(view.claims.map((c, i) => [c.claim_id, i + 1]));
  const details = el("details", { class: "event-links" }, el("summary", {}, `Why these claims are grouped (${plural(view.links.length, "link")})`));
  const list = el("ol");
  for (const lk of view.links) {
    const pair = (lk.claims || []).map((id) => `claim ${numbers.get(id) ?? id}`).join(" ↔ ");
    const parts = Object.entries(lk.fields || {}).map(([name, f]) => `${name} ${f.status}${f.detail ? ` (${f.detail})` : ""}`);
    list.append(el("li", {}, `${pair}: score ${lk.score} · ${parts.join(" · ")}`));
  }
  details.append(list);
  return details;
}

function detailNode(view, { reviewer, onBack, onReview, onReviewAll }) {
  const e = view.event;
  const node = el("article", { class: "event-body", "data-event-id": e.event_id });
  const back = el("button", { type: "button", class: "linklike", id: "event-back" }, "← all events ", el("kbd", {}, "Esc"));
  back.addEventListener("click", onBack);
  const reviewAll = el("button", { type: "button", id: "event-review-all" }, `Review these ${plural(e.claim_count, "claim")} one by one `, el("kbd", {}, "r"));
  reviewAll.addEventListener("click", onReviewAll);
  const sources = el("ul", { class: "event-sources" });
  for (const s of view.sources) {
    const outlets = s.outlets.filter((o) => o !== s.source);
    const carried = outlets.length ? `, also carried by ${outlets.join(", ")}` : "";
    sources.append(el("li", { class: `src-${s.number % 6}` }, el("strong", {}, `S${s.number} ${s.source || "?"}`), ` ${plural(s.article_count ?? 0, "article")}${carried}`));
  }
  const items = e.items.map((i) => `${i.texts.join(" / ")} (${i.class}${i.origins.length ? `, origin ${i.origins.join(", ")}` : ""})`);
  node.append(
    back,
    el("h2", { id: "event-title", tabindex: "-1" }, eventLabel(e)),
    el("p", { class: "event-summary", id: "event-summary" }, `${plural(e.claim_count, "claim")} in ${plural(e.article_count, "article")} from ${plural(e.source_count, "independent source")}`),
    sources,
    items.length ? el("p", { class: "event-items" }, `Items: ${items.join("; ")}`) : null,
    reviewAll,
    figuresNode(view),
  );
  const columns = el("div", { class: "event-columns", id: "event-columns", role: "list", "aria-label": "the claims side by side" });
  view.claims.forEach((claim, i) => columns.append(columnNode(claim, i + 1, view, { reviewer, onReview })));
  node.append(columns);
  if (view.links.length) node.append(linksNode(view));
  return node;
}

// The view's state and keys. `go(hash)` navigates; `review(event, claimId, only)` opens the claims view on a
// claim (only: with the queue narrowed to the event's claims).
export class EventsView {
  constructor({ getJSON, go, review, report, reviewer }) {
    Object.assign(this, { getJSON, go, review, report, reviewer });
    this.filters = {};
    this.offset = 0;
    this.list = null;
    this.view = null;
    this.built = false;
    this.seq = 0;
  }

  query() {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.filters)) if (value) params.set(key, value);
    params.set("offset", String(this.offset));
    params.set("limit", String(PAGE_SIZE));
    return params.toString();
  }

  // #events-view[data-state] is "loading" until what the address names is on screen (statuses may have
  // changed in the claims view meanwhile), then "ready".
  async show(eventId) {
    const root = document.getElementById("events-view");
    root.dataset.state = "loading";
    if (!this.built) {
      this.built = true;
      this.buildFilters(await this.getJSON("/api/event-facets"));
    }
    if (eventId) {
      if (!this.list) this.list = await this.getJSON(`/api/events?${this.query()}`); // for j / k
      if (await this.open(eventId)) root.dataset.state = "ready";
    } else if (await this.showList(this.view?.event.event_id)) root.dataset.state = "ready";
  }

  async showList(focusId) {
    const seq = ++this.seq;
    const data = await this.getJSON(`/api/events?${this.query()}`);
    if (seq !== this.seq) return false;
    this.list = data;
    this.view = null;
    const container = clear(document.getElementById("event-list"));
    container.append(listNode(data, { onOpen: (id) => this.go(`#events/${encodeURIComponent(id)}`), onPage: (d) => this.page(d) }));
    container.hidden = false;
    document.getElementById("event-filters").hidden = false;
    const detail = clear(document.getElementById("event-detail"));
    detail.hidden = true;
    delete detail.dataset.eventId;
    const row = focusId ? container.querySelector(`.event-row[data-event-id="${CSS.escape(focusId)}"]`) : null;
    if (row) row.focus();
    return true;
  }

  async open(eventId) {
    const seq = ++this.seq;
    let view;
    try {
      view = await this.getJSON(`/api/events/${encodeURIComponent(eventId)}`);
    } catch (error) {
      this.report(error);
      if (seq === this.seq) this.go("#events");
      return false;
    }
    if (seq !== this.seq) return false;
    this.view = view;
    const detail = clear(document.getElementById("event-detail"));
    detail.append(
      detailNode(view, {
        reviewer: this.reviewer,
        onBack: () => this.go("#events"),
        onReview: (claimId) => this.review(view.event, claimId, false),
        onReviewAll: () => this.review(view.event, null, true),
      }),
    );
    detail.dataset.eventId = view.event.event_id;
    detail.hidden = false;
    document.getElementById("event-list").hidden = true;
    document.getElementById("event-filters").hidden = true;
    document.getElementById("event-title").focus();
    return true;
  }

  page(delta) {
    if (!this.list) return;
    const next = this.offset + delta * PAGE_SIZE;
    if (next < 0 || next >= this.list.total) return;
    this.offset = next;
    this.go("#events");
  }

  buildFilters(facets) {
    const bar = clear(document.getElementById("event-filters"));
    const change = (key, select) => {
      select.addEventListener("change", () => {
        this.filters[key] = select.value || null;
        this.offset = 0;
        select.blur();
        this.go("#events"); // the list, from page 1
      });
      bar.append(select);
    };
    for (const [key, blank] of FILTERS) {
      const select = el("select", { id: `ef-${key}`, "aria-label": blank }, el("option", { value: "" }, blank));
      for (const option of facets[key] || []) select.append(el("option", { value: option.value }, `${option.name} (${option.count})`));
      change(key, select);
    }
    for (const [key, options] of CHOICES) {
      const select = el("select", { id: `ef-${key}`, "aria-label": options[0][1] });
      for (const [value, name] of options) select.append(el("option", { value }, name));
      change(key, select);
    }
  }

  // Keys of the events view; returns whether the key was used.
  onKey(key) {
    const rows = Array.from(document.querySelectorAll("#event-list:not([hidden]) .event-row"));
    if (this.view) {
      const claims = this.view.claims;
      if (key === "Escape") this.go("#events");
      else if (key === "r") this.review(this.view.event, null, true);
      else if (/^[1-9]$/.test(key) && claims[Number(key) - 1]?.in_database) this.review(this.view.event, claims[Number(key) - 1].claim_id, false);
      else if (key === "j" || key === "k") {
        const ids = (this.list?.events || []).map((e) => e.id);
        const at = ids.indexOf(this.view.event.event_id);
        const target = ids[at + (key === "j" ? 1 : -1)];
        if (at >= 0 && target) this.go(`#events/${encodeURIComponent(target)}`);
      } else return false;
      return true;
    }
    if ((key === "j" || key === "k") && rows.length) {
      const at = rows.indexOf(document.activeElement);
      const target = at < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, at + (key === "j" ? 1 : -1)));
      rows[target].focus();
      return true;
    }
    return false;
  }
}
