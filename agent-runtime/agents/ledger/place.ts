import { escapeHtml as e } from "../../ui/escape.ts";
import { slug, vocabularyId } from "../request.ts";
import { type SiteModel, type SiteSection, sectionOf } from "../site-model.ts";
import { sectionVocabulary } from "../vocabulary.ts";
import type { Fact } from "./facts.ts";

// Checking the owner's facts against the site, in code, after every run: each is found where a visitor
// reads it, or written into the section it belongs in, or reported as not placed. Sections that already
// hold their facts are not touched, so an edit's other sections stay byte-identical.

export interface Placement {
  text: string;
  /** Section id, "title", "tagline" or "footer"; null when it could not be placed. */
  where: string | null;
  /** Written in by this check (the model had left it out or reworded it). */
  repaired: boolean;
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'" };
/** What a visitor reads of a fragment: tags and the owner's placeholders left out. */
export const readable = (html: string) =>
  html
    .replace(/<(\w+)[^>]*data-placeholder[^>]*>[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(#39|amp|lt|gt|quot|apos);/g, (_, n: string) => entities[n] ?? "")
    .replace(/\s+/g, " ");

/** The words that must all be readable for a fact to count as kept. */
const partsOf = (fact: Fact) => [fact.text, ...(fact.price ? [fact.price] : [])];

/** Where each kind of fact goes: section ids and heading words that fit it, best first. */
const homes: Record<string, { ids: string[]; words: string[] }> = {
  services: {
    ids: ["services", "what-we-do", "treatments"],
    words: ["service", "treatment", "what we", "repair"],
  },
  menu: { ids: ["menu"], words: ["menu", "bread", "cake", "food", "drink", "bake"] },
  pricing: {
    ids: ["pricing", "packages", "prices", "plans", "rates"],
    words: ["pric", "package", "plan", "rate"],
  },
  team: { ids: ["team", "artists", "staff"], words: ["team", "artist", "staff", "people", "meet", "who"] },
  testimonials: { ids: ["testimonials", "reviews"], words: ["testimonial", "review", "say", "kind words"] },
  events: { ids: ["events", "gigs"], words: ["event", "gig", "what's on", "class", "upcoming"] },
  features: { ids: ["features"], words: ["feature"] },
  hours: { ids: ["hours", "opening-hours"], words: ["hour", "open", "when"] },
  contact: {
    ids: ["contact", "booking", "location"],
    words: ["contact", "book", "find", "visit", "touch", "reach"],
  },
  about: { ids: ["about", "our-story"], words: ["about", "story", "who we"] },
};
/** Where a fact goes when its own kind of section is missing. */
const fallbacks: Record<string, string[]> = {
  services: ["pricing", "menu"],
  menu: ["services", "pricing"],
  pricing: ["services", "menu"],
  features: ["services"],
  hours: ["contact"],
  contact: ["hours"],
  about: [],
  team: ["about"],
};

function findHome(site: SiteModel, section: string): SiteSection | undefined {
  if (section.startsWith("heading:")) {
    const heading = section.slice(8).toLowerCase();
    return site.sections.find((s) => s.heading.toLowerCase() === heading);
  }
  for (const kind of [section, ...(fallbacks[section] ?? [])]) {
    const home = homes[kind];
    if (!home) continue;
    const byId = home.ids.map((id) => sectionOf(site, id)).find(Boolean);
    if (byId) return byId;
    const byHeading = site.sections.find((s) => home.words.some((w) => s.heading.toLowerCase().includes(w)));
    if (byHeading) return byHeading;
  }
  return undefined;
}

const link = (fact: Fact) => {
  if (fact.kind === "phone")
    return `<a href="tel:${e(fact.text.replace(/[^\d+]/g, ""))}">${e(fact.text)}</a>`;
  if (fact.kind === "email") return `<a href="mailto:${e(fact.text)}">${e(fact.text)}</a>`;
  if (fact.kind === "address") return `<address>${e(fact.text)}</address>`;
  return e(fact.text);
};

function fragmentOf(fact: Fact): { list: "cards" | "facts" | "quotes"; html: string } {
  if (fact.kind === "item")
    return {
      list: "cards",
      html: `<li class="card"><h3>${e(fact.text)}</h3>${fact.price ? `<p class="price">${e(fact.price)}</p>` : ""}${fact.note ? `<p>${e(fact.note)}</p>` : ""}</li>`,
    };
  if (fact.kind === "quote" && fact.section === "testimonials")
    return {
      list: "quotes",
      html: `<blockquote><p>“${e(fact.text)}”</p>${fact.note ? `<footer>${e(fact.note)}</footer>` : ""}</blockquote>`,
    };
  return { list: "facts", html: `<li>${link(fact)}</li>` };
}

const placeholderTag = /<(\w+)[^>]*data-placeholder[^>]*>[\s\S]*?<\/\1>/;

/** Adds a fact's markup to a section's body: into its list of that kind, else where its placeholder was. */
function written(html: string, fact: Fact): string {
  const { list, html: fragment } = fragmentOf(fact);
  const open = list === "quotes" ? '<div class="quotes">' : `<ul class="${list}">`;
  const close = list === "quotes" ? "</div>" : "</ul>";
  const at = html.indexOf(open);
  if (at >= 0) {
    const end = html.indexOf(close, at);
    if (end >= 0) return html.slice(0, end) + fragment + html.slice(end);
  }
  const block = `${open}${fragment}${close}`;
  if (placeholderTag.test(html)) return html.replace(placeholderTag, block);
  // Facts (hours, phone, address) come before a form; items and quotes after any lead paragraph.
  const form = html.indexOf("<form");
  if (form >= 0) return html.slice(0, form) + block + html.slice(form);
  return `${html}${block}`;
}

export interface Kept {
  site: SiteModel;
  placements: Placement[];
  /** Sections this check wrote into. */
  touched: string[];
  /** Sections it had to add, for facts with no section of their kind. */
  added: { id: string; title: string }[];
}

/**
 * Every fact on the site, verbatim: found, repaired (a reworded or recased fact is put back as written) or
 * written into its section. `add` allows new sections for facts that have none; `title` allows the site's
 * name to be set (a new site, or when the owner gave a new name in this run).
 */
export function keepFacts(site: SiteModel, facts: Fact[], options: { add: boolean; title: boolean }): Kept {
  let next: SiteModel = { ...site, sections: [...site.sections], pages: site.pages.map((p) => ({ ...p })) };
  const placements: Placement[] = [];
  const touched = new Set<string>();
  const added: { id: string; title: string }[] = [];
  const setSection = (id: string, html: string) => {
    next.sections = next.sections.map((s) => (s.id === id ? { ...s, html } : s));
    touched.add(id);
  };
  const where = (fact: Fact): string | null => {
    const parts = partsOf(fact);
    const has = (text: string) => parts.every((p) => text.includes(p));
    if (has(next.title)) return "title";
    if (has(next.tagline)) return "tagline";
    for (const s of next.sections) if (has(`${s.heading} ${readable(s.html)}`)) return s.id;
    if (has(next.footer)) return "footer";
    return null;
  };
  for (const fact of facts) {
    const found = where(fact);
    if (found) {
      placements.push({ text: fact.text, where: found, repaired: false });
      continue;
    }
    if (fact.section === "title" || fact.section === "tagline") {
      if (fact.section === "title" && !options.title) {
        placements.push({ text: fact.text, where: null, repaired: false });
        continue;
      }
      next = fact.section === "title" ? { ...next, title: fact.text } : { ...next, tagline: fact.text };
      placements.push({ text: fact.text, where: fact.section, repaired: true });
      continue;
    }
    // Reworded in case only ("Boiler servicing"): written back as the owner wrote it.
    const recased = next.sections.find(
      (s) =>
        readable(s.html).toLowerCase().includes(fact.text.toLowerCase()) &&
        (!fact.price || readable(s.html).includes(fact.price)),
    );
    if (recased) {
      const pattern = new RegExp(e(fact.text).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
      const html = recased.html.replace(pattern, e(fact.text));
      if (html !== recased.html && readable(html).includes(fact.text)) {
        setSection(recased.id, html);
        placements.push({ text: fact.text, where: recased.id, repaired: true });
        continue;
      }
    }
    let home = findHome(next, fact.section);
    // A place or a name with no about section goes in the footer line rather than a section of its own.
    if (!home && fact.section === "about") {
      next = { ...next, footer: next.footer ? `${next.footer} · ${fact.text}` : fact.text };
      placements.push({ text: fact.text, where: "footer", repaired: true });
      continue;
    }
    if (!home && options.add) {
      const kind = fact.section.startsWith("heading:") ? null : fact.section;
      const title = kind ? (sectionVocabulary[kind]?.title ?? kind) : fact.section.slice(8);
      const id = kind && !sectionOf(next, kind) ? kind : uniqueId(next, vocabularyId(title) ?? slug(title));
      home = { id, heading: title, html: "" };
      next.sections = [...next.sections, home];
      const page = next.pages[0]!;
      const contact = page.sections.indexOf("contact");
      const at = contact >= 0 && fact.section !== "contact" ? contact : page.sections.length;
      page.sections = [...page.sections.slice(0, at), id, ...page.sections.slice(at)];
      added.push({ id, title });
    }
    if (!home) {
      placements.push({ text: fact.text, where: null, repaired: false });
      continue;
    }
    setSection(home.id, written(sectionOf(next, home.id)!.html, fact));
    placements.push({ text: fact.text, where: home.id, repaired: true });
  }
  return { site: next, placements, touched: [...touched], added };
}

function uniqueId(site: SiteModel, id: string): string {
  let candidate = id;
  for (let n = 2; sectionOf(site, candidate); n++) candidate = `${id}-${n}`;
  return candidate;
}

const itemTags = /<(li|blockquote|details|tr|p|address)\b[^>]*>[\s\S]*?<\/\1>/g;

/** The site without a fact: the list item, quote or line that holds it is taken out. */
export function removeText(site: SiteModel, text: string): { site: SiteModel; touched: string[] } {
  const lower = text.toLowerCase();
  const touched: string[] = [];
  const sections = site.sections.map((s) => {
    if (!readable(s.html).toLowerCase().includes(lower)) return s;
    let html = s.html;
    // The innermost element that holds the text: a card's <li> before the <p> inside it.
    const holders = [...html.matchAll(itemTags)].filter((m) => readable(m[0]).toLowerCase().includes(lower));
    const li = holders.find((m) => m[1] !== "p") ?? holders[0];
    if (li) html = html.replace(li[0], "");
    if (html === s.html) return s;
    touched.push(s.id);
    return { ...s, html };
  });
  return { site: { ...site, sections }, touched };
}

/** The site with one text put in place of another wherever a visitor reads it. */
export function replaceText(
  site: SiteModel,
  from: string,
  to: string,
): { site: SiteModel; touched: string[] } {
  const touched: string[] = [];
  const swap = (value: string) => value.split(from).join(to);
  const swapHtml = (html: string) => {
    let next = html.split(e(from)).join(e(to));
    if (/^[+()\d][\d\s().-]{5,}$/.test(from))
      next = next.split(from.replace(/[^\d+]/g, "")).join(to.replace(/[^\d+]/g, ""));
    return next;
  };
  const sections = site.sections.map((s) => {
    const html = swapHtml(s.html);
    const heading = swap(s.heading);
    if (html === s.html && heading === s.heading) return s;
    touched.push(s.id);
    return { ...s, html, heading };
  });
  return {
    site: {
      ...site,
      sections,
      title: swap(site.title),
      tagline: swap(site.tagline),
      footer: swap(site.footer),
    },
    touched,
  };
}
