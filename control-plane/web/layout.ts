import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The shell of every control-plane page: no external resources, readable without JavaScript. */
export function page(options: { title: string; body: Body; script?: string; status?: number }) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · WebSplat</title>
<style>${raw(BASE_CSS)}</style>
</head>
<body>
<header class="site"><a href="/" class="brand">WebSplat</a></header>
<main id="main">${options.body}</main>
${options.script ? html`<script type="module">${raw(options.script)}</script>` : ""}
</body>
</html>`;
}

const BASE_CSS = `
:root { color-scheme: light; --ink:#14161a; --muted:#50565f; --accent:#4338ca; --line:#d9dce1; --bg:#fafafa; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header.site { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); background:#fff; }
.brand { font-weight: 700; color: var(--accent); text-decoration: none; font-size: 1.2rem; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem; }
button, .button { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: .5rem; padding: .7rem 1.2rem; cursor: pointer; text-decoration: none; display: inline-block; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.card { background:#fff; border:1px solid var(--line); border-radius:.75rem; padding:1.5rem; }
.error { color:#b91c1c; }
.muted { color: var(--muted); }
`;
