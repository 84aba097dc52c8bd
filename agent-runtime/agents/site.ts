import { escapeHtml as e } from "../ui/escape.ts";
import { cleanFragment } from "./sanitize.ts";
import { pageFile, type SiteModel, type Theme } from "./site-model.ts";

export { cleanFragment };

export type SiteFiles = Record<string, string>;

/** The site's files from its model; a section renders to the same bytes as long as it is unchanged. */
export function renderSite(site: SiteModel): SiteFiles {
  const files: SiteFiles = {};
  const byId = new Map(site.sections.map((s) => [s.id, { ...s, html: cleanFragment(s.html) }]));
  const multi = site.pages.length > 1;
  for (const page of site.pages) {
    const sections = page.sections.flatMap((id) => byId.get(id) ?? []);
    const nav = multi
      ? site.pages
          .map(
            (p) =>
              `<a href="${pageFile(p.id)}"${p.id === page.id ? ' aria-current="page"' : ""}>${e(p.title)}</a>`,
          )
          .join("")
      : sections.map((s) => `<a href="#${e(s.id)}">${e(s.heading)}</a>`).join("");
    const cta = site.cta
      ? `\n<p class="cta"><a class="button" href="${e(site.cta.href)}">${e(site.cta.label)}</a></p>`
      : "";
    const title = page.id === "home" ? site.title : `${page.title} · ${site.title}`;
    files[pageFile(page.id)] = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<meta name="description" content="${e(site.description)}">
<link rel="stylesheet" href="styles.css">
</head>
<body class="layout-${site.theme.layout}">
<header class="hero">
<nav aria-label="${multi ? "Pages" : "Sections"}"><strong class="brand">${e(site.title)}</strong><div class="links">${nav}</div></nav>
<h1>${e(page.id === "home" ? site.title : page.title)}</h1>
${page.id === "home" ? `<p class="tagline">${e(site.tagline)}</p>${cta}` : ""}
</header>
<main>
${sections.map(renderSection).join("\n")}
</main>
<footer><p>${e(site.footer || site.title)}</p></footer>
</body>
</html>
`;
  }
  files["styles.css"] = stylesheet(site.theme);
  return files;
}

/** One section's block: the unit the agents edit, compare and keep. */
export const renderSection = (s: { id: string; heading: string; html: string }) =>
  `<section id="${e(s.id)}" aria-labelledby="${e(s.id)}-title">\n<h2 id="${e(s.id)}-title">${e(s.heading)}</h2>\n${s.html}\n</section>`;

function stylesheet(d: Theme): string {
  const p = d.palette;
  const t = d.typography;
  return `:root{--bg:${p.background};--surface:${p.surface};--text:${p.text};--muted:${p.muted};--accent:${p.accent};--accent-text:${p.accentText};--radius:${d.radius}px;--scale:${t.scale}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font-family:${t.body};line-height:1.6;font-size:clamp(1rem,0.95rem + 0.3vw,1.125rem)}
h1,h2,h3{font-family:${t.heading};line-height:1.15;margin:0 0 .5em}
h1{font-size:calc(2rem * var(--scale) * var(--scale))}
h2{font-size:calc(1.4rem * var(--scale))}
a{color:var(--accent)}
.hero{padding:clamp(1.5rem,4vw,3rem) clamp(1rem,5vw,4rem) clamp(3rem,8vw,6rem);background:var(--surface)}
.hero nav{display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;align-items:center;margin-bottom:clamp(2rem,6vw,5rem)}
.hero .links{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem}
.tagline{font-size:1.25em;color:var(--muted);max-width:40ch}
main{max-width:72rem;margin:0 auto;padding:0 clamp(1rem,5vw,4rem)}
section{padding:clamp(2rem,6vw,4.5rem) 0;border-bottom:1px solid color-mix(in srgb,var(--muted) 25%,transparent)}
.lead{font-size:1.15em;max-width:60ch}
.cards{list-style:none;padding:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr))}
.card{background:var(--surface);border-radius:var(--radius);padding:1.25rem}
.card p{color:var(--muted);margin:0}
.facts{padding-left:1.2rem}
.quotes{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}
blockquote{margin:0;padding:1.25rem;border-left:4px solid var(--accent);background:var(--surface);border-radius:var(--radius)}
.tiles{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr))}
.tile{aspect-ratio:4/3;border-radius:var(--radius);background:linear-gradient(135deg,var(--accent),var(--surface))}
.tile:nth-child(even){background:linear-gradient(45deg,var(--surface),var(--accent))}
details{background:var(--surface);border-radius:var(--radius);padding:.75rem 1rem;margin:.5rem 0}
form{display:grid;gap:.75rem;max-width:32rem}
label{display:grid;gap:.25rem;font-weight:600}
input,textarea{font:inherit;padding:.6rem;border:1px solid var(--muted);border-radius:calc(var(--radius) / 2);background:var(--bg);color:var(--text)}
button{font:inherit;font-weight:700;padding:.7rem 1.2rem;border:0;border-radius:var(--radius);background:var(--accent);color:var(--accent-text);cursor:pointer;justify-self:start}
footer{padding:2rem clamp(1rem,5vw,4rem);color:var(--muted)}
.layout-split section{display:grid;grid-template-columns:minmax(10rem,1fr) 2.5fr;gap:2rem}
.layout-cards section{background:var(--surface);border:0;border-radius:var(--radius);margin:1.5rem 0;padding:clamp(1.5rem,4vw,3rem)}
.layout-cards .card{background:var(--bg)}
.layout-editorial main{max-width:48rem}
.layout-editorial h2{text-transform:uppercase;letter-spacing:.08em;font-size:1rem;color:var(--accent)}
.layout-bold .hero{background:var(--accent);color:var(--accent-text)}
.layout-bold .hero a,.layout-bold .tagline{color:var(--accent-text)}
.layout-bold h2{font-size:calc(2rem * var(--scale))}
@media (max-width:40rem){.layout-split section{grid-template-columns:1fr;gap:0}}
.cta{margin:1.5rem 0 0}.button{display:inline-block;font-weight:700;padding:.7rem 1.2rem;border-radius:var(--radius);background:var(--accent);color:var(--accent-text);text-decoration:none}
.price{font-weight:700;font-size:1.25em;color:var(--text)}
.hero nav a[aria-current]{font-weight:700;text-decoration:none}
[data-placeholder]{display:none}
${d.header ? `.hero,.layout-bold .hero{background:${d.header.background};color:${d.header.text}}.hero a:not(.button),.hero .tagline,.layout-bold .hero a:not(.button),.layout-bold .tagline{color:${d.header.text}}\n` : ""}`;
}
