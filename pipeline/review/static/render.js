// Building the page from API data. Every value from the server becomes a text node (textContent or
// append(string)); no data ever reaches innerHTML, and only allow-listed attributes are set.

export const LABELS = ["QUANTITY", "TIME", "VEHICLE", "GOODS", "COUNTY", "PROVINCE", "PLACE", "AGENCY", "TRIGGER", "SOURCE"];
const LABEL_SET = new Set(LABELS);
export const LABEL_NAMES = {
  QUANTITY: "quantity", TIME: "time", VEHICLE: "vehicle", GOODS: "goods", COUNTY: "county", PROVINCE: "province",
  PLACE: "place", AGENCY: "agency", TRIGGER: "trigger", SOURCE: "attribution", OTHER: "other",
};
const STATUS_WORDS = { accept: "accepted", reject: "rejected", correct: "corrected", flag: "flagged", skip: "skipped" };
const ATTRIBUTES = new Set([
  "id", "title", "type", "role", "for", "name", "value", "placeholder", "tabindex", "min", "step", "list",
  "aria-label", "aria-live", "aria-pressed", "aria-current", "autocomplete", "maxlength", "href", "target", "rel",
]);

export function statusWord(status) {
  return Object.hasOwn(STATUS_WORDS, status) ? STATUS_WORDS[status] : "unreviewed";
}

// A status as it may appear in a class name: one of the known decisions, or "none".
export function statusKey(status) {
  return Object.hasOwn(STATUS_WORDS, status) ? status : "none";
}

export function safeLabel(label) {
  return LABEL_SET.has(label) ? label : "OTHER";
}

// An absolute http(s) URL with a host, or null: nothing else becomes a link.
export function safeHref(url) {
  if (typeof url !== "string" || url.length > 2048) return null;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname ? parsed.href : null;
  } catch {
    return null;
  }
}

// el("p", {class: "x", text: "..."}, child, "text", ...): a new element; strings become text nodes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "href") {
      const href = safeHref(value);
      if (href) node.setAttribute("href", href);
    } else if (key.startsWith("data-") || ATTRIBUTES.has(key)) node.setAttribute(key, value === true ? "" : String(value));
    else throw new Error(`attribute not allowed: ${key}`);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function link(url, text) {
  const href = safeHref(url);
  if (!href) return el("span", { class: "url-text", title: "not an http(s) link" }, String(text ?? url ?? ""));
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, String(text ?? href));
}

// The sentence with the claim's parts highlighted. Offsets are code points (as Python counts them), so the
// text is split with Array.from, which yields code points: an emoji before a part shifts nothing.
// `id` is the card's sentence by default; the events view draws several sentences and passes null.
export function sentenceNode(text, highlights, clause, { id = "sentence" } = {}) {
  const points = Array.from(text);
  const [clauseStart, clauseEnd] = Array.isArray(clause) ? clause : [0, points.length];
  const p = el("p", { class: "sentence", id });
  const plain = (from, to) => {
    const cuts = [from, to, clauseStart, clauseEnd].filter((x) => x >= from && x <= to).sort((a, b) => a - b);
    for (let i = 0; i < cuts.length - 1; i++) {
      const [a, b] = [cuts[i], cuts[i + 1]];
      if (a >= b) continue;
      const inside = a >= clauseStart && b <= clauseEnd;
      p.append(el("span", { class: inside ? "clause" : "outside" }, points.slice(a, b).join("")));
    }
  };
  let at = 0;
  const sorted = [...highlights].sort((x, y) => x.start - y.start);
  for (const h of sorted) {
    const ok = Number.isInteger(h.start) && Number.isInteger(h.end) && h.start >= at && h.start < h.end && h.end <= points.length;
    if (!ok) continue;
    plain(at, h.start);
    const label = safeLabel(h.label);
    const inside = h.start >= clauseStart && h.end <= clauseEnd;
    const surface = points.slice(h.start, h.end).join("");
    p.append(
      el(
        "mark",
        {
          class: `hl hl-${label}${inside ? "" : " outside"}`,
          "data-label": label,
          "data-name": LABEL_NAMES[label],
          "data-start": h.start,
          "data-end": h.end,
          title: `${LABEL_NAMES[label]}: ${surface}`,
        },
        surface,
      ),
    );
    at = h.end;
  }
  plain(at, points.length);
  return p;
}

export function legendNode(highlights, partialClause) {
  const present = LABELS.concat(["OTHER"]).filter((label) => highlights.some((h) => safeLabel(h.label) === label));
  const legend = el("div", { class: "legend", "aria-label": "highlight colours" });
  for (const label of present) {
    legend.append(el("span", { class: `chip hl-${label}` }, LABEL_NAMES[label]));
  }
  if (partialClause) legend.append(el("span", { class: "chip chip-clause" }, "grey text: outside this claim's clause"));
  return legend;
}

