// Provisioning page: follows the tenant's progress stream, shows each step as it happens, the
// reason and a retry button on failure, and the one-time sign-in link at the end. The purchase's key is an
// HttpOnly cookie (set at signup, or when checkout returned with it): this script never sees it.

const root = document.getElementById("welcome");
const slug = root.dataset.slug;
const summary = document.getElementById("summary");
const steps = document.getElementById("steps");
const stepsEmpty = document.getElementById("steps-empty");
const failure = document.getElementById("failure");
const failureReason = document.getElementById("failure-reason");
const retry = document.getElementById("retry");
const ready = document.getElementById("ready");
const open = document.getElementById("open");

const base = `/api/tenants/${encodeURIComponent(slug)}`;

const STATUS_TEXT = {
  awaiting_payment: "Waiting for the payment confirmation…",
  provisioning: "Building your private environment…",
  active: "Your WebSplat is ready.",
  failed: "The setup stopped before it finished.",
  suspended: "This WebSplat is suspended. Its data is kept; renew the subscription to bring it back.",
  deleting: "This WebSplat is being deleted.",
  deleted: "This WebSplat has been deleted.",
};

/** Step names the platform logs, in the customer's words; unknown steps are shown tidied up. */
const STEP_TITLES = {
  payment: "Payment confirmed",
  spec: "Planning your environment",
  plan: "Planning your environment",
  namespace: "Creating your private space",
  quota: "Reserving resources",
  network: "Locking down the network",
  "network-policies": "Locking down the network",
  database: "Creating your database",
  secret: "Storing your credentials",
  secrets: "Storing your credentials",
  runtime: "Starting your builder",
  deployment: "Starting your builder",
  service: "Connecting your builder",
  route: "Publishing your address",
  gateway: "Publishing your address",
  ingress: "Publishing your address",
  dns: "Publishing your address",
  health: "Checking that everything answers",
  ready: "Ready",
};

let source;
/** Log lines already shown (the stream repeats the current state when it reconnects). */
const seen = new Set();
/** One list item per step, so the page reads as a checklist rather than a log. */
const items = new Map();
let lastItem;
let finished = false;
/** Set once the tenant is active: lines still arriving describe steps that are already done. */
let isReady = false;

function stepTitle(step) {
  if (STEP_TITLES[step]) return STEP_TITLES[step];
  const words = step.replace(/[-_:.]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function setMark(item, state) {
  item.className = state;
  item.querySelector(".mark").textContent = { done: "✓", running: "•", failed: "✗" }[state] ?? "•";
  item.querySelector(".state").textContent =
    { done: "done", running: "in progress", failed: "failed" }[state] ?? "";
}

/**
 * Lines that name a step are grouped under it (its latest message as the detail); a line without
 * a step is a step of its own, its message the title.
 */
function addLine(line) {
  const id = `${line.seq}:${line.at}`;
  if (seen.has(id)) return;
  seen.add(id);
  stepsEmpty.hidden = true;
  const key = line.step ? `step:${line.step}` : `line:${id}`;
  let item = items.get(key);
  if (!item) {
    if (lastItem && lastItem.className === "running") setMark(lastItem, "done");
    item = document.createElement("li");
    item.innerHTML =
      '<span class="mark" aria-hidden="true"></span><span class="title"></span><span class="detail"></span>';
    const state = document.createElement("span");
    state.className = "state visually-hidden";
    const title = line.step ? stepTitle(line.step) : line.message;
    item.querySelector(".title").append(document.createTextNode(title), " ", state);
    steps.append(item);
    items.set(key, item);
    setMark(item, isReady ? "done" : "running");
  }
  if (line.step) item.querySelector(".detail").textContent = line.message;
  if (line.level === "error") setMark(item, "failed");
  else if (line.level === "warn") item.classList.add("warn");
  lastItem = item;
}

function showStatus(status, lastError) {
  summary.textContent = STATUS_TEXT[status] ?? `Status: ${status}`;
  if (status === "active") return finish(showReady);
  if (status === "failed") return finish(() => showFailure(lastError));
  failure.hidden = true;
  if (status === "suspended" || status === "deleting" || status === "deleted") finish(() => {});
}

/**
 * The final status may come before the stream's last log lines: keep reading until the server ends
 * the stream (the error handler then closes it, so the browser does not reconnect).
 */
function finish(show) {
  finished = true;
  show();
}

function showFailure(lastError) {
  if (lastItem && lastItem.className === "running") setMark(lastItem, "failed");
  failureReason.textContent = lastError?.message
    ? `${lastError.message}${lastError.code ? ` (${lastError.code})` : ""}`
    : "The setup failed without a reason. Trying again usually helps; if it fails again, contact support.";
  failure.hidden = false;
  retry.disabled = false;
  retry.focus();
}

async function showReady() {
  isReady = true;
  document.getElementById("heading").textContent = `${root.dataset.host} is ready`;
  document.title = `${root.dataset.host} is ready · WebSplat`;
  for (const item of items.values()) if (item.className === "running") setMark(item, "done");
  failure.hidden = true;
  try {
    const response = await fetch(`${base}/owner-link`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const answer = await response.json();
    if (!response.ok) {
      const error = new Error(answer?.error?.message ?? `HTTP ${response.status}`);
      // 410: the purchase's one link was issued already; reloading will not make another.
      error.final = response.status === 410;
      throw error;
    }
    open.href = answer.url;
    ready.hidden = false;
    document.getElementById("ready-title").focus();
  } catch (error) {
    summary.textContent = error.final
      ? `Your WebSplat is ready. ${error.message}`
      : `Your WebSplat is ready, but the sign-in link could not be made: ${error.message} Reload the page to try again.`;
  }
}

function follow() {
  finished = false;
  source = new EventSource(`${base}/progress/events`);
  source.addEventListener("log", (event) => addLine(JSON.parse(event.data)));
  source.addEventListener("status", (event) => {
    const { status, lastError } = JSON.parse(event.data);
    showStatus(status, lastError);
  });
  // The server ends the stream once the tenant is active or failed; EventSource would reconnect
  // forever, so a close after the final status is expected and anything else is retried by the browser.
  source.addEventListener("error", () => {
    if (finished) source.close();
    else summary.textContent = `${summary.textContent.replace(/ \(reconnecting…\)$/, "")} (reconnecting…)`;
  });
}

retry.addEventListener("click", async () => {
  retry.disabled = true;
  summary.textContent = "Trying again…";
  try {
    const response = await fetch(`${base}/retry`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    if (response.status !== 202) {
      const answer = await response.json().catch(() => null);
      throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
    }
    failure.hidden = true;
    steps.replaceChildren();
    items.clear();
    seen.clear();
    lastItem = undefined;
    stepsEmpty.hidden = false;
    follow();
  } catch (error) {
    retry.disabled = false;
    failureReason.textContent = `Could not start again: ${error.message}`;
  }
});

async function start() {
  const response = await fetch(`${base}/progress`).catch(() => null);
  if (!response) {
    summary.textContent = "We could not reach WebSplat. Check your connection and reload this page.";
    return;
  }
  if (response.status === 404) {
    summary.textContent =
      "This link is not valid. Use the link from the end of your checkout, or contact support with your site name.";
    return;
  }
  const progress = await response.json();
  for (const line of progress.operation?.log ?? []) addLine(line);
  showStatus(progress.status, progress.lastError);
  if (!finished) follow();
}

start();
