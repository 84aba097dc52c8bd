import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { supportEmail } from "../support.ts";

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * The shell of every control-plane page: no external resources, readable without JavaScript.
 * `script` is inlined (small page logic); `scriptSrc` and `stylesheet` load self-served files from `/assets/web/`.
 */
export function page(options: {
  title: string;
  body: Body;
  script?: string;
  scriptSrc?: string;
  stylesheet?: string;
  status?: number;
  /** Extra elements for the head (a refresh). */
  head?: Body;
}) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>${options.title} · WebSplat</title>
${options.head ?? ""}
<style>${raw(BASE_CSS)}</style>
${options.stylesheet ? html`<link rel="stylesheet" href="${options.stylesheet}">` : ""}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site"><a href="/" class="brand" aria-label="WebSplat home"><span aria-hidden="true" class="logo">◆</span> WebSplat</a></header>
<main id="main" tabindex="-1">${options.body}</main>
<footer class="site"><p>WebSplat · a private AI website builder · <a href="/status">Status</a> · Help: <a href="mailto:${supportEmail()}">${supportEmail()}</a></p>
<nav aria-label="Legal"><a href="/terms">Terms</a> · <a href="/privacy">Privacy</a> · <a href="/cookies">Cookies</a> · <a href="/signin">Sign in</a></nav></footer>
${options.script ? html`<script type="module">${raw(options.script)}</script>` : ""}
${options.scriptSrc ? html`<script type="module" src="${options.scriptSrc}"></script>` : ""}
</body>
</html>`;
}

/** Colours are chosen for at least 4.5:1 contrast on their background (WCAG AA). */
const BASE_CSS = `
:root { color-scheme: light; --ink:#14161a; --muted:#4b5260; --accent:#4338ca; --accent-ink:#fff; --accent-soft:#eef0ff;
  --line:#d4d8de; --bg:#f7f7f9; --card:#fff; --ok:#166534; --ok-soft:#ecfdf3; --bad:#b91c1c; --bad-soft:#fef2f2; --focus:#b45309; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; color:var(--ink); background:var(--bg); min-height:100vh; display:flex; flex-direction:column; }
.skip-link { position:absolute; left:-999px; top:.5rem; background:var(--card); color:var(--accent); padding:.5rem 1rem; border-radius:.5rem; z-index:10; }
.skip-link:focus { left:.5rem; }
header.site { padding: .9rem 1.5rem; border-bottom: 1px solid var(--line); background:var(--card); }
footer.site { margin-top:auto; padding: 1.5rem; color:var(--muted); font-size:.9rem; text-align:center; }
footer.site p { margin:0; }
.brand { font-weight: 800; color: var(--accent); text-decoration: none; font-size: 1.2rem; letter-spacing:-.01em; }
.logo { display:inline-block; transform: translateY(-1px); }
main { width:100%; max-width: 64rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
main:focus { outline: none; }
h1 { font-size: clamp(1.7rem, 4vw, 2.5rem); line-height:1.15; letter-spacing:-.02em; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 0 0 .75rem; }
a { color: var(--accent); }
button, .button { font: inherit; font-weight:600; background: var(--accent); color: var(--accent-ink); border: 2px solid var(--accent); border-radius: .6rem; padding: .7rem 1.3rem; cursor: pointer; text-decoration: none; display: inline-block; min-height:2.75rem; }
button:hover, .button:hover { background:#3730a3; border-color:#3730a3; }
button[disabled] { opacity:.7; cursor: progress; }
button.secondary { background: var(--card); color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:.9rem; padding:1.5rem; }
.error { color:var(--bad); }
.muted { color: var(--muted); }
.visually-hidden { position:absolute !important; width:1px; height:1px; padding:0; margin:-1px; overflow:hidden; clip:rect(0,0,0,0); white-space:nowrap; border:0; }
@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
`;
