import { sectionVocabulary } from "./vocabulary.ts";

// Reading what an owner wrote: named sections (and their order), listed items, facts kept verbatim,
// a call to action, pages. Only what was written is taken; nothing here is ever shown as a sentence.

export interface Item {
  name: string;
  price?: string;
  /** A stand-in the owner must fill (a team member's name when only "3 dentists" was given). */
  placeholder?: boolean;
}

export interface RequestedSection {
  id: string;
  title: string;
  /** Where in the text it was named, for ordering, and where its name ends. */
  at: number;
  end: number;
}

const numberWords: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };
const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/^(\d)/, "s-$1")
    .slice(0, 40)
    .replace(/-+$/, "") || "section";

/** The vocabulary id a phrase names ("Opening hours" → hours), or null. */
export function vocabularyId(phrase: string): string | null {
  const lower = phrase.toLowerCase().trim();
  for (const [id, entry] of Object.entries(sectionVocabulary)) {
    if (entry.words.some((w) => new RegExp(`^(?:our |the |a |an )?${escapeRegExp(w)}$`).test(lower)))
      return id;
  }
  return null;
}

/** The text split into clauses that end at a full stop, question or exclamation mark (not a decimal point). */
export function sentences(text: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  const pattern = /[^.!?\n]*(?:(?:\.(?=\d)|\b(?:Dr|Mr|Mrs|Ms|St|No|e\.g|i\.e)\.|[^.!?\n])*)[.!?]*/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0].trim()) out.push({ text: match[0].trim(), at: match.index });
  }
  return out;
}

const quoted = /(?<![\w])["'“‘]([^"'“”‘’\n]{2,60}?)["'”’](?![\w])/g;

/** Sections named in the text, in order: vocabulary words, quoted titles, `[section:id:Title]` tags. */
export function sectionsNamed(text: string): RequestedSection[] {
  const seen = new Set<string>();
  return sectionMentions(text).filter((s) => !seen.has(s.id) && seen.add(s.id));
}

/** Every place a section is named, in order (a section may be named twice: "… a menu. Menu: …"). */
export function sectionMentions(text: string): RequestedSection[] {
  const found: RequestedSection[] = [];
  const lower = text.toLowerCase();
  const taken: [number, number][] = [];
  const free = (at: number, end: number) => !taken.some(([a, b]) => at < b && end > a);
  // Quoted titles in a "sections" clause, or directly before the word "section".
  for (const clause of sentences(text)) {
    if (!/\bsections?\b|\bpages?\b/i.test(clause.text)) continue;
    for (const match of clause.text.matchAll(quoted)) {
      const title = match[1]!.trim();
      const at = clause.at + match.index;
      found.push({ id: vocabularyId(title) ?? slug(title), title, at, end: at + match[0].length });
      taken.push([at, at + match[0].length]);
    }
  }
  for (const [id, entry] of Object.entries(sectionVocabulary)) {
    for (const word of entry.words) {
      for (const match of lower.matchAll(new RegExp(`\\b${escapeRegExp(word)}\\b`, "g"))) {
        const end = match.index + match[0].length;
        if (!free(match.index, end) || notASection(lower, match.index, end, id)) continue;
        found.push({ id, title: entry.title, at: match.index, end });
        taken.push([match.index, end]);
      }
    }
  }
  for (const match of text.matchAll(/\[section:([a-z][a-z0-9-]*)(?::([^\]]*))?\]/g)) {
    found.push({
      id: match[1]!,
      title: match[2] || sectionVocabulary[match[1]!]?.title || match[1]!,
      at: match.index,
      end: match.index + match[0].length,
    });
  }
  return found.sort((a, b) => a.at - b.at);
}