function fieldList(fields, extraClass = "") {
  const dl = el("dl", { class: `fields ${extraClass}` });
  for (const field of fields) {
    dl.append(el("dt", {}, field.name));
    const dd = el("dd");
    if (!field.entries.length) dd.append(el("span", { class: "none" }, "—"));
    for (const entry of field.entries) {
      const row = el("div", { class: "entry" }, el("span", { class: "main" }, entry.text));
      if (entry.detail) row.append(el("span", { class: "detail" }, entry.detail));
      dd.append(row);
    }
    dl.append(dd);
  }
  return dl;
}

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

function historyNode(history, reviewer) {
  const details = el("details", { class: "history" }, el("summary", {}, `Decision trail (${history.length})`));
  const list = el("ol");
  for (const d of history) {
    const who = d.reviewer === reviewer ? `${d.reviewer} (you)` : d.reviewer;
    const what = d.decision === "undo" ? "undid a decision" : statusWord(d.decision);
    const item = el("li", {}, el("span", { class: "when" }, when(d.created_at)), ` ${who} ${what}`);
    if (d.note) item.append(el("span", { class: "note" }, ` — “${d.note}”`));
    list.append(item);
  }
  details.append(list);
  return details;
}

// The whole card for one claim.
export function cardNode(card, { reviewer, position, articleCount }) {
  const doc = card.document;
  const status = card.decision ? card.decision.decision : null;
  const node = el("article", { class: "card-body", "data-claim-id": card.claim_id });
  const badges = el(
    "div",
    { class: "badges" },
    el("span", { class: "badge type" }, card.claim_type),
    el("span", { class: `badge status status-${status || "none"}`, id: "card-status" }, status ? `${statusWord(status)} by you` : "unreviewed"),
    card.is_current ? null : el("span", { class: "badge retired" }, "retired by a later extraction"),
    el("span", { class: "position" }, position),
  );
  const title = el("h2", { class: "title" }, link(doc.url, doc.title || "(untitled article)"));
  const meta = el("div", { class: "meta" });
  for (const bit of [doc.source, doc.published]) {
    if (bit) meta.append(el("span", {}, bit));
  }
  if (doc.url_text) meta.append(el("span", { class: "source-link" }, link(doc.url, doc.url_text)));
  if (articleCount) meta.append(el("button", { type: "button", class: "linklike", id: "article-only" }, `review this article only (${articleCount} claims)`));
  node.append(badges, title, meta);

  const passage = el("div", { class: "passage" });
  if (card.before) passage.append(el("p", { class: "context before" }, card.before));
  passage.append(sentenceNode(card.sentence.text, card.highlights, card.sentence.clause));
  if (card.after) passage.append(el("p", { class: "context after" }, card.after));
  const [clauseStart, clauseEnd] = card.sentence.clause;
  const partial = clauseStart > 0 || clauseEnd < Array.from(card.sentence.text).length;
  node.append(passage, legendNode(card.highlights, partial));
  if (card.dropped_highlights) {
    node.append(el("p", { class: "warning" }, `${card.dropped_highlights} part(s) could not be highlighted: their offsets do not match the sentence.`));
  }
  if (card.corrected_fields) {
    node.append(el("h3", {}, "Your correction"), fieldList(card.corrected_fields, "corrected"), el("h3", {}, "As extracted"));
  }
  node.append(fieldList(card.fields));
  if (card.decision && card.decision.note) node.append(el("p", { class: "your-note" }, `Your note: ${card.decision.note}`));
  if (card.history.length) node.append(historyNode(card.history, reviewer));
  return node;
}

// The article panel: every claim of the card's article, the current one marked.
export function articleNode(view, currentId, onPick) {
  const panel = el("div", { class: "article-body" }, el("h3", {}, "This article"), el("p", { class: "article-title" }, view.document.title || "(untitled)"));
  const list = el("ol", { class: "article-claims" });
  for (const claim of view.claims) {
    const current = claim.id === currentId;
    const button = el(
      "button",
      { type: "button", class: `claim-link${current ? " current" : ""}`, "aria-current": current ? "true" : null, "data-claim-id": claim.id },
      el("span", { class: `dot status-${claim.status || "none"}`, title: statusWord(claim.status) }),
      el("span", { class: "claim-type" }, claim.type),
      el("span", { class: "claim-text" }, claim.sentence || ""),
    );
    button.addEventListener("click", () => onPick(claim.id));
    list.append(el("li", {}, button));
  }
  panel.append(list);
  return panel;
}

export function progressText(progress) {
  const c = progress.counts;
  let text = `${progress.reviewed} / ${progress.total} reviewed: ${c.accept} accepted, ${c.reject} rejected, ${c.correct} corrected`;
  if (c.flag) text += `, ${c.flag} flagged`;
  if (c.skip) text += ` · ${c.skip} skipped`;
  return text;
}
