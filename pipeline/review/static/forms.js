// The dialogs: correct a claim (e), flag it with a note (f), and the key list (?, claims and events views).
// Enter saves and Esc cancels in both forms; the page's own keys are off while a dialog is open.

import { clear, el } from "./render.js";

const KEYS = [
  ["a", "accept the claim"],
  ["x", "reject the claim"],
  ["space", "skip (come back to it later)"],
  ["e", "correct: fix quantity, time, items, places, agencies, type"],
  ["f", "flag with a note (needs a second look)"],
  ["u", "undo your last decision and go back to it"],
  ["j / k", "next / previous claim"],
  ["/", "search"],
  ["v", "switch between claims and events"],
  ["b", "back to the event you came from"],
  ["?", "show this list"],
  ["Enter / Esc", "in a form: save / cancel"],
  ["j / k", "events: next / previous event (Enter opens it)"],
  ["1 … 9", "in an event: review that claim"],
  ["r", "in an event: review its claims one by one"],
  ["Esc", "in an event: back to the list of events"],
];

export function anyDialogOpen() {
  return document.querySelector("dialog[open]") !== null;
}

// A closed dialog can keep focus on one of its fields until the browser's next focus fix-up; the page's keys
// would take that field for a text field and do nothing. Move focus out as the dialog closes.
function releaseFocus(dialog) {
  if (dialog.contains(document.activeElement)) document.activeElement.blur();
}

// Enter saves from any field (not from a button, which Enter presses); Esc cancels even from a select,
// which would otherwise keep the key for itself.
function formKeys(form, dialog) {
  form.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    const tag = event.target.tagName;
    if (event.key === "Enter" && tag !== "TEXTAREA" && tag !== "BUTTON") {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      dialog.close();
    }
  });
}

function show(dialog, form, { onSubmit, onClose }) {
  let done = false;
  const finish = () => {
    releaseFocus(dialog);
    if (!done) {
      done = true;
      onClose();
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await onSubmit();
  });
  dialog.addEventListener("close", finish, { once: true });
  dialog.showModal();
  const first = form.querySelector("input, select, textarea");
  if (first) first.focus();
}

export function openHelp(dialog, onClose) {
  clear(dialog);
  const table = el("table", { class: "keys" });
  for (const [key, what] of KEYS) {
    table.append(el("tr", {}, el("th", {}, el("kbd", {}, key)), el("td", {}, what)));
  }
  const close = el("button", { type: "button", class: "primary" }, "Close (Esc)");
  close.addEventListener("click", () => dialog.close());
  dialog.append(
    el("h2", {}, "Keys"),
    table,
    el("p", { class: "hint" }, "Keys do nothing while a text field has focus. Every action also has a button."),
    el("div", { class: "dialog-actions" }, close),
  );
  dialog.addEventListener("close", () => { releaseFocus(dialog); onClose(); }, { once: true });
  dialog.showModal();
  close.focus();
}

export function openFlag(dialog, onSave, onClose) {
  clear(dialog);
  const note = el("input", { type: "text", id: "flag-note", maxlength: 2000, placeholder: "What needs a second look?", autocomplete: "off" });
  const message = el("p", { class: "form-error", "aria-live": "polite" });
  const cancel = el("button", { type: "button" }, "Cancel (Esc)");
  cancel.addEventListener("click", () => dialog.close());
  const form = el(
    "form",
    { id: "flag-form" },
    el("h2", {}, "Flag this claim"),
    el("label", { for: "flag-note" }, "Note"),
    note,
    message,
    el("div", { class: "dialog-actions" }, cancel, el("button", { type: "submit", class: "primary" }, "Flag (Enter)")),
  );
  formKeys(form, dialog);
  dialog.append(form);
  show(dialog, form, {
    onSubmit: async () => {
      const error = await onSave(note.value.trim() || null);
      if (error) message.textContent = error;
      else dialog.close();
    },
    onClose,
  });
}