/** Words that look like a section name but are not one where they stand. */
function notASection(lower: string, at: number, end: number, id: string): boolean {
  const before = lower.slice(Math.max(0, at - 24), at);
  const after = lower.slice(end, end + 16);
  if (id === "about" && /\b(site|page|website|homepage|is|all|talk|care|more|think|know)\s+$/.test(before))
    return true;
  if (id === "contact" && /^\s+(us|me)\b/.test(after) && !/\b(add|a|the|with)\s+$/.test(before)) return true;
  if (id === "faq" && /\b(any|have|no)\s+$/.test(before)) return true;
  if (
    id === "hours" &&
    /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|few|extra)\s+$/.test(before)
  )
    return true;
  return false;
}

/** Parses "Basic $5", "Pro ($9/month)", "$29", "sourdough — €4.50" into an item. */
export function parseItem(raw: string): Item | null {
  const text = raw
    .trim()
    .replace(/^(?:and|or|&|then|also)\s+/i, "")
    .replace(/[.;:,]+$/, "")
    .trim();
  if (!text || text.length > 80) return null;
  const price =
    /(?:[$€£]\s?\d[\d,]*(?:\.\d{1,2})?|\d[\d,]*(?:\.\d{1,2})?\s?(?:€|£|\$|EUR|USD|GBP))(?:\s*(?:\/|per|a)\s*(?:month|mo|year|yr|hour|hr|session|person|week|night))?/i.exec(
      text,
    );
  if (price) {
    const name = text
      .replace(price[0], "")
      .replace(/[()]/g, "")
      .replace(/\s+(?:at|for|from|is|costs?)\s*$/i, "")
      .replace(/\s*[-–—:]\s*$/, "")
      .trim();
    return { name: sentenceCase(name), price: price[0].trim() };
  }
  return { name: sentenceCase(text) };
}

/** "cleanings" → "Cleanings"; a name with capitals of its own ("iPhone", "Rosa's") is kept as written. */
export const sentenceCase = (text: string) =>
  /[A-Z]/.test(text) || !text ? text : text.charAt(0).toUpperCase() + text.slice(1);

export function splitList(list: string): string[] {
  return list
    .split(/\s*(?:,|;|\band\b|\bor\b|\s&\s|\+)\s*/i)
    .map((s) => s.trim())
    .filter(Boolean);
}

const listable = new Set([
  "services",
  "menu",
  "pricing",
  "team",
  "features",
  "events",
  "faq",
  "gallery",
  "portfolio",
]);

/** Items listed for each section: "Services: a, b and c", "menu with x, y", "3 plans ($0, $9, $29)", "team of 3 dentists". */
export function itemsNamed(text: string, sections: RequestedSection[]): Record<string, Item[]> {
  const items: Record<string, Item[]> = {};
  const sectionWords = new Set(Object.values(sectionVocabulary).flatMap((v) => v.words));
  for (const section of sections) {
    if (!listable.has(section.id) && sectionVocabulary[section.id]) continue;
    const after = text.slice(section.end).replace(/^\s+sections?\b/i, "");
    const clause = /^[^.!?\n]*(?:\.\d[^.!?\n]*)*/.exec(after)?.[0] ?? "";
    const team =
      /^\s*(?:of|with)\s+(\d+|one|two|three|four|five|six)\s+([a-z][a-z -]*?)s?(?=[\s,.;]|$)/i.exec(clause);
    if (items[section.id]) continue;
    if (section.id === "team" && team) {
      const n = Number(team[1]) || numberWords[team[1]!.toLowerCase()] || 1;
      const role = sentenceCase(team[2]!.trim().replace(/(ist|er|or|ian|ant|ent|ach)s$/, "$1"));
      items[section.id] = Array.from({ length: Math.min(n, 12) }, () => ({ name: role, placeholder: true }));
      continue;
    }
    const list =
      /^\s*(?:section)?\s*(?:with|of|for)?\s*(?:(?:\d+|one|two|three|four|five|six)\s+[a-z]+\s*)?\(([^)]+)\)/i.exec(
        clause,
      )?.[1] ??
      /^\s*(?:section\s*)?(?::|—|–|-|\bwith\b|\bincluding\b|\blike\b|\bsuch as\b|\blisting\b|\bfor\b)\s*(?:(?:\d+|one|two|three|four|five|six)\s+[a-z]+\s*)?(?::|—|–|-)?\s*(.+)$/i.exec(
        clause,
      )?.[1];
    if (!list) continue;
    const parsed = splitList(list.replace(/^(?:our|my|the)\s+/i, ""))
      .map(parseItem)
      .filter((i): i is Item => i !== null);
    // A list of section names ("about, menu and contact") is not a list of items.
    if (parsed.length < 1 || parsed.every((i) => sectionWords.has(i.name.toLowerCase()))) continue;
    if (parsed.some((i) => i.name.split(/\s+/).length > 6)) continue;
    items[section.id] ??= parsed;
  }
  return items;
}

