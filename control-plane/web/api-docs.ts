import { Hono } from "hono";
import { html } from "hono/html";
import { page } from "./layout.ts";

/** `/docs`: the API's routes, listed in the browser from /openapi.json with a script of our own (no CDN). */
export function apiDocsRoutes(): Hono {
  return new Hono()
    .get("/docs", (c) => c.html(docsPage()))
    .get("/docs.js", (c) => c.body(DOCS_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));
}

/** Reads /openapi.json in the browser and lists every route; no external scripts. */
function docsPage() {
  return page({
    title: "API",
    body: html`<h1>WebSplat control plane API</h1>
<p>The OpenAPI document is at <a href="/openapi.json">/openapi.json</a>. Admin routes need <code>Authorization: Bearer &lt;admin token&gt;</code>.</p>
<div id="routes" aria-live="polite">Loading…</div>
<script type="module" src="/docs.js"></script>`,
  });
}

const DOCS_SCRIPT = `
const doc = await (await fetch('/openapi.json')).json();
const root = document.getElementById('routes');
root.textContent = '';
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const section = document.createElement('section');
    section.className = 'card';
    const title = document.createElement('h2');
    title.textContent = method.toUpperCase() + ' ' + path;
    const summary = document.createElement('p');
    summary.textContent = (op.summary || '') + (op.security ? ' (admin)' : '');
    const codes = document.createElement('p');
    codes.className = 'muted';
    codes.textContent = 'Responses: ' + Object.entries(op.responses).map(([s, r]) => s + ' ' + r.description).join('; ');
    section.append(title, summary, codes);
    root.append(section);
  }
}
`;
