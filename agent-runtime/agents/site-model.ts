import type { Build, Direction, Plan } from "./schemas.ts";

// The site as the agents edit it: named sections with stable ids, pages, and a theme. Files are
// rendered from it, so a section nobody touched renders to the same bytes on every run.

export interface SiteSection {
  id: string;
  heading: string;
  /** The section's body, as the builder wrote it. */
  html: string;
}

export interface SitePage {
  /** "home" is `index.html`; any other page is `<id>.html`. */
  id: string;
  title: string;
  sections: string[];
}

export interface Theme extends Direction {
  /** Set when the owner chose the header's colours themselves. */
  header: { background: string; text: string } | null;
}

export interface SiteModel {
  title: string;
  tagline: string;
  description: string;
  footer: string;
  cta: { label: string; href: string } | null;
  pages: SitePage[];
  sections: SiteSection[];
  theme: Theme;
}

export const pageFile = (pageId: string) => (pageId === "home" ? "index.html" : `${pageId}.html`);

/** Section ids in reading order, page by page. */
export const sectionOrder = (site: SiteModel) => site.pages.flatMap((p) => p.sections);

export const sectionOf = (site: SiteModel, id: string) => site.sections.find((s) => s.id === id);

/** The page that holds a section. */
export const pageOf = (site: SiteModel, id: string) => site.pages.find((p) => p.sections.includes(id));

/** Pages of a plan: its own, or one home page with every section. */
export function planPages(plan: Plan): SitePage[] {
  const ids = plan.sections.map((s) => s.id);
  const pages = (plan.pages ?? [])
    .map((p) => ({ ...p, sections: p.sections.filter((id) => ids.includes(id)) }))
    .filter((p) => p.id === "home" || p.sections.length > 0);
  if (pages.length <= 1) return [{ id: "home", title: "Home", sections: ids }];
  const placed = new Set(pages.flatMap((p) => p.sections));
  const home = pages.find((p) => p.id === "home") ?? { id: "home", title: "Home", sections: [] };
  home.sections = [...home.sections, ...ids.filter((id) => !placed.has(id))];
  return [home, ...pages.filter((p) => p.id !== "home")];
}

/** Where the call to action points: the section it is about, else the contact or booking section. */
export function ctaTarget(site: Pick<SiteModel, "pages" | "sections">, label: string): string {
  const order = site.pages.flatMap((p) => p.sections.map((id) => ({ id, page: p.id })));
  const lower = label.toLowerCase();
  const wanted = /sign|join|subscribe|register|enrol|download|get started/.test(lower)
    ? ["signup", "newsletter", "contact"]
    : /book|reserve|appointment/.test(lower)
      ? ["booking", "contact"]
      : /price|plan|buy/.test(lower)
        ? ["pricing", "contact"]
        : ["contact", "booking", "signup"];
  for (const id of wanted) {
    const hit = order.find((o) => o.id === id);
    if (hit) return `${hit.page === "home" || site.pages.length === 1 ? "" : `${hit.page}.html`}#${hit.id}`;
  }
  const last = order.at(-1);
  return last ? `#${last.id}` : "#";
}

/** A new site from a first build. */
export function siteFromBuild(plan: Plan, direction: Direction, build: Build, cta: string | null): SiteModel {
  const written = new Map(build.sections.map((s) => [s.id, s]));
  const sections = plan.sections.flatMap((p) => {
    const s = written.get(p.id);
    return s ? [{ id: s.id, heading: s.heading, html: s.html }] : [];
  });
  const ids = new Set(sections.map((s) => s.id));
  const pages = planPages(plan)
    .map((p) => ({ ...p, sections: p.sections.filter((id) => ids.has(id)) }))
    .filter((p) => p.id === "home" || p.sections.length);
  const site: SiteModel = {
    title: build.title,
    tagline: build.tagline,
    description: build.description,
    footer: build.footer,
    cta: null,
    pages,
    sections,
    theme: { ...direction, header: null },
  };
  return withCta(site, cta);
}

export function withCta(site: SiteModel, label: string | null): SiteModel {
  return { ...site, cta: label ? { label, href: ctaTarget(site, label) } : null };
}
