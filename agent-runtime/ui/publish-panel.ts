/**
 * The builder's publishing panel (DESIGN §12): the live address, what is not published yet, the Publish
 * button with its progress, published versions, custom domains and form submissions. Mounted by
 * `builder-page.ts`; it follows the project selected there.
 */
export function publishPanel(): string {
  return `<section class="publish" id="publish-panel" aria-labelledby="publish-title">
  <h2 id="publish-title">Publish</h2>
  <div class="publish-row">
    <button type="button" id="publish" aria-describedby="publish-state">Publish</button>
    <progress id="publish-progress" hidden aria-label="Publishing"></progress>
    <p id="publish-state" aria-live="polite">Not published yet.</p>
    <button type="button" id="unpublish" class="quiet" hidden>Unpublish</button>
  </div>
  <p id="publish-error" class="error" role="alert"></p>
  <details id="publish-versions-box"><summary>Published versions</summary><ol id="publish-versions"></ol></details>
  <details id="domains-box"><summary>Custom domains</summary>
    <form id="domain-form"><label for="domain">Domain</label> <input id="domain" name="hostname" placeholder="www.example.com" autocomplete="off"> <button type="submit" class="quiet">Add</button> <button type="button" id="domains-check" class="quiet">Check DNS</button></form>
    <ul id="domains"></ul>
  </details>
  <details id="submissions-box"><summary>Form submissions <span id="submission-count"></span></summary>
    <p><a id="submissions-export" href="#" download>Export as CSV</a></p>
    <ol id="submissions"></ol>
  </details>
</section>`;
}

export const publishStyles = `.publish{margin:0 1rem 1rem}
.publish-row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.publish-row p{margin:0}
.publish ol,.publish ul{padding-left:1.2rem}
.publish li{margin:.35rem 0}
.publish dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:.25rem 0}
.publish dt{font-weight:600}
.publish code{word-break:break-all}
`;

export const publishScript = `
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, children = []) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const project = () => $("project").value;
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error?.message || "Something went wrong (" + response.status + ").");
  return answer;
}
const base = () => "/api/projects/" + project();
function showError(error) { $("publish-error").textContent = error ? error.message : ""; }

async function refresh() {
  if (!project()) return;
  try {
    const p = await call("GET", base() + "/publications");
    const state = $("publish-state");
    state.replaceChildren();
    if (p.liveVersion) {
      const link = el("a", { href: p.url, textContent: p.url.replace(/^https?:\\/\\//, ""), target: "_blank", rel: "noopener", id: "live-url" });
      const changes = p.unpublishedChanges;
      state.append("Live at ", link, " · version " + p.liveVersion + " · ",
        el("span", { id: "unpublished", textContent: changes === 0 ? "up to date" : changes + (changes === 1 ? " change" : " changes") + " not published" }));
    } else {
      state.textContent = p.site ? "Unpublished: the public address answers 404." : "Not published yet.";
    }
    $("unpublish").hidden = !p.liveVersion;
    $("publish-versions").replaceChildren(...p.versions.map((v) => {
      const item = el("li", { textContent: "Version " + v.version + " · " + new Date(v.createdAt).toLocaleString() + " · " + v.files + " files " });
      if (v.version === p.liveVersion) item.append(el("strong", { textContent: "(live)" }));
      else {
        const restore = el("button", { type: "button", className: "quiet", textContent: "Make live" });
        restore.addEventListener("click", () => act(() => call("POST", base() + "/publications/" + v.version + "/restore")));
        item.append(restore);
      }
      return item;
    }));
    if (p.site) await Promise.all([domains(), submissions()]);
    showError(null);
  } catch (error) { showError(error); }
}

async function domains(check) {
  const { domains } = await call(check ? "POST" : "GET", base() + "/domains" + (check ? "/check" : ""));
  $("domains").replaceChildren(...domains.map((d) => {
    const records = el("dl", {}, d.records.flatMap((r) => [el("dt", { textContent: r.type + " " + r.name }), el("dd", {}, [el("code", { textContent: r.value })])]));
    const remove = el("button", { type: "button", className: "quiet", textContent: "Remove" });
    remove.addEventListener("click", () => act(() => call("DELETE", base() + "/domains", { hostname: d.hostname })));
    return el("li", {}, [el("strong", { textContent: d.hostname }), " · " + d.status + (d.reason ? " · " + d.reason : ""), remove, records]);
  }));
}

async function submissions() {
  const { submissions } = await call("GET", base() + "/submissions");
  $("submission-count").textContent = "(" + submissions.length + ")";
  $("submissions-export").href = base() + "/submissions?format=csv";
  $("submissions").replaceChildren(...submissions.map((s) => el("li", { className: "submission" }, [
    el("strong", { textContent: s.form + " · " + new Date(s.receivedAt).toLocaleString() }),
    el("dl", {}, Object.entries(s.fields).flatMap(([k, v]) => [el("dt", { textContent: k }), el("dd", { textContent: v })])),
  ])));
}

async function act(work) {
  showError(null);
  try { await work(); } catch (error) { showError(error); }
  await refresh();
}

$("publish").addEventListener("click", async () => {
  const button = $("publish");
  button.disabled = true;
  $("publish-progress").hidden = false;
  button.textContent = "Publishing…";
  await act(() => call("POST", base() + "/publish"));
  $("publish-progress").hidden = true;
  button.textContent = "Publish";
  button.disabled = false;
});
$("unpublish").addEventListener("click", () => act(() => call("DELETE", base() + "/publication")));
$("domain-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const hostname = $("domain").value.trim();
  if (hostname) act(() => call("POST", base() + "/domains", { hostname }).then(() => { $("domain").value = ""; }));
});
$("domains-check").addEventListener("click", () => act(() => domains(true)));
$("project").addEventListener("change", () => setTimeout(refresh, 50));
// The head moves as runs finish: keep "N changes not published" and the inbox current while the page is open.
setInterval(() => { if (document.visibilityState === "visible") refresh(); }, 4000);
setTimeout(refresh, 300);
`;
