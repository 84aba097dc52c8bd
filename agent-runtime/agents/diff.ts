import type { SiteFiles } from "./site.ts";

// What changed between two versions of a site, read from the files themselves, so any two
// checkpoints can be compared (including ones written before the site model existed).

export interface SectionRef {
  id: string;
  heading: string;
  page: string;
}

export interface SiteDiff {
  added: SectionRef[];
  removed: SectionRef[];
  changed: SectionRef[];
  /** Sections whose heading changed (they are also in `changed`). */
  renamed: { id: string; from: string; to: string }[];
  /** The order of the remaining sections changed. */
  reordered: boolean;
  pagesAdded: string[];
  pagesRemoved: string[];
  theme: { property: string; from: string | null; to: string | null }[];
  title: { from: string; to: string } | null;
  /** Files whose bytes differ. */
  files: string[];
}

interface Parsed {
  sections: Map<string, { heading: string; block: string; page: string }>;
  order: string[];
  pages: string[];
  theme: Record<string, string>;
  title: string;
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .trim();

function parse(files: SiteFiles): Parsed {
  const sections: Parsed["sections"] = new Map();
  const order: string[] = [];
  const pages = Object.keys(files)
    .filter((p) => p.endsWith(".html"))
    .sort((a, b) => (a === "index.html" ? -1 : b === "index.html" ? 1 : a.localeCompare(b)));
  for (const page of pages) {
    for (const m of files[page]!.matchAll(/<section id="([^"]+)"[^>]*>([\s\S]*?)<\/section>/g)) {
      const heading = /<h2\b[^>]*>([\s\S]*?)<\/h2>/.exec(m[2]!)?.[1] ?? m[1]!;
      sections.set(m[1]!, { heading: text(heading), block: m[0], page });
      order.push(m[1]!);
    }
  }
  const css = files["styles.css"] ?? "";
  const theme: Record<string, string> = {};
  for (const m of (/:root\{([^}]*)\}/.exec(css)?.[1] ?? "").matchAll(/--([\w-]+):([^;]+)/g))
    theme[m[1]!] = m[2]!.trim();
  const header = /\.hero,\.layout-bold \.hero\{background:([^;]+);/.exec(css);
  if (header) theme.header = header[1]!;
  const font = /h1,h2,h3\{font-family:([^;]+);/.exec(css);
  if (font) theme["heading-font"] = font[1]!;
  const layout = /<body class="layout-(\w+)"/.exec(files["index.html"] ?? "");
  if (layout) theme.layout = layout[1]!;
  const title = text(/<strong class="brand">([\s\S]*?)<\/strong>/.exec(files["index.html"] ?? "")?.[1] ?? "");
  return { sections, order, pages, theme, title };
}

export function diffFiles(before: SiteFiles, after: SiteFiles): SiteDiff {
  const a = parse(before);
  const b = parse(after);
  const ref = (id: string, p: Parsed) => ({
    id,
    heading: p.sections.get(id)!.heading,
    page: p.sections.get(id)!.page,
  });
  const kept = a.order.filter((id) => b.sections.has(id));
  const keptAfter = b.order.filter((id) => a.sections.has(id));
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  return {
    added: b.order.filter((id) => !a.sections.has(id)).map((id) => ref(id, b)),
    removed: a.order.filter((id) => !b.sections.has(id)).map((id) => ref(id, a)),
    changed: kept
      .filter((id) => a.sections.get(id)!.block !== b.sections.get(id)!.block)
      .map((id) => ref(id, b)),
    renamed: kept
      .filter((id) => a.sections.get(id)!.heading !== b.sections.get(id)!.heading)
      .map((id) => ({ id, from: a.sections.get(id)!.heading, to: b.sections.get(id)!.heading })),
    reordered: kept.join() !== keptAfter.join(),
    pagesAdded: b.pages.filter((p) => !a.pages.includes(p) && a.pages.length > 0),
    pagesRemoved: a.pages.filter((p) => !b.pages.includes(p) && b.pages.length > 0),
    theme: [...new Set([...Object.keys(a.theme), ...Object.keys(b.theme)])]
      .filter((k) => a.theme[k] !== b.theme[k])
      .map((property) => ({ property, from: a.theme[property] ?? null, to: b.theme[property] ?? null })),
    title: a.title && b.title && a.title !== b.title ? { from: a.title, to: b.title } : null,
    files: [...paths].filter((p) => before[p] !== after[p]).sort(),
  };
}

/** One line for the timeline: "added Contact; changed About; theme: accent". */
export function describeDiff(diff: SiteDiff): string {
  const parts: string[] = [];
  const names = (list: SectionRef[]) => list.map((s) => s.heading).join(", ");
  if (diff.title) parts.push(`title “${diff.title.to}”`);
  if (diff.added.length) parts.push(`added ${names(diff.added)}`);
  if (diff.removed.length) parts.push(`removed ${names(diff.removed)}`);
  if (diff.changed.length) parts.push(`changed ${names(diff.changed)}`);
  if (diff.reordered) parts.push("reordered sections");
  if (diff.pagesAdded.length) parts.push(`new page ${diff.pagesAdded.join(", ")}`);
  if (diff.pagesRemoved.length) parts.push(`removed page ${diff.pagesRemoved.join(", ")}`);
  if (diff.theme.length) parts.push(`theme: ${diff.theme.map((t) => t.property).join(", ")}`);
  return parts.join("; ") || "no change";
}