// The correction form. `original` is the claim as extracted (editable fields), `start` what the form shows
// first (the reviewer's earlier correction applied, if any). Only fields that differ from the original are sent.
export function openCorrection(dialog, { original, start, vocabulary, itemClasses }, onSave, onClose) {
  clear(dialog);
  const message = el("p", { class: "form-error", "aria-live": "polite" });
  const form = el("form", { id: "correct-form", class: "correct" }, el("h2", {}, "Correct this claim"));

  const select = (id, values, value, { blank = false } = {}) => {
    const node = el("select", { id });
    if (blank) node.append(el("option", { value: "" }, "—"));
    for (const v of values) node.append(el("option", { value: v }, v));
    node.value = value ?? "";
    return node;
  };
  const input = (id, type, value, extra = {}) => {
    const node = el("input", { id, type, autocomplete: "off", ...extra });
    node.value = value ?? "";
    return node;
  };

  const claimType = select("c-claim_type", vocabulary.claim_types, start.claim_type);
  const status = select("c-attribution", vocabulary.attribution_statuses, start.attribution_status);
  const negated = input("c-negated", "checkbox", "");
  negated.checked = Boolean(start.negated);
  form.append(
    el(
      "div",
      { class: "form-top" },
      labelled("claim type", claimType),
      labelled("attribution", status),
      el("div", { class: "inline" }, negated, el("label", { for: "c-negated" }, "negated (says it did not happen)")),
    ),
  );
  const grid = el("div", { class: "form-grid" });
  form.append(grid);

  const q = start.quantity || {};
  const hasQuantity = input("c-has-quantity", "checkbox", "");
  hasQuantity.checked = start.quantity !== null;
  const qValue = input("c-q-value", "number", q.value, { step: "any", min: 0 });
  const qLower = input("c-q-lower", "number", q.lower, { step: "any", min: 0 });
  const qUpper = input("c-q-upper", "number", q.upper, { step: "any", min: 0 });
  const qUnit = input("c-q-unit", "text", q.unit, { maxlength: 32, placeholder: "CNY, people…" });
  grid.append(
    el("fieldset", {}, el("legend", {}, "Quantity"),
      el("div", { class: "inline" }, hasQuantity, el("label", { for: "c-has-quantity" }, "the claim states a quantity")),
      el("div", { class: "grid4" }, labelled("value", qValue), labelled("at least", qLower), labelled("at most", qUpper), labelled("unit", qUnit))),
  );

  const t = start.time || {};
  const hasTime = input("c-has-time", "checkbox", "");
  hasTime.checked = start.time !== null;
  const tFrom = input("c-t-from", "date", t.from);
  const tTo = input("c-t-to", "date", t.to);
  grid.append(
    el("fieldset", {}, el("legend", {}, "Time"),
      el("div", { class: "inline" }, hasTime, el("label", { for: "c-has-time" }, "the claim states a time")),
      el("div", { class: "grid2" }, labelled("from", tFrom), labelled("to", tTo))),
  );

  const classList = el("datalist", { id: "c-item-classes" });
  for (const c of itemClasses) classList.append(el("option", { value: c }));
  form.append(classList);
  const items = rows(grid, "Items", "item", start.items, "class", (value, n) => input(`c-item-class-${n}`, "text", value, { list: "c-item-classes", placeholder: "class" }));
  const places = rows(grid, "Places", "place", start.locations, "role", (value, n) => select(`c-place-role-${n}`, vocabulary.location_roles, value, { blank: true }));
  const agencies = rows(grid, "Agencies", "agency", start.agencies, "role", (value, n) => select(`c-agency-role-${n}`, vocabulary.agency_roles, value, { blank: true }));
  const note = input("c-note", "text", "", { maxlength: 2000, placeholder: "optional: why, or where the right figure is" });
  grid.append(el("fieldset", {}, el("legend", {}, "Note for the trail"), note));
  form.append(message);

  const cancel = el("button", { type: "button" }, "Cancel (Esc)");
  cancel.addEventListener("click", () => dialog.close());
  form.append(el("div", { class: "dialog-actions" }, cancel, el("button", { type: "submit", class: "primary" }, "Save correction (Enter)")));
  formKeys(form, dialog);
  dialog.append(form);

  const number = (node) => (node.value.trim() === "" ? null : Number(node.value));
  const read = () => ({
    claim_type: claimType.value,
    quantity: hasQuantity.checked ? { value: number(qValue), lower: number(qLower), upper: number(qUpper), unit: qUnit.value.trim() || null } : null,
    time: hasTime.checked ? { from: tFrom.value || null, to: tTo.value || null } : null,
    items: items().map(([text, cls]) => ({ text, class: cls || null })),
    locations: places().map(([text, role]) => ({ text, role: role || null })),
    agencies: agencies().map(([text, role]) => ({ text, role: role || null })),
    attribution_status: status.value,
    negated: negated.checked,
  });

  show(dialog, form, {
    onSubmit: async () => {
      const values = read();
      const corrected = {};
      for (const [key, value] of Object.entries(values)) {
        if (canonical(value) !== canonical(original[key])) corrected[key] = value;
      }
      if (!Object.keys(corrected).length) {
        message.textContent = "Nothing differs from the extraction: press Esc and accept the claim instead.";
        return;
      }
      const error = await onSave(corrected, note.value.trim() || null);
      if (error) message.textContent = error;
      else dialog.close();
    },
    onClose,
  });
}

function labelled(text, control) {
  return el("div", { class: "labelled" }, el("label", { for: control.id }, text), control);
}

// A list of (text, second) rows with add and remove buttons; returns a function reading the non-empty rows.
function rows(form, title, noun, entries, secondKey, makeSecond) {
  const fieldset = el("fieldset", { class: "rows" }, el("legend", {}, title));
  const list = el("div", { class: "row-list" });
  let counter = 0;
  const add = (text, second) => {
    counter += 1;
    const textInput = el("input", { type: "text", id: `c-${noun}-text-${counter}`, maxlength: 200, placeholder: noun, autocomplete: "off", "aria-label": `${noun} text` });
    textInput.value = text ?? "";
    const secondInput = makeSecond(second, counter);
    secondInput.setAttribute("aria-label", `${noun} ${secondKey}`);
    const remove = el("button", { type: "button", class: "remove", title: `remove this ${noun}`, "aria-label": `remove ${noun}` }, "×");
    const line = el("div", { class: "row" }, textInput, secondInput, remove);
    remove.addEventListener("click", () => line.remove());
    list.append(line);
    return textInput;
  };
  for (const entry of entries) add(entry.text, entry[secondKey]);
  const more = el("button", { type: "button", class: "add" }, `+ add ${noun}`);
  more.addEventListener("click", () => add("", null).focus());
  fieldset.append(list, more);
  form.append(fieldset);
  return () =>
    Array.from(list.querySelectorAll(".row"))
      .map((line) => [line.children[0].value.trim(), line.children[1].value.trim()])
      .filter(([text]) => text !== "");
}

// Stable JSON for comparing a form value with the extraction (numbers, nulls and key order normalised).
function canonical(value) {
  if (value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k] ?? null)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
