import { factKind, factsNamed, nameNamed } from "../request.ts";
import { type Nlp, peopleIn, placesIn, sentencesOf } from "./nlp.ts";

// The owner's facts, read from what they wrote: names as written, places, list items with their prices,
// prices, hours, phones, emails, addresses and quoted text. Each keeps the owner's exact words and the
// kind of section it belongs to; nothing here is ever reworded.

export type FactKind =
  | "name"
  | "person"
  | "place"
  | "item"
  | "price"
  | "hours"
  | "phone"
  | "email"
  | "address"
  | "quote";

export interface Fact {
  /** The owner's words, exactly. */
  text: string;
  kind: FactKind;
  /** The kind of section it belongs in ("services", "team", "contact", "title", "tagline"…). */
  section: string;
  /** A list item's price as written ("£4.20", "from $89"). */
  price?: string;
  /** What the owner said about an item in brackets ("principal dentist"), or who said a quote. */
  note?: string;
}

/** Words that introduce a list, by the section its items belong in. */
const listWords: Record<string, string[]> = {
  services: ["service", "treatment", "repair", "offering", "we do", "we offer", "we fix", "cleans"],
  menu: ["menu", "dish", "drink", "bread", "cake", "pastry", "coffee", "food", "bake"],
  team: [
    "team",
    "artist",
    "physiotherapist",
    "therapist",
    "staff",
    "stylist",
    "barber",
    "tutor",
    "teacher",
    "dentist",
    "instructor",
    "coach",
    "people",
    "member",
    "vet",
    "trainer",
  ],
  pricing: ["package", "plan", "price", "rate", "fee", "tier"],
  testimonials: ["testimonial", "review"],
  events: ["class", "event", "session", "course", "workshop", "gig", "fixture", "match"],
  features: ["feature", "benefit"],
};

export function listSection(intro: string): string | null {
  const lower = intro.toLowerCase();
  for (const [section, words] of Object.entries(listWords))
    if (words.some((w) => new RegExp(`\\b${w}`).test(lower))) return section;
  return null;
}

const money = String.raw`(?:[$€£]\s?\d[\d,]*(?:\.\d{1,2})?|\d[\d,]*(?:\.\d{1,2})?\s?(?:€|£|EUR|USD|GBP))`;
const per = String.raw`(?:\s*(?:\/|per|a|an)\s*(?:month|mo|year|yr|hour|hr|session|person|week|night|room|visit|class|day|lesson|item|head|guest|glass|bottle|pint|cup|kg|box|bunch|fortnight))?`;
const priceWithin = new RegExp(`(?:(?:from|only|just)\\s+)?${money}${per}`, "i");

/** "sourdough loaf £4.20", "Laptop screen replacement from $89", "Rosa Vega (fine line, botanical)". */
export function itemOf(raw: string, section: string): Fact | null {
  let text = raw
    .trim()
    .replace(/^(?:and|or|&|also|plus)\s+/i, "")
    .replace(/[.;:,!]+$/, "")
    .trim();
  const note = /\s*\(([^)]+)\)/.exec(text);
  if (note) text = text.replace(note[0], "").trim();
  const price = priceWithin.exec(text);
  let name = text;
  if (price) {
    name = text
      .replace(price[0], " ")
      .replace(/\s+(?:at|for|is|costs?|-|–|—|:)\s*$/i, "")
      .replace(/\s+/g, " ")
      .trim();
  }
  if (!name && !price) return null;
  if (name.split(/\s+/).length > 7) return null;
  return {
    text: name || price![0].trim(),
    kind: "item",
    section,
    ...(price && name ? { price: price[0].trim() } : {}),
    ...(note ? { note: note[1]!.trim() } : {}),
  };
}