/** Phone numbers, emails, addresses and opening hours, each as written. */
export function factsNamed(text: string): string[] {
  const facts: string[] = [];
  const add = (value: string) => {
    const v = value.trim().replace(/[.,;]+$/, "");
    if (v && !facts.includes(v)) facts.push(v);
  };
  for (const m of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) add(m[0]);
  for (const m of text.matchAll(
    /(?<![\w$€£.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)\s?)?\d{2,6}(?:[\s.-]\d{2,6}){1,3}(?![\w.]*\d)/g,
  )) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length >= 7 && !/^\d{1,2}[.:]\d{2}/.test(m[0]) && !/^(19|20)\d\d$/.test(digits)) add(m[0]);
  }
  for (const m of text.matchAll(
    /\b\d{1,5}[a-z]?\s+(?:[A-Z][\w'’-]*\s+){1,4}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Square|Sq|Way|Place|Pl|Boulevard|Blvd|Drive|Dr|Row|Court|Close|Terrace|Quay|Walk)\b\.?(?:,\s*[A-Z][\w'’-]*(?:\s+[A-Z0-9][\w'’-]*){0,2})?/g,
  ))
    add(m[0]);
  for (const s of sentences(text)) {
    const days =
      /\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\bdaily\b|\bweekdays?\b|\bweekends?\b|\bevery day\b/i;
    const time =
      /\b\d{1,2}(?::\d{2})?\s?(?:am|pm|h)\b|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?[-–]\s?\d{1,2}\b|\bnoon\b|\bmidnight\b/i;
    if (days.test(s.text) && time.test(s.text)) {
      // From the first day named (with an "open" just before it): "We are open Tues–Sat 7am–3pm" keeps
      // "open Tues–Sat 7am–3pm", as written, not the owner's whole sentence.
      const day = /\b(?:mon|tue|wed|thu|fri|sat|sun|daily|weekdays|every day)/i.exec(s.text);
      const open = day ? /\bopen\s+$/i.exec(s.text.slice(0, day.index)) : /\bopen\b/i.exec(s.text);
      const start = open?.index ?? day?.index ?? 0;
      // Up to the last time named: "Tue-Sat 7am-2pm, add that…" keeps only "Tue-Sat 7am-2pm".
      const times = [...s.text.matchAll(new RegExp(time.source, "gi"))].filter((m) => m.index >= start);
      const last = times.at(-1);
      const phrase = s.text.slice(start, last ? last.index + last[0].length : s.text.length);
      add(phrase);
    }
  }
  return facts;
}

export type FactKind = "email" | "phone" | "address" | "hours" | "other";

export function factKind(fact: string): FactKind {
  if (/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(fact)) return "email";
  if (/^[+()\d][\d\s().-]{5,}$/.test(fact)) return "phone";
  if (
    /\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Square|Sq|Way|Place|Pl|Boulevard|Blvd|Drive|Row|Court|Close|Terrace|Quay|Walk)\b/.test(
      fact,
    ) &&
    /\d/.test(fact)
  )
    return "address";
  if (/\d/.test(fact) && /\b(?:open|daily|mon|tue|wed|thu|fri|sat|sun|weekday|weekend|every day)/i.test(fact))
    return "hours";
  return "other";
}

/** "signup CTA", "a call to action to book", "a 'Book now' button" → the button's words. */
export function ctaNamed(text: string): string | null {
  const button = /["“']([^"”']{2,30})["”']\s+button/i.exec(text);
  if (button) return button[1]!;
  const labelled =
    /\b(?:cta|call to action|button)\s*(?::|saying|that says|reading)\s*["“']?([^"”'.,;]{2,30})/i.exec(text);
  if (labelled) return sentenceCase(labelled[1]!.trim());
  const kind =
    /\b(sign[- ]?up|subscribe|book(?:ing)?|order|contact|join|get started|download|donate|buy|reserve|quote|enrol|register)\s*(?:cta|call to action|button)\b/i.exec(
      text,
    ) ??
    /\b(?:cta|call to action|button)\s+(?:to|for)\s+(sign[- ]?up|subscribe|book(?: a table| an appointment)?|order|contact us|join|get started|download|donate|buy|reserve|get a quote|enrol|register)\b/i.exec(
      text,
    );
  if (!kind) return null;
  const word = kind[1]!.toLowerCase().replace(/-/g, " ");
  const labels: Record<string, string> = {
    signup: "Sign up",
    "sign up": "Sign up",
    booking: "Book now",
    book: "Book now",
    quote: "Get a quote",
    contact: "Contact us",
  };
  return labels[word] ?? sentenceCase(word);
}

/** Whether the owner asked for these sections and nothing else. */
export const asksExactly = (text: string) =>
  /\b(?:exactly|only|nothing else|just these|no other sections?|no more)\b/i.test(text);

/** The site's own name, with its own capitalisation: `called X`, `named "X"`, `for Rosa's Bakery`. */
export function nameNamed(text: string): string | null {
  const word = String.raw`[A-Z0-9][\w'’&-]*`;
  const joined = String.raw`(?:[A-Z][\w'’&-]*|[A-Z]\.)(?:\s+(?:&\s+|of\s+|the\s+|de\s+|and\s+)?${word}){0,4}`;
  const match =
    /\b(?:called|named)\s+["“']([^"”']{2,40})["”']/.exec(text) ??
    new RegExp(String.raw`\b(?:called|named)\s+(${joined})`).exec(text) ??
    /["“]([^"”]{2,40})["”]/.exec(text) ??
    new RegExp(
      String.raw`\b(?:[Ww]e(?:'|’)re|[Ww]e are|[Tt]his is)\s+(${joined})(?=\s*[,.]|\s+(?:a|an)\b)`,
    ).exec(text) ??
    new RegExp(String.raw`\b(?:for|about)\s+(${joined})`).exec(text);
  if (!match) return null;
  const name = match[1]!.trim().replace(/[.,]$/, "");
  return /^(?:A|An|The|My|Our|I|We)$/.test(name) ? null : name;
}

/** Pages asked for: "with home, menu and contact pages", "a separate page for the menu". */
export function pagesNamed(text: string): string[] | null {
  const list = /\b((?:[\w'’ -]+?,\s*)*[\w'’ -]+?\s+and\s+[\w'’ -]+?|[\w'’-]+)\s+pages\b/i.exec(text);
  const separate = [
    ...text.matchAll(
      /\b(?:separate|own|its own|a)\s+page\s+(?:for|with)\s+(?:the\s+|our\s+)?([\w'’ -]+?)(?=[.,;]|\s+and\b|$)/gi,
    ),
  ];
  const names = [
    ...(list ? splitList(list[1]!.replace(/^.*\bwith\s+/i, "").replace(/^(?:a|an|the)\s+/i, "")) : []),
    ...separate.map((m) => m[1]!),
  ];
  const ids = names
    .map((n) => (n.toLowerCase() === "home" ? "home" : (vocabularyId(n) ?? null)))
    .filter(Boolean);
  return ids.length >= 1 && (list || separate.length) ? [...new Set(ids as string[])] : null;
}
