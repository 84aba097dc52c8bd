/** The builder's browser code (plain JS, no framework, no CDN). */
export const builderScript = `
const $ = (id) => document.getElementById(id);
const levels = JSON.parse($("levels").textContent);
const state = { projectId: null, runId: null, source: null, previousHeadId: null, streamed: 0, selection: "" };
const ACTIVE = ["queued", "running", "awaiting_input"];

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { "content-type": "application/json", accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ? body.error.message : "Request failed (" + response.status + ")");
  return body;
}
const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body ?? {}) });
function showError(error) { $("error").textContent = error ? error.message || String(error) : ""; }
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

function describeSlider(name) {
  const value = Number($(name).value);
  const level = levels[name][value];
  $(name + "-name").textContent = value + " · " + level.name;
  $(name + "-help").textContent = level.explanation;
  $(name).setAttribute("aria-valuetext", level.name + ": " + level.explanation);
}

function addMessage(message) {
  if (message.id && document.querySelector('[data-message="' + message.id + '"]')) return;
  const item = el("li", { className: message.role, textContent: message.content });
  if (message.id) item.dataset.message = message.id;
  $("messages").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function setStatus(status) {
  $("status").textContent = status ? "Run " + status.replace("_", " ") : "Idle";
  $("stop").disabled = !ACTIVE.includes(status);
  if (!ACTIVE.includes(status)) { $("stage").textContent = ""; $("streamed").textContent = ""; }
}

async function refreshMeter() {
  const usage = await api("/api/usage");
  $("meter").textContent = "Tokens this month: " + usage.monthTokens.toLocaleString() + " of " + usage.monthLimit.toLocaleString() + " (" + usage.tier + ") · sites " + usage.sites + "/" + usage.sitesLimit;
}

function refreshPreview() {
  $("preview").src = "/preview/" + state.projectId + "/?v=" + Date.now();
}

// The owner's view of the preview: placeholders shown (visitors never see them), sections selectable.
const ownerCss = "[data-placeholder]{display:block!important;border:2px dashed #b45309;padding:.4rem .6rem;color:#7c2d12;background:#fff7ed}" +
  "[data-placeholder]::before{content:'To fill in: ';font-weight:700}" +
  "main section{cursor:pointer}main section:hover{outline:2px dashed #4b3fd6;outline-offset:4px}" +
  "main section.ws-selected{outline:3px solid #4b3fd6;outline-offset:4px}";
function decoratePreview() {
  const doc = $("preview").contentDocument;
  if (!doc || !doc.body) return;
  const sheet = new doc.defaultView.CSSStyleSheet();
  sheet.replaceSync(ownerCss);
  doc.adoptedStyleSheets = [sheet];
  const sections = [...doc.querySelectorAll("main section[id]")];
  const select = $("section");
  const keep = state.selection;
  select.replaceChildren(el("option", { value: "", textContent: "the whole site" }),
    ...sections.map((s) => el("option", { value: s.id, textContent: "the " + (s.querySelector("h2") ? s.querySelector("h2").textContent : s.id) + " section" })));
  select.value = sections.some((s) => s.id === keep) ? keep : "";
  selectSection(select.value);
  for (const section of sections) section.addEventListener("click", (event) => { event.preventDefault(); selectSection(section.id); $("prompt").focus(); });
  const todo = [...doc.querySelectorAll("[data-placeholder]")];
  const box = $("placeholders");
  box.replaceChildren();
  if (todo.length) {
    const list = el("ul");
    for (const item of todo) {
      const section = item.closest("section");
      const where = section && section.querySelector("h2") ? section.querySelector("h2").textContent + ": " : "";
      list.append(el("li", { textContent: where + item.textContent }));
    }
    box.append(el("h3", { textContent: "To fill in (not shown to visitors)" }), list);
  }
}
function selectSection(id) {
  state.selection = id || "";
  $("section").value = state.selection;
  const doc = $("preview").contentDocument;
  if (doc) for (const s of doc.querySelectorAll("main section[id]")) s.classList.toggle("ws-selected", s.id === state.selection);
}

async function refreshTimeline() {
  const [{ head, checkpoints }, { changes }] = await Promise.all([
    api("/api/projects/" + state.projectId + "/checkpoints"),
    api("/api/projects/" + state.projectId + "/changes"),
  ]);
  const changed = new Map(changes.map((c) => [c.checkpointId, c.summary]));
  fillCompare(checkpoints, head);
  const list = $("checkpoints");
  list.replaceChildren();
  for (const checkpoint of checkpoints) {
    const restore = el("button", { type: "button", className: "quiet", textContent: checkpoint.id === head ? "Current" : "Restore" });
    restore.disabled = checkpoint.id === head;
    restore.setAttribute("aria-label", (checkpoint.id === head ? "Current " : "Restore ") + checkpoint.kind + ": " + checkpoint.label);
    restore.addEventListener("click", () => rollback(checkpoint.id));
    const label = el("span", {}, el("span", { className: "kind", textContent: checkpoint.kind }), checkpoint.label);
    if (changed.has(checkpoint.id)) label.append(el("span", { className: "change", textContent: "Changes: " + changed.get(checkpoint.id) }));
    const item = el("li", { className: checkpoint.id === head ? "head" : "" }, label, restore);
    item.dataset.checkpoint = checkpoint.id;
    item.dataset.kind = checkpoint.kind;
    list.append(item);
  }
}

function fillCompare(checkpoints, head) {
  const options = () => checkpoints.map((c, i) => el("option", { value: c.id, textContent: (checkpoints.length - i) + ". " + c.kind + ": " + c.label.slice(0, 60) }));
  const from = $("compare-from");
  const to = $("compare-to");
  const kept = [from.value];
  from.replaceChildren(...options());
  to.replaceChildren(...options());
  const ids = checkpoints.map((c) => c.id);
  // "with" follows the head as runs add checkpoints; "compare" keeps the owner's choice.
  to.value = head;
  from.value = ids.includes(kept[0]) ? kept[0] : (checkpoints[1] ? checkpoints[1].id : head);
}

async function compare() {
  showError();
  try {
    const result = await api("/api/projects/" + state.projectId + "/compare?from=" + $("compare-from").value + "&to=" + $("compare-to").value);
    const d = result.diff;
    const box = $("comparison");
    const list = el("ul");
    const line = (text) => list.append(el("li", { textContent: text }));
    const names = (items) => items.map((s) => s.heading).join(", ");
    if (d.title) line("Title: " + d.title.from + " → " + d.title.to);
    if (d.added.length) line("Added: " + names(d.added));
    if (d.removed.length) line("Removed: " + names(d.removed));
    if (d.changed.length) line("Changed: " + names(d.changed));
    if (d.reordered) line("Sections reordered");
    for (const t of d.theme) line("Theme " + t.property + ": " + (t.from || "none") + " → " + (t.to || "none"));
    if (!list.children.length) line("No differences in the site's files.");
    box.replaceChildren(el("h3", { textContent: "What changed" }), list);
  } catch (error) { showError(error); }
}

async function rollback(checkpointId, scope) {
  showError();
  try {
    const result = await post("/api/projects/" + state.projectId + "/rollback", { checkpointId, scope: scope || $("scope").value });
    state.previousHeadId = result.previousHeadId;
    $("redo").hidden = !state.previousHeadId;
    await loadProject(state.projectId);
  } catch (error) { showError(error); }
}

async function renderRun() {
  if (!state.runId) return;
  const { run } = await api("/api/runs/" + state.runId);
  setStatus(run.status);
  const pending = $("pending");
  pending.replaceChildren();
  for (const item of run.pending) pending.append(renderPending(item));
  if (run.status === "interrupted") {
    const resume = el("button", { type: "button", textContent: "Resume" });
    resume.addEventListener("click", () => sendInput({ type: "resume" }));
    pending.append(el("p", { textContent: "This run was interrupted by a restart." }), resume);
  }
  if (run.status === "failed" && run.error) pending.append(el("p", { className: "error", textContent: run.error.message }));
  const suggestions = $("suggestions");
  suggestions.replaceChildren();
  if (run.suggestions.length) {
    const list = el("ul");
    for (const s of run.suggestions) {
      const accept = el("button", { type: "button", className: "quiet", textContent: "Add " + s.payload.title });
      accept.addEventListener("click", () => sendInput({ type: "accept_suggestion", interruptId: s.id }));
      list.append(el("li", {}, accept, " ", s.payload.purpose || ""));
    }
    suggestions.append(el("h3", { textContent: "Suggestions" }), list);
  }
}

function renderPending(item) {
  const box = el("div");
  if (item.kind === "plan_approval") {
    const plan = item.payload.plan;
    box.append(el("h3", { textContent: "Approve the plan for " + plan.siteName }));
    const list = el("ol");
    for (const s of plan.sections) list.append(el("li", { textContent: s.title + (s.requested ? "" : " (agents' idea)") }));
    const approve = el("button", { type: "button", textContent: "Approve plan" });
    approve.addEventListener("click", () => sendInput({ type: "approve" }));
    const reject = el("button", { type: "button", className: "quiet", textContent: "Ask for changes" });
    reject.addEventListener("click", () => {
      const feedback = $("prompt").value.trim();
      if (!feedback) return showError(new Error("Write what to change in the prompt box, then ask for changes."));
      sendInput({ type: "reject", feedback });
      $("prompt").value = "";
    });
    box.append(list, approve, " ", reject);
  } else if (item.kind === "question") {
    box.append(el("h3", { textContent: "A question before going on" }));
    const list = el("ul");
    for (const q of item.payload.questions) list.append(el("li", { textContent: q }));
    const form = el("form");
    const input = el("input", { type: "text", required: true, id: "answer" });
    form.append(el("label", { htmlFor: "answer", textContent: "Your answer" }), input, el("button", { type: "submit", textContent: "Answer" }));
    form.addEventListener("submit", (event) => { event.preventDefault(); sendInput({ type: "answer", text: input.value }); });
    box.append(list, form);
  } else {
    const go = el("button", { type: "button", textContent: "Continue" });
    go.addEventListener("click", () => sendInput({ type: "continue" }));
    box.append(el("p", { textContent: item.payload.message }), go);
  }
  return box;
}

async function sendInput(body) {
  showError();
  try {
    const result = await post("/api/runs/" + state.runId + "/input", body);
    if (result.runId && result.runId !== state.runId) attach(result.runId);
    else { await renderRun(); attach(state.runId); }
  } catch (error) { showError(error); }
}

function attach(runId) {
  if (state.source && state.runId === runId && state.source.readyState !== 2) return;
  if (state.source) state.source.close();
  state.runId = runId;
  state.streamed = 0;
  const source = new EventSource("/api/runs/" + runId + "/events");
  state.source = source;
  source.addEventListener("message", (event) => addMessage(JSON.parse(event.data)));
  source.addEventListener("step_started", (event) => { $("stage").textContent = "· " + JSON.parse(event.data).stage; state.streamed = 0; });
  source.addEventListener("delta", (event) => { state.streamed += JSON.parse(event.data).text.length; $("streamed").textContent = "· " + state.streamed + " characters"; });
  source.addEventListener("checkpoint", (event) => { refreshTimeline(); if (JSON.parse(event.data).files) refreshPreview(); });
  source.addEventListener("usage", () => refreshMeter());
  source.addEventListener("interrupt", () => renderRun());
  source.addEventListener("suggestion", () => renderRun());
  source.addEventListener("run_status", (event) => {
    const data = JSON.parse(event.data);
    setStatus(data.status);
    if (!ACTIVE.includes(data.status)) { source.close(); renderRun(); refreshTimeline(); refreshPreview(); }
    if (data.status === "awaiting_input") renderRun();
  });
  renderRun();
}

async function loadProject(id) {
  state.projectId = id;
  const data = await api("/api/projects/" + id);
  $("messages").replaceChildren();
  for (const message of data.messages) addMessage(message);
  const latest = data.activeRunId || (data.runs[0] && data.runs[0].id);
  if (latest) attach(latest); else setStatus(null);
  await Promise.all([refreshTimeline(), refreshMeter()]);
  refreshPreview();
}

async function loadProjects(selectId) {
  let { projects } = await api("/api/projects");
  if (projects.length === 0) projects = [(await post("/api/projects", { name: "My site" })).project];
  const select = $("project");
  select.replaceChildren(...projects.map((p) => el("option", { value: p.id, textContent: p.name })));
  select.value = selectId || projects[0].id;
  await loadProject(select.value);
}

$("prompt-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError();
  try {
    const result = await post("/api/projects/" + state.projectId + "/runs", {
      prompt: $("prompt").value, autonomy: Number($("autonomy").value), creativity: Number($("creativity").value),
      sectionId: state.selection || null,
    });
    $("prompt").value = "";
    if (result.steered) addMessage({ role: "system", content: "Sent to the running build; it takes effect at the next step." });
    attach(result.run.id);
  } catch (error) { showError(error); }
});
$("stop").addEventListener("click", async () => {
  showError();
  try { await post("/api/runs/" + state.runId + "/stop"); await renderRun(); } catch (error) { showError(error); }
});
$("redo").addEventListener("click", () => rollback(state.previousHeadId, "both"));
$("preview").addEventListener("load", decoratePreview);
$("section").addEventListener("change", (event) => selectSection(event.target.value));
$("compare-form").addEventListener("submit", (event) => { event.preventDefault(); compare(); });
$("project").addEventListener("change", (event) => loadProject(event.target.value));
$("new-project").addEventListener("click", async () => {
  showError();
  try {
    const name = "Site " + ($("project").options.length + 1);
    const { project } = await post("/api/projects", { name });
    await loadProjects(project.id);
  } catch (error) { showError(error); }
});
for (const name of ["autonomy", "creativity"]) {
  $(name).addEventListener("input", () => describeSlider(name));
  describeSlider(name);
}
loadProjects().catch(showError);
`;