/** Splits a list at commas and "and"/"or", leaving brackets and numbers ("£4,500") whole. */
export function splitItems(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]!;
    if (ch === "(") depth++;
    if (ch === ")") depth = Math.max(0, depth - 1);
    const thousands = ch === "," && /\d/.test(list[i - 1] ?? "") && /\d/.test(list[i + 1] ?? "");
    const word = depth === 0 ? /^\s+(?:and|or)\s+/i.exec(list.slice(i)) : null;
    if (((ch === "," || ch === ";") && depth === 0 && !thousands) || word) {
      parts.push(current);
      current = "";
      if (word) i += word[0].length - 1;
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

const quotePattern = /(?<![\w])["“‘']([^"“”‘’\n]{2,120}?)["”’'](?![\w])/g;

/** Every fact of one prompt (or answer). */
export function readFacts(nlp: Nlp, prompt: string, first: boolean): Fact[] {
  const facts: Fact[] = [];
  const add = (fact: Fact) => {
    if (fact.text && !facts.some((f) => f.text === fact.text)) facts.push(fact);
  };
  const quotes: string[] = [];
  for (const m of prompt.matchAll(quotePattern)) {
    const text = m[1]!.trim();
    quotes.push(text);
    const before = prompt.slice(0, m.index).toLowerCase();
    const after = prompt.slice(m.index + m[0].length);
    const by = /^\s*[–—-]\s*([^"“]+)/
      .exec(after)?.[1]
      ?.trim()
      .replace(/[.,;\s]+$/, "");
    const section = /\b(?:testimonials?|reviews?|quotes?|says?)\b/.test(before)
      ? "testimonials"
      : /\b(?:tagline|slogan|strapline|subtitle|subheading)\b[^.]*$/.test(before)
        ? "tagline"
        : /\b(?:headline|title|heading|hero)\b[^.]*$/.test(before)
          ? "title"
          : /\b(?:called|named|call)\s*$/.test(before)
            ? "heading"
            : "about";
    if (section === "heading") continue;
    add({ text, kind: "quote", section, ...(by && section === "testimonials" ? { note: by } : {}) });
    if (by && section === "testimonials") add({ text: by, kind: "person", section: "testimonials" });
  }
  const unquoted = quotes.reduce((t, q) => t.replace(q, " "), prompt);
  const unquotedText = (t: string) => quotes.reduce((x, q) => x.replace(q, " "), t);
  const name = first ? businessName(prompt) : null;
  if (name) add({ text: name, kind: "name", section: "title" });
  const self =
    /\b(?:I'm|I am|my name is)\s+((?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})/.exec(
      unquotedText(prompt),
    );
  if (self) add({ text: self[1]!, kind: "person", section: "about" });
  for (const fact of factsNamed(unquoted)) {
    const kind = factKind(fact);
    if (kind === "other") continue;
    add({ text: fact, kind, section: kind === "hours" ? "hours" : "contact" });
  }
  for (const sentence of sentencesOf(nlp, unquoted)) readSentence(nlp, sentence, add, facts);
  return facts.filter((f) => !(f.kind === "place" && facts.some((g) => g !== f && g.text.includes(f.text))));
}

/** The business's name as written: "called X", "for X", or the first run of capitalised words. */
function businessName(prompt: string): string | null {
  const named = nameNamed(prompt);
  const first = prompt.split(/(?<=[a-z0-9)][.!?])\s+/)[0] ?? prompt;
  const run =
    /(?:^|[,:–—-]\s+|\b(?:business|company|shop|studio|app|called|named)\s+)((?:The\s+)?[A-Z][\w'’]*(?:\s+(?:&\s+|and\s+|of\s+)?[A-Z][\w'’]*)+|[A-Z][a-z]+[A-Z]\w*)/.exec(
      first,
    )?.[1] ?? /^([A-Z][\w'’]+)\s+(?:is|are)\b/.exec(first)?.[1];
  const bad = (n: string | null | undefined) =>
    !n || /^(?:Hi|Hello|I|I'm|We|We're|My|Our|A|An|This)\b/.test(n);
  const byName =
    named &&
    new RegExp(`\\b(?:called|named)\\s+["“']?${named.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(prompt);
  let name = byName ? named : !bad(run) ? run : !bad(named) ? named : null;
  if (!name) return null;
  // "Crumb & Co." keeps its full stop.
  if (/\b(?:Co|Ltd|Inc|Bros)$/.test(name) && prompt.includes(`${name}.`)) name += ".";
  return name.trim();
}

const listVerbs =
  /^(?:we|i)\s+(?:do|offer|provide|fix|cover|specialise in|specialize in|sell|make|bake)\s+(.+)$/i;

function readSentence(nlp: Nlp, sentence: string, add: (f: Fact) => void, facts: Fact[]) {
  // A list: "Services are a, b and c", "Our team: …", "Menu: …", "Packages include …", "We do a, b and c".
  const list = /^(.{0,60}?)(?::|\s+(?:are|is|include|includes|including|—|–)\s+|^includes?\s+)(.+)$/i.exec(
    sentence,
  );
  const verb = listVerbs.exec(sentence);
  const parts = splitItems(sentence.replace(/[.!]$/, ""));
  const introduced = list ? listSection(list[1]!) : null;
  const bare =
    !introduced &&
    parts.length >= 3 &&
    parts.every(
      (p) => p.split(/\s+/).length <= 4 && !/\d/.test(p) && !/^(?:a|an|the|with|for|my|our)\b/i.test(p),
    ) &&
    !/\b(?:website|site|page|section)s?\b/i.test(sentence) &&
    !/\b(?:is|are|we|i)\b/i.test(sentence);
  // "Add a Wine section: …" lists items for a section of that name; "Sections: About, Menu" names sections.
  const own =
    list && !introduced
      ? /^(?:.*\b(?:add|put|want|like|need)\s+)?(?:a|an|the)?\s*(.+?)\s+section$/i.exec(list[1]!.trim())
      : null;
  if (list && !own && !introduced && /\b(?:sections?|pages?)\s*$/i.test(list[1]!)) return;
  const section = own
    ? `heading:${own[1]}`
    : verb
      ? /\b(?:sell|make|bake)\b/i.test(sentence)
        ? "menu"
        : "services"
      : list
        ? (listSection(list[1]!) ?? (/:/.test(sentence) && splitItems(list[2]!).length >= 2 ? "about" : null))
        : bare
          ? "services"
          : null;
  const body = verb
    ? verb[1]!
    : list && !bare
      ? list[2]!.replace(/[.!]$/, "")
      : sentence.replace(/[.!]$/, "");
  const listed = new Set<string>();
  if (section) {
    for (const raw of splitItems(body)) {
      const item = itemOf(raw, section);
      if (!item) continue;
      const people = section === "team" ? peopleIn(nlp, raw) : [];
      if (people.length === 1) item.text = people[0]!;
      add(item);
      listed.add(item.text);
      for (const p of people) listed.add(p);
    }
  }
  const inContact = /\b(?:call|ring|phone|email|text|contact|ask for)\b/i.test(sentence);
  for (const person of peopleIn(nlp, sentence)) {
    if ([...listed].some((l) => l.includes(person))) continue;
    add({ text: person, kind: "person", section: inContact ? "contact" : "about" });
  }
  for (const place of placesIn(nlp, sentence)) {
    if (facts.some((f) => f.text.includes(place) || [...listed].some((l) => l.includes(place)))) continue;
    if (/\d/.test(place)) continue;
    add({ text: place, kind: "place", section: "about" });
  }
  // Prices outside a list: "£40/hour", "Add gas safety certificates for £65"; among priced clauses, the
  // short ones without a price are items too ("MOT £54.85, full service from £149, brakes, clutches").
  if (!section) {
    // "cinnamon rolls ($4) to the menu": the price out of its brackets, the section it names.
    const named = /\b(?:to|on|in|into|under)\s+(?:the\s+)?([a-z]+)\b/i.exec(sentence)?.[1];
    const home = (named && listSection(named)) || "services";
    const clauses = splitItems(sentence.replace(/[.!]$/, "").replace(/\(([^)]*\d[^)]*)\)/g, "$1"));
    const priced = clauses.filter((c) => priceWithin.test(c)).length;
    for (const clause of clauses) {
      const price = priceWithin.exec(clause);
      if (!price) {
        if (priced >= 2 && clause.split(/\s+/).length <= 3 && !/\d/.test(clause))
          add({ text: clause, kind: "item", section: home });
        continue;
      }
      let before = clause
        .slice(0, price.index)
        .replace(/^\s*(?:please\s+)?(?:add|put|include|and|also|plus|with|we charge|it's|it is|now)\s+/i, "")
        .trim();
      // "Pro is now $15/month", "Rates start at $60/hour": the item's name without the verbs before the price.
      for (let i = 0; i < 3; i++)
        before = before
          .replace(/\s*\b(?:(?:start|starts|starting)\s+)?(?:at|for|is|are|costs?|now|:)\s*$/i, "")
          .trim();
      const words = before.split(/\s+/).filter(Boolean);
      if (words.length >= 1 && words.length <= 5 && !/\b(?:is|are|was)\b/.test(before))
        add({ text: before, kind: "item", section: home, price: price[0].trim() });
      else add({ text: price[0].trim(), kind: "price", section: home });
    }
  }
}
