import { describe, expect, it } from "vitest";
import { cleanDocument } from "../../agent-runtime/agents/sanitize.ts";
import { cleanFragment } from "../../agent-runtime/agents/site.ts";

/** Whether cleaned HTML could still run code, navigate or change how the page resolves URLs. */
function dangers(html: string): string[] {
  const decoded = html.replace(/&#x([0-9a-f]+);?/gi, (_, hex) =>
    String.fromCodePoint(Number.parseInt(hex, 16)),
  );
  const found: string[] = [];
  if (/<\s*script/i.test(decoded)) found.push("script element");
  if (/[\s/"']on[a-z]+\s*=/i.test(decoded)) found.push("event handler");
  if (/javascript\s*:/i.test(decoded.replace(/\s+/g, ""))) found.push("javascript: URL");
  if (/<\s*(iframe|object|embed|base|section)\b/i.test(decoded)) found.push("forbidden element");
  if (/http-equiv/i.test(decoded)) found.push("http-equiv");
  return found;
}

/** The generated site's HTML: model-written fragments go through an allow-list sanitizer, not patterns. */
describe("model-written HTML in generated sites", () => {
  const attacks = {
    "a script split around an inner script tag": "<scr<script>ipt>alert(1)</scr<script>ipt>",
    "a script rebuilt once the inner one is removed":
      "<scr<script></script>ipt>alert(1)</scr<script></script>ipt>",
    "a javascript: link with an encoded letter": '<a href="jav&#x61;script:alert(1)">win</a>',
    "a javascript: link with a tab inside": '<a href="java\tscript:alert(1)">win</a>',
    "an event handler after a slash": "<img src=x /onerror=alert(1)>",
    "an event handler glued to a quoted attribute": '<img src="x"onerror="alert(1)">',
    "an svg carrying a handler": "<svg><animate onbegin=alert(1) attributeName=x /></svg>",
    "a frame": '<iframe src="https://evil.example"></iframe>',
    "a base that redirects relative URLs": '<base href="https://evil.example/">',
    "a meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "a nested section": "<section><h2>extra</h2></section>",
    "a form that posts to a javascript: URL":
      '<form action="javascript:alert(1)" method="post"><button>Go</button></form>',
  };

  for (const [name, html] of Object.entries(attacks)) {
    it(`removes ${name}`, () => {
      expect(dangers(cleanFragment(html))).toEqual([]);
    });
  }

  it("keeps the markup sections are made of", () => {
    const html =
      '<p class="lead">Fresh <strong>bread</strong> daily.</p><ul class="cards"><li class="card"><h3>Rye</h3><p>Dark and dense.</p></li></ul>' +
      '<blockquote><p>Best in town.</p><cite>Ana</cite></blockquote><a href="https://example.com/menu">Menu</a>' +
      '<form><label for="email">Email<input id="email" type="email" name="email" required /></label><button type="submit">Send</button></form>';
    expect(cleanFragment(html)).toBe(html);
  });

  it("keeps what the builder writes: addresses, placeholders marked for the owner, forms with their target", () => {
    const html =
      '<address>14 Elm Street, Galway</address><p data-placeholder="hours">Opening hours to follow.</p>' +
      '<form class="contact" action="#" method="post"><input name="name" autocomplete="name" required /></form>';
    expect(cleanFragment(html)).toBe(html);
  });

  it("serves a whole page without refresh, base, script or handlers, keeping its structure", () => {
    const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=https://evil.example">
<base href="https://evil.example/"><title>Shop</title><link rel="stylesheet" href="styles.css"></head>
<body class="layout-split"><main><section id="about" aria-labelledby="about-title"><h2 id="about-title">About</h2>
<p onclick="alert(1)">Hi</p><script>alert(1)</script></section></main></body></html>`;
    const cleaned = cleanDocument(page);
    expect(dangers(cleaned.replace(/<section[^>]*>/g, ""))).toEqual([]);
    expect(cleaned.startsWith("<!doctype html>")).toBe(true);
    expect(cleaned).toContain('<link rel="stylesheet" href="styles.css" />');
    expect(cleaned).toContain('<section id="about" aria-labelledby="about-title">');
    expect(cleaned).toContain("<title>Shop</title>");
  });
});
