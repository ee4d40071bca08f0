// Submitting an article and following it: live progress over server-sent events, the
// pictures and their candidates, regeneration, the preview and the downloads.

import { t, typeName } from "./i18n.js";
import { call, download, explain } from "./api.js";
import { complain, notify, loadUsage } from "./app.js";

const $ = (id) => document.getElementById(id);
const WAIT_STEP_MS = 300;
const WAIT_STEPS = 20;
const MAX_FRESH_STARTS = 5;
const FRESH_START_MS = 3000;

let wired = false;
let doc = null; // the latest DocumentView
let source = null; // the EventSource of the shown document
let outcomes = new Map(); // picture index -> Map(candidate -> "generated" | "failed")
let finished = false;
let summary = { generated: 0, failed: 0 };

/** Wires the form once; with `docId` (from the address) shows that document again, so a
 *  reload keeps the reader's place. */
export async function startWriting(docId) {
  if (docId && docId !== doc?.id) {
    try {
      follow(await call("GET", `/v1/documents/${encodeURIComponent(docId)}`));
    } catch (failure) {
      complain(() => explain(failure));
    }
  }
  if (wired) return;
  wired = true;
  $("file").addEventListener("change", readFile);
  $("submit-form").addEventListener("submit", submit);
  $("regen-failed").addEventListener("click", () => regenerate({ failed: true }));
  $("dl-md").addEventListener("click", () => save("markdown", "md"));
  $("dl-zip").addEventListener("click", () => save("archive", "zip"));
  document.addEventListener("mi:lang", () => doc && renderAll());
}

async function readFile(event) {
  const file = event.target.files?.[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    $("markdown").value = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const size = `${(bytes.length / 1024).toFixed(1)} KB`;
    notify(() => t("write.file.loaded", { name: file.name, size }));
  } catch {
    complain(() => t("write.file.notutf8"));
    event.target.value = "";
  }
}

async function submit(event) {
  event.preventDefault();
  const markdown = $("markdown").value;
  if (!markdown.trim()) return complain(() => t("write.empty"));
  const button = $("submit");
  button.disabled = true;
  button.textContent = t("write.sending");
  try {
    const body = { markdown, source: $("source").value, batch: Number($("batch").value) };
    const view = await call("POST", "/v1/documents", body);
    notify("");
    follow(view);
    loadUsage();
  } catch (failure) {
    complain(() => explain(failure));
  } finally {
    button.disabled = false;
    button.textContent = t("write.submit");
  }
}

/** Shows a freshly accepted document and follows its events. */
function follow(view) {
  doc = view;
  outcomes = new Map(view.images.map((image) => [image.index, new Map()]));
  finished = false;
  $("doc").hidden = false;
  $("preview").replaceChildren();
  renderAll();
  history.replaceState(null, "", `/?doc=${encodeURIComponent(view.id)}`);
  connect(view.events_url);
  $("doc").scrollIntoView({ behavior: "smooth", block: "start" });
}

/** EventSource reconnects by itself and sends Last-Event-ID, so the server resumes
 *  after the last event this page saw; the page shows the connection's state. A stream the
 *  browser gave up on (an error answer) is opened afresh a few times, replaying the
 *  document's whole history into a clean state. */
function connect(url, attempt = 0) {
  if (source) source.close();
  setConnection("connecting");
  const current = new EventSource(url);
  source = current;
  current.addEventListener("open", () => {
    attempt = 0;
    setConnection("open");
  });
  current.addEventListener("error", () => {
    if (current.readyState !== EventSource.CLOSED) return setConnection("reconnecting");
    setConnection("closed");
    if (attempt >= MAX_FRESH_STARTS || source !== current) return;
    setTimeout(() => {
      if (source !== current) return;
      outcomes = new Map(doc.images.map((image) => [image.index, new Map()]));
      finished = false;
      connect(url, attempt + 1);
    }, FRESH_START_MS);
  });
  current.addEventListener("planned", () => renderAll());
  current.addEventListener("image.generated", (e) => outcome(JSON.parse(e.data), "generated"));
  current.addEventListener("image.failed", (e) => outcome(JSON.parse(e.data), "failed"));
  current.addEventListener("regenerating", (e) => regenerating(JSON.parse(e.data)));
  current.addEventListener("completed", (e) => completed(JSON.parse(e.data)));
}

function setConnection(state) {
  const pill = $("conn");
  pill.dataset.state = state;
  pill.textContent = t(`doc.conn.${state}`);
}

function outcome(event, kind) {
  const slot = outcomes.get(event.index) ?? new Map();
  slot.set(event.candidate, kind);
  outcomes.set(event.index, slot);
  renderProgress();
  renderPictureStates();
}

function regenerating(event) {
  for (const index of event.indexes) outcomes.set(index, new Map());
  finished = false;
  renderProgress();
  renderPictureStates();
}

async function completed(event) {
  finished = true;
  summary = { generated: event.generated, failed: event.failed };
  renderProgress();
  await refresh(true);
  notify(() => t("doc.done", summary));
}

/** Reads the document again. Its read model can trail the events a moment, so after the
 *  last event it waits (boundedly) until every picture shows its outcome. */
