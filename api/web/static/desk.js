// Record from the page: a form for any event type, generated from GET /event-types (each type's
// JSON Schema and example). The API key lives in sessionStorage for this browser session and is
// sent as a Bearer header, never a cookie. Problems from the server appear beside their field.
(function () {
  "use strict";
  const section = document.getElementById("record");
  if (!section) return;
  const KEY = "nt-api-key";
  const talksId = section.dataset.talksId;
  const streams = JSON.parse(section.dataset.streams);
  const keyForm = document.getElementById("key-form");
  const keyInput = document.getElementById("api-key");
  const keyStatus = document.getElementById("key-status");
  const forget = document.getElementById("forget-key");
  const form = document.getElementById("event-form");
  const typeSelect = document.getElementById("ev-type");
  const streamSelect = document.getElementById("ev-stream");
  const dataBox = document.getElementById("ev-data");
  const sourcesBox = document.getElementById("sources");
  const status = document.getElementById("record-status");
  let types = {};
  let sourceCount = 0;
  section.hidden = false;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A field: label, control, and the place its problem is shown (aria-describedby).
  function field(pointer, labelText, control) {
    const box = el("div", { class: "field", "data-pointer": pointer });
    const id = "f" + pointer.replace(/[^a-z0-9]/gi, "-");
    control.id = id;
    box.append(el("label", { for: id }, labelText), " ", control);
    return box;
  }

  function resolve(schema, root) {
    if (schema && schema.$ref) return resolve(root.$defs[schema.$ref.split("/").pop()], root);
    if (schema && schema.anyOf) {
      const other = schema.anyOf.find((s) => s.type !== "null");
      return Object.assign({}, resolve(other, root), { nullable: true });
    }
    return schema || {};
  }

  function control(schema, value) {
    let node;
    if (schema.enum) {
      node = el("select");
      if (schema.nullable) node.append(el("option", { value: "" }, ""));
      schema.enum.forEach((v) => node.append(el("option", { value: v }, v)));
      node.value = value === undefined || value === null ? "" : value;
      node.dataset.shape = "string";
    } else if (schema.type === "boolean") {
      node = el("input", { type: "checkbox" });
      node.checked = Boolean(value);
      node.dataset.shape = "boolean";
    } else if (schema.type === "integer" || schema.type === "number") {
      node = el("input", { type: "number" });
      node.value = value === undefined || value === null ? "" : value;
      node.dataset.shape = "number";
    } else if (schema.type === "array" && schema.items && schema.items.type === "string") {
      node = el("textarea", { rows: "3" });
      node.value = (value || []).join("\n");
      node.dataset.shape = "lines";
    } else if (schema.type === "string") {
      node = el("input", { type: "text" });
      node.value = value === undefined || value === null ? "" : value;
      node.dataset.shape = "string";
    } else {
      node = el("textarea", { rows: "3" });
      node.value = value === undefined || value === null ? "" : JSON.stringify(value);
      node.dataset.shape = "json";
    }
    return node;
  }

  function read(node) {
    const shape = node.dataset.shape;
    if (shape === "boolean") return node.checked;
    const text = node.value.trim();
    if (text === "") return undefined;
    if (shape === "number") return Number(text);
    if (shape === "lines") return text.split("\n").map((s) => s.trim()).filter(Boolean);
    if (shape === "json") { try { return JSON.parse(text); } catch (e) { return text; } }
    return text;
  }

  function buildData(name, preset) {
    const type = types[name];
    const root = type.schema;
    const data = resolve(root.properties.data, root);
    const example = Object.assign({}, type.examples[0].body.data, preset || {});
    dataBox.querySelectorAll(".field").forEach((n) => n.remove());
    document.getElementById("ev-description").textContent = type.description;
    Object.entries(data.properties || {}).forEach(([key, raw]) => {
      const schema = resolve(raw, root);
      const required = (data.required || []).includes(key);
      const node = control(schema, example[key]);
      node.dataset.key = key;
      if (required) node.setAttribute("aria-required", "true");
      dataBox.append(field("/data/" + key, (schema.title || key) + (required ? " (required)" : ""), node));
    });
    const kind = type.aggregate;
    streamSelect.replaceChildren();
    if (type.creates_stream && kind !== "talks") {
      streamSelect.append(el("option", { value: "new:" + kind }, "A new " + kind.slice(0, -1) + " of these talks"));
    } else {
      streams.filter((s) => kind === "any" || s.kind === kind)
        .forEach((s) => streamSelect.append(el("option", { value: s.kind + ":" + s.id }, s.label)));
    }
  }

  function addSource(values) {
    const n = sourceCount++;
    const box = el("fieldset", { class: "source" });
    box.append(el("legend", {}, "Source " + (n + 1)));
    [["outlet", "Outlet"], ["url", "URL"], ["published_at", "Published (RFC 3339)"], ["quote", "Verbatim quote"]]
      .forEach(([key, text]) => {
        const node = el(key === "quote" ? "textarea" : "input", key === "quote" ? { rows: "2" } : { type: "text" });
        node.dataset.source = key;
        node.value = (values && values[key]) || "";
        box.append(field("/sources/" + n + "/" + key, text, node));
      });
    sourcesBox.append(box);
  }

  function body() {
    const data = {};
    dataBox.querySelectorAll("[data-key]").forEach((node) => {
      const value = read(node);
      if (value !== undefined) data[node.dataset.key] = value;
    });
    const [kind] = streamSelect.value.split(":");
    if (kind !== "talks" && types[typeSelect.value].creates_stream) data.talks_id = talksId;
    const occurred = {};
    [["precision", "oc-precision"], ["value", "oc-value"], ["wording", "oc-wording"], ["anchor", "oc-anchor"]]
      .forEach(([key, id]) => { const v = document.getElementById(id).value.trim(); if (v) occurred[key] = v; });
    const sources = [...sourcesBox.querySelectorAll(".source")].map((box) => {
      const source = {};
      box.querySelectorAll("[data-source]").forEach((node) => {
        if (node.value.trim()) source[node.dataset.source] = node.value.trim();
      });
      return source;
    }).filter((s) => Object.keys(s).length);
    const result = { type: typeSelect.value, data: data, occurred: occurred, sources: sources,
                     modality: document.getElementById("ev-modality").value };
    const attributed = document.getElementById("ev-attributed").value.trim();
    if (attributed) result.attributed_to = attributed;
    return result;
  }

  function clearProblems() {
    form.querySelectorAll(".problem").forEach((n) => n.remove());
    form.querySelectorAll("[aria-invalid]").forEach((n) => { n.removeAttribute("aria-invalid"); n.removeAttribute("aria-describedby"); });
  }

  // Beside the field its pointer names, or the nearest enclosing one (else by the button).
  function showProblem(pointer, message) {
    let target = null;
    for (let p = pointer || ""; p && !target; p = p.slice(0, p.lastIndexOf("/"))) {
      target = form.querySelector('[data-pointer="' + p + '"]');
    }
    const note = el("p", { class: "problem", id: "problem-" + Math.random().toString(36).slice(2) }, message);
    if (!target) { status.after(note); return; }
    target.append(note);
    const input = target.querySelector("input, select, textarea");
    if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", note.id); }
  }

  async function submit(event) {
    event.preventDefault();
    clearProblems();
    const [kind, id] = streamSelect.value.split(":");
    const url = kind === "new" ? "/" + id : "/" + kind + "/" + id + "/events";
    status.textContent = "Recording…";
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + sessionStorage.getItem(KEY) },
      body: JSON.stringify(body()),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      status.textContent = "Recorded: " + typeSelect.value + " at position " + answer.position + ".";
      return;
    }
    status.textContent = "Not recorded: " + (answer.title || response.status) + ".";
    const problems = answer.errors && answer.errors.length ? answer.errors : [answer];
    problems.forEach((p) => showProblem(p.pointer, p.detail || p.title));
  }

  // Corrections and retractions start from a timeline entry.
  function entryButtons() {
    document.querySelectorAll("#panel .entry").forEach((entry) => {
      if (entry.querySelector(".entry-actions")) return;
      const actions = el("p", { class: "entry-actions" });
      const title = entry.querySelector("h3").textContent;
      [["EventCorrected", "Correct"], ["EventRetracted", "Retract"]].forEach(([type, text]) => {
        const button = el("button", { type: "button", "aria-label": text + ": " + title }, text);
        button.addEventListener("click", () => startFrom(entry, type));
        actions.append(button);
      });
      entry.append(actions);
    });
  }

  function startFrom(entry, type) {
    typeSelect.value = type;
    const target = entry.id.replace("event-", "");
    buildData(type, type === "EventCorrected" ? { corrects: target, fields: {}, reason: "" } : { retracts: target, reason: "" });
    streamSelect.value = entry.dataset.kind + ":" + entry.dataset.streamId;
    form.querySelector('[data-key="reason"]').focus();
  }

  async function useKey(key) {
    const response = await fetch("/me", { headers: { Authorization: "Bearer " + key } });
    if (!response.ok) { keyStatus.textContent = "That key is not valid."; return; }
    const about = await response.json();
    sessionStorage.setItem(KEY, key);
    keyInput.value = "";
    forget.hidden = false;
    const editor = about.role === "editor" || about.role === "admin";
    keyStatus.textContent = "Key " + about.name + " (" + about.role + ")" + (editor ? "." : ": reading only, no forms.");
    form.hidden = !editor;
    document.body.classList.toggle("can-record", editor);
    if (editor) await loadTypes();
  }

  async function loadTypes() {
    if (Object.keys(types).length) return;
    const list = await (await fetch("/event-types")).json();
    list.forEach((t) => { types[t.name] = t; typeSelect.append(el("option", { value: t.name }, t.name)); });
    typeSelect.value = list.find((t) => t.aggregate === "talks" && !t.creates_stream).name;
    buildData(typeSelect.value);
    addSource();
    entryButtons();
    new MutationObserver(entryButtons).observe(document.getElementById("panel"), { childList: true });
  }

  keyForm.addEventListener("submit", (event) => { event.preventDefault(); if (keyInput.value.trim()) useKey(keyInput.value.trim()); });
  forget.addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    form.hidden = true; forget.hidden = true;
    document.body.classList.remove("can-record");
    keyStatus.textContent = "Key forgotten.";
  });
  typeSelect.addEventListener("change", () => buildData(typeSelect.value));
  document.getElementById("add-source").addEventListener("click", () => addSource());
  form.addEventListener("submit", submit);
  const saved = sessionStorage.getItem(KEY);
  if (saved) useKey(saved);
})();