async function refresh(settled) {
  for (let step = 0; step < WAIT_STEPS; step += 1) {
    try {
      doc = await call("GET", `/v1/documents/${doc.id}`);
    } catch (failure) {
      return complain(() => explain(failure));
    }
    const behind = doc.images.some((image) => image.status === "pending");
    if (!settled || !behind) break;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  renderAll();
  await loadPreview();
}

async function loadPreview() {
  try {
    const html = await call("GET", `/v1/documents/${doc.id}/preview`);
    // The server escapes the article's raw HTML and drops unsafe links, and the page's
    // policy runs no inline script, so its rendering is shown as it is.
    const parsed = new DOMParser().parseFromString(html, "text/html");
    $("preview").replaceChildren(...parsed.body.childNodes);
  } catch (failure) {
    complain(() => explain(failure));
  }
}

function counts() {
  const total = doc.images.length * Math.max(1, doc.batch);
  let done = 0;
  let failed = 0;
  for (const slot of outcomes.values()) {
    for (const kind of slot.values()) {
      done += 1;
      if (kind === "failed") failed += 1;
    }
  }
  return { total, done: Math.min(done, total), failed };
}

function renderAll() {
  $("doc-name").textContent = doc.title || doc.id;
  setConnection($("conn").dataset.state);
  renderProgress();
  renderPictures();
}

function renderProgress() {
  const { total, done, failed } = counts();
  const status = finished ? "completed" : done > 0 ? "generating" : doc.status;
  $("doc-status").textContent = t(`doc.status.${status}`);
  $("doc-status").dataset.status = status;
  const bar = $("progress");
  bar.max = Math.max(total, 1);
  bar.value = finished ? bar.max : done;
  let text = t("doc.progress", { done, total });
  if (failed) text += ` · ${t("doc.progress.failed", { failed })}`;
  $("progress-text").textContent = text;
  $("dl-md").disabled = !finished;
  $("dl-zip").disabled = !finished;
  $("regen-failed").hidden = !finished || !doc.images.some((i) => i.status === "failed");
}

function pictureState(image) {
  const slot = outcomes.get(image.index);
  if (finished && image.status !== "pending") return image.status;
  if (!slot || slot.size < Math.max(1, doc.batch)) return "pending";
  return [...slot.values()].includes("generated") ? "generated" : "failed";
}

function renderPictureStates() {
  for (const image of doc.images) {
    const state = document.querySelector(`[data-picture="${image.index}"] .state`);
    if (!state) continue;
    const kind = pictureState(image);
    state.dataset.state = kind;
    state.textContent = t(`doc.picture.${kind}`);
  }
}

function renderPictures() {
  const list = $("pictures");
  list.replaceChildren(...doc.images.map(pictureItem));
  renderPictureStates();
}

function pictureItem(image) {
  const item = document.createElement("li");
  item.className = "picture";
  item.dataset.picture = image.index;

  const head = document.createElement("div");
  head.className = "picture-head";
  const title = document.createElement("h4");
  title.textContent = t("doc.picture", { n: image.index + 1, type: typeName(image.type) });
  const state = document.createElement("span");
  state.className = "state";
  head.append(title, state);

  const again = document.createElement("button");
  again.type = "button";
  again.className = "quiet";
  again.textContent = t("doc.regenerate");
  again.disabled = !finished;
  again.addEventListener("click", () => regenerate({ index: image.index }));
  head.append(again);
  item.append(head);

  if (image.candidates.length) {
    const grid = document.createElement("div");
    grid.className = "candidates";
    grid.setAttribute("role", "group");
    grid.setAttribute("aria-label", title.textContent);
    for (const candidate of image.candidates) grid.append(candidateCard(image, candidate));
    item.append(grid);
  }
  return item;
}

function candidateCard(image, candidate) {
  const chosen = image.selected === candidate.candidate;
  const figure = document.createElement("figure");
  figure.className = chosen ? "candidate chosen" : "candidate";
  figure.dataset.candidate = candidate.candidate;
  const picture = document.createElement("img");
  picture.src = candidate.url;
  picture.alt = image.alt || typeName(image.type);
  picture.loading = "lazy";
  picture.width = candidate.width;
  picture.height = candidate.height;
  const caption = document.createElement("figcaption");
  const label = document.createElement("span");
  label.textContent = `${t("doc.candidate", { n: candidate.candidate + 1 })} · ${candidate.source}`;
  const choose = document.createElement("button");
  choose.type = "button";
  choose.textContent = chosen ? t("doc.chosen") : t("doc.choose");
  choose.setAttribute("aria-pressed", String(chosen));
  choose.disabled = chosen;
  choose.addEventListener("click", () => select(image.index, candidate.candidate));
  caption.append(label, choose);
  figure.append(picture, caption);
  return figure;
}

async function select(index, candidate) {
  try {
    doc = await call("POST", `/v1/documents/${doc.id}/images/${index}/select`, { candidate });
    renderAll();
    notify(() => t("doc.selected", { n: index + 1, c: candidate + 1 }));
    await loadPreview();
    const button = document.querySelector(`[data-picture="${index}"] .chosen button`);
    button?.focus();
  } catch (failure) {
    complain(() => explain(failure));
  }
}

/** Asks for pictures to be drawn again. The progress that follows comes from the event
 *  stream alone (`regenerating`, the outcomes, `completed`): the answer to this request
 *  can arrive after those events, so it must not reset what they showed. */
async function regenerate(body) {
  // Said before asking, so that a fast drawing's "done" is never overwritten by it.
  notify(() => t("doc.regenerating"));
  try {
    await call("POST", `/v1/documents/${doc.id}/regenerate`, body);
    loadUsage();
  } catch (failure) {
    complain(() => explain(failure));
  }
}

async function save(kind, extension) {
  const base = (doc.title || "article").replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "");
  try {
    await download(`/v1/documents/${doc.id}/${kind}`, `${base || "article"}.${extension}`);
  } catch (failure) {
    complain(() => explain(failure));
  }
}
