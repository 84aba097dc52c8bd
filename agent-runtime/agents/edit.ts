import {
  factKind,
  factsNamed,
  type Item,
  parseItem,
  sectionsNamed,
  sentences,
  slug,
  splitList,
  vocabularyId,
} from "./request.ts";
import { type SiteModel, sectionOrder } from "./site-model.ts";
import { noThemeChange, parseColour, type ThemeChange } from "./theme.ts";
import { sectionVocabulary } from "./vocabulary.ts";

// What a follow-up prompt asks of the current site, read in code. The offline model plans from it;
// for any model it is the scope the answer is held to (what was named, whether the design may change).

export type EditOp =
  | { op: "title"; value: string }
  | { op: "theme"; change: ThemeChange }
  | { op: "redesign" }
  | { op: "add-section"; id: string; title: string; after: string | null; first: boolean; page: boolean }
  | { op: "remove-section"; id: string }
  | { op: "rename-section"; id: string; heading: string }
  | { op: "move-section"; id: string; before: string | null; after: string | null }
  | { op: "set-text"; id: string; text: string }
  | { op: "add-item"; id: string; item: Item }
  | { op: "remove-item"; id: string; name: string }
  | { op: "replace-fact"; from: string; to: string }
  | { op: "add-facts"; id: string; facts: string[] }
  | { op: "rewrite"; id: string; instruction: string }
  | { op: "cta"; label: string };

export type EditKind = "theme" | "section" | "structure" | "redesign";

export interface EditRequest {
  kind: EditKind;
  ops: EditOp[];
  /** Existing sections the prompt is about (named, or selected in the preview). */
  named: string[];
  /** The prompt is about the design: only then may the theme change. */
  aboutDesign: boolean;
  /** Nothing in the prompt could be read as a change. */
  understood: boolean;
}

const themeTargets: Record<string, keyof ThemeChange> = {
  header: "header",
  "header background": "header",
  banner: "header",
  hero: "header",
  "top bar": "header",
  top: "header",
  accent: "accent",
  "accent colour": "accent",
  "accent color": "accent",
  buttons: "accent",
  button: "accent",
  links: "accent",
  background: "background",
  "page background": "background",
  "site background": "background",
  text: "text",
  "text colour": "text",
  "text color": "text",
};

/** The existing section a phrase refers to: by heading, id or the words for it; "this" is the selection. */
export function sectionRef(phrase: string, site: SiteModel, selection: string | null): string | null {
  const p = phrase
    .toLowerCase()
    .trim()
    .replace(/^(?:the|our|my|a|an)\s+/, "")
    .replace(/\s+(?:section|part|block|page|list)$/, "")
    .replace(/['’]s$/, "")
    .trim();
  if (!p) return null;
  if (/^(?:this|it|that|here|selected|the selected|this one)$/.test(p)) return selection;
  const ids = sectionOrder(site);
  for (const s of site.sections) if (s.heading.toLowerCase() === p || s.id === p) return s.id;
  for (const page of site.pages)
    if (page.title.toLowerCase() === p && page.sections[0]) return page.sections[0];
  const vocab = vocabularyId(p);
  if (vocab && ids.includes(vocab)) return vocab;
  const partial = site.sections.find(
    (s) => s.heading.toLowerCase().includes(p) || p.includes(s.heading.toLowerCase()),
  );
  return partial?.id ?? null;
}

const end = String.raw`(?=\s*(?:[.!?;]\s|[.!?;]?$|,\s*(?:and\s+)?(?:make|change|add|remove|set|turn|rename|move|put|use)\b|\s+and\s+(?:make|change|add|remove|set|turn|rename|move|put|use|give)\b))`;
const unquote = (v: string) =>
  v
    .trim()
    .replace(/^["“'‘]|["”'’]$/g, "")
    .trim();

/** Reads a follow-up prompt against the current site. */
export function readEdit(prompt: string, site: SiteModel, selection: string | null = null): EditRequest {
  const ops: EditOp[] = [];
  const named = new Set<string>(selection ? [selection] : []);
  const ref = (phrase: string) => sectionRef(phrase, site, selection);
  const theme = noThemeChange();
  let aboutDesign = false;
  let consumed = prompt;
  const take = (match: RegExpExecArray | RegExpMatchArray) => {
    consumed = consumed.replace(match[0], " ".repeat(match[0].length));
  };

  // The site's title.
  for (const m of prompt.matchAll(
    new RegExp(
      String.raw`\b(?:change|rename|set|update|make)\s+(?:the\s+)?(?:site(?:'s)?\s+|website(?:'s)?\s+|page\s+|main\s+)?(?:title|name|heading)\s+(?:to|as|into)\s+(.+?)${end}`,
      "gi",
    ),
  )) {
    ops.push({ op: "title", value: unquote(m[1]!) });
    take(m);
  }
  for (const m of prompt.matchAll(
    new RegExp(
      String.raw`\b(?:rename|call)\s+(?:the\s+)?(?:site|website|business|it)\s+(?:to\s+)?(.+?)${end}`,
      "gi",
    ),
  )) {
    ops.push({ op: "title", value: unquote(m[1]!) });
    take(m);
  }

  // Colours, by part of the page.
  const targets = Object.keys(themeTargets)
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/ /g, "\\s+"))
    .join("|");
  const colourPatterns = [
    new RegExp(
      String.raw`\b(?:make|turn|set|change|colou?r|paint)\s+(?:the\s+)?(${targets})(?:\s+(?:background|colou?r))?\s+(?:to\s+|into\s+|in\s+|a\s+|an\s+)?(?:be\s+)?([#\w][\w\s#-]{1,30}?)${end}`,
      "gi",
    ),
    new RegExp(
      String.raw`\b(?:use|with|want|give it)\s+(?:a\s+|an\s+)?([#\w][\w\s#-]{1,30}?)\s+(?:for\s+the\s+|as\s+the\s+)?(${targets})(?:\s+colou?r)?\b`,
      "gi",
    ),
  ];
  for (const [index, pattern] of colourPatterns.entries()) {
    for (const m of prompt.matchAll(pattern)) {
      const [target, words] = index === 0 ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
      const colour = parseColour(words);
      const key = themeTargets[target.toLowerCase().replace(/\s+/g, " ")];
      if (!colour || !key) continue;
      (theme as unknown as Record<string, string>)[key] = colour;
      aboutDesign = true;
      take(m);
    }
  }
  const mode =
    /\b(dark mode|darker|dark theme|dark background)\b/i.exec(prompt) ??
    /\b(light mode|lighter|light theme|brighter)\b/i.exec(prompt);
  if (mode && !theme.background) {
    theme.mode = /dark/i.test(mode[1]!) ? "dark" : "light";
    aboutDesign = true;
    take(mode);
  }
  const font =
    /\b(serif|sans[- ]serif|sans|monospace|mono|typewriter)\b[^.]*\b(?:font|type|typeface|headings)\b|\b(?:font|typeface|type)\b[^.]*\b(serif|sans[- ]serif|sans|monospace|mono)\b/i.exec(
      prompt,
    );
  if (font) {
    const word = (font[1] ?? font[2]!).toLowerCase();
    theme.font = /mono|typewriter/.test(word) ? "mono" : /sans/.test(word) ? "sans" : "serif";
    aboutDesign = true;
    take(font);
  }
  if (Object.values(theme).some((v) => v !== null)) ops.push({ op: "theme", change: theme });
  if (
    /\b(?:redesign|new look|different (?:look|design|style)|fresh (?:look|design)|start over|from scratch|completely different|change the (?:design|look|style|colou?rs))\b/i.test(
      prompt,
    )
  ) {
    ops.push({ op: "redesign" });
    aboutDesign = true;
  }

  // Renames: "rename the menu section to Our bakes", "call the about section Our story".
  for (const m of consumed.matchAll(
    new RegExp(
      String.raw`\b(?:rename|retitle|call)\s+(?:the\s+)?(.+?)\s+(?:section|heading)\s+(?:to\s+|as\s+)?(.+?)${end}`,
      "gi",
    ),
  )) {
    const id = ref(m[1]!);
    if (!id) continue;
    ops.push({ op: "rename-section", id, heading: unquote(m[2]!) });
    named.add(id);
    take(m);
  }
  for (const m of consumed.matchAll(
    new RegExp(
      String.raw`\b(?:rename|change)\s+(?:the\s+)?(.+?)(?:\s+section)?(?:'s)?\s+(?:heading|title)\s+to\s+(.+?)${end}`,
      "gi",
    ),
  )) {
    const id = ref(m[1]!);
    if (!id) continue;
    ops.push({ op: "rename-section", id, heading: unquote(m[2]!) });
    named.add(id);
    take(m);
  }
  for (const m of consumed.matchAll(
    new RegExp(String.raw`\brename\s+(?:the\s+)?(.+?)\s+to\s+(.+?)${end}`, "gi"),
  )) {
    const id = ref(m[1]!);
    if (!id) continue;
    ops.push({ op: "rename-section", id, heading: unquote(m[2]!) });
    named.add(id);
    take(m);
  }

  // Moves: "move the contact section to the top", "put testimonials before pricing", "swap a and b".
  for (const m of consumed.matchAll(
    /\b(?:move|put|place)\s+(?:the\s+)?(.+?)(?:\s+section)?\s+(to the top|to the start|first|to the end|to the bottom|last|at the top|at the end|at the bottom|above|below|before|after|under|over)\s*(?:the\s+)?([\w'’ -]*?)(?:\s+section)?(?=[.!?;,]|$)/gi,
  )) {
    const id = ref(m[1]!);
    if (!id) continue;
    const where = m[2]!.toLowerCase();
    const order = sectionOrder(site).filter((s) => s !== id);
    const other = m[3] ? ref(m[3]) : null;
    let before: string | null = null;
    let after: string | null = null;
    if (/top|start|first/.test(where)) before = order[0] ?? null;
    else if (/end|bottom|last/.test(where)) after = order.at(-1) ?? null;
    else if (other && /above|before|over/.test(where)) before = other;
    else if (other) after = other;
    else continue;
    ops.push({ op: "move-section", id, before, after });
    named.add(id);
    take(m);
  }
  for (const m of consumed.matchAll(
    /\bswap\s+(?:the\s+)?(.+?)\s+(?:section\s+)?(?:and|with)\s+(?:the\s+)?(.+?)(?:\s+sections?)?(?=[.!?;,]|$)/gi,
  )) {
    const a = ref(m[1]!);
    const b = ref(m[2]!);
    if (!a || !b) continue;
    const order = sectionOrder(site);
    const [first, second] = order.indexOf(a) < order.indexOf(b) ? [a, b] : [b, a];
    const afterSecond = order[order.indexOf(second) + 1] ?? null;
    ops.push({ op: "move-section", id: first, before: afterSecond, after: afterSecond ? null : second });
    ops.push({ op: "move-section", id: second, before: first, after: null });
    named.add(a).add(b);
    take(m);
  }

  // Items: "add cinnamon rolls ($4) to the menu", "remove implants from the services".
  for (const m of consumed.matchAll(
    /\badd\s+(?:an?\s+|another\s+|a new\s+)?(.+?)\s+(?:to|in|on)\s+(?:the\s+|our\s+)?(.+?)(?:\s+section|\s+list)?(?=[.!?;]|$)/gi,
  )) {
    const id = ref(m[2]!);
    if (!id) continue;
    if (/^(?:that|this|it|them|these|those)$/i.test(m[1]!.trim())) {
      const given = factsNamed(prompt);
      if (given.length) ops.push({ op: "add-facts", id, facts: given });
      named.add(id);
      take(m);
      continue;
    }
    const described = m[1]!.replace(
      /^(?:(?:fourth|third|fifth|new|another)\s+)?(?:plan|item|dish|service|member)\s*(?:called|named|:)?\s*,?\s*/i,
      "",
    );
    for (const raw of splitList(described)) {
      const item = parseItem(raw);
      if (item?.name || item?.price) ops.push({ op: "add-item", id, item });
    }
    named.add(id);
    take(m);
  }
  for (const m of consumed.matchAll(
    /\b(?:remove|delete|drop|take)\s+(?:the\s+)?(.+?)\s+(?:from|off|out of)\s+(?:the\s+|our\s+)?(.+?)(?:\s+section|\s+list)?(?=[.!?;]|$)/gi,
  )) {
    const id = ref(m[2]!);
    if (!id) continue;
    for (const name of splitList(m[1]!)) ops.push({ op: "remove-item", id, name: unquote(name) });
    named.add(id);
    take(m);
  }

  // Facts that changed: "change the phone number to 555-0199", "our email is now hi@x.example".
  for (const m of consumed.matchAll(
    /\b(?:change|update|set)\s+(?:the\s+|our\s+)?(phone(?:\s+number)?|number|email(?:\s+address)?|address|opening hours|hours)\s+to\s+(.+?)(?=\.\s|\.?$|;)/gi,
  )) {
    const kind = /phone|number/i.test(m[1]!)
      ? "phone"
      : /email/i.test(m[1]!)
        ? "email"
        : /address/i.test(m[1]!)
          ? "address"
          : "hours";
    const old = currentFacts(site).find((f) => factKind(f) === kind);
    if (old) {
      ops.push({ op: "replace-fact", from: old, to: m[2]!.trim() });
      take(m);
    }
  }
  for (const m of consumed.matchAll(
    /\b(?:our|the)\s+(phone(?:\s+number)?|number|email(?:\s+address)?|address)\s+is\s+now\s+(.+?)(?=\.\s|\.?$|;)/gi,
  )) {
    const kind = /phone|number/i.test(m[1]!) ? "phone" : /email/i.test(m[1]!) ? "email" : "address";
    const old = currentFacts(site).find((f) => factKind(f) === kind);
    if (old) {
      ops.push({ op: "replace-fact", from: old, to: m[2]!.trim() });
      take(m);
    }
  }

  // Removals: "remove the FAQ", "drop the gallery section", "delete the about page".
  for (const m of consumed.matchAll(
    /\b(?:remove|delete|drop|get rid of|take out|hide|lose)\s+(?:the\s+)?(.+?)(?:\s+(?:section|page)s?)?(?=[.!?;,]|\s+and\b|$)/gi,
  )) {
    const phrases = splitList(m[1]!);
    for (const phrase of phrases) {
      const id = ref(phrase);
      if (!id) continue;
      ops.push({ op: "remove-section", id });
      named.add(id);
    }
    take(m);
  }

  // Text: "change the about text to: …", "the hours should say …", "replace the intro with '…'".
  for (const m of consumed.matchAll(
    /\b(?:change|replace|update|rewrite|set|make)\s+(?:the\s+)?(.+?)(?:\s+section)?(?:'s)?\s+(?:text|copy|intro|paragraph|description|content|wording|blurb)?\s*(?:to(?: say)?|with|so (?:that )?it says|:)\s*[:]?\s*["“]?([^"”]+?)["”]?\s*$/gi,
  )) {
    const id = ref(m[1]!);
    if (!id) continue;
    ops.push({ op: "set-text", id, text: m[2]!.trim() });
    named.add(id);
    take(m);
  }
  for (const m of consumed.matchAll(
    /\b(?:(?:the\s+)?(.+?)(?:\s+section)?\s+should\s+say|(?:make\s+)?(?:it|this)\s+(?:say|read))\s*:?\s*["“]?([^"”]+?)["”]?\s*$/gi,
  )) {
    const id = m[1] ? ref(m[1]) : selection;
    if (!id) continue;
    ops.push({ op: "set-text", id, text: m[2]!.trim() });
    named.add(id);
    take(m);
  }

  // New sections and pages: "add a contact section with our phone number 555-0100", "add an about page".
  const existing = new Set(sectionOrder(site));
  const facts = factsNamed(prompt);
  for (const clause of sentences(consumed)) {
    if (!/\b(?:add|include|put in|create|insert|we need|i want|also)\b/i.test(clause.text)) continue;
    const page = /\bpage\b/i.test(clause.text);
    const position =
      /\b(after|below|under|before|above)\s+(?:the\s+)?([\w'’ -]+?)(?:\s+section)?(?=[.!?;,]|$)/i.exec(
        clause.text,
      );
    const first = /\b(?:at the top|first|at the start)\b/i.test(clause.text);
    const named_ = sectionsNamed(position ? clause.text.replace(position[0], "") : clause.text);
    for (const s of named_) {
      if (existing.has(s.id)) {
        if (facts.length) {
          ops.push({ op: "add-facts", id: s.id, facts });
          named.add(s.id);
        }
        continue;
      }
      const anchor = position ? ref(position[2]!) : null;
      const after = anchor && /after|below|under/i.test(position![1]!) ? anchor : null;
      const beforeAnchor = anchor && !after ? anchor : null;
      ops.push({ op: "add-section", id: s.id, title: s.title, after, first: first || false, page });
      if (beforeAnchor) ops.push({ op: "move-section", id: s.id, before: beforeAnchor, after: null });
      existing.add(s.id);
    }
    const custom =
      /\b(?:add|include|create)\s+(?:a|an)\s+(?:new\s+)?["“']?([\w'’ -]{2,30}?)["”']?\s+(section|page)\b/i.exec(
        clause.text,
      );
    if (custom && !named_.length) {
      const title = custom[1]!.replace(/^new\s+/i, "").trim();
      const id = vocabularyId(title) ?? slug(title);
      if (!existing.has(id)) {
        ops.push({
          op: "add-section",
          id,
          title: sectionVocabulary[id]?.title ?? title.charAt(0).toUpperCase() + title.slice(1),
          after: null,
          first,
          page: custom[2]!.toLowerCase() === "page",
        });
        existing.add(id);
      }
    }
  }
  // Facts given about the selected section: "our number is 555-0100" with a section selected.
  if (
    selection &&
    facts.length &&
    !ops.some((o) => o.op === "add-section" || o.op === "replace-fact" || o.op === "add-facts")
  ) {
    ops.push({ op: "add-facts", id: selection, facts });
  }
  const cta = /\b(?:add|include|want|need)\b[^.]*\b(?:cta|call to action|button)\b/i.test(prompt)
    ? (/["“']([^"”']{2,30})["”']/.exec(prompt)?.[1] ?? null)
    : null;
  if (cta) ops.push({ op: "cta", label: cta });

  // With a section selected and nothing else understood, the prompt is about that section.
  if (ops.length === 0 && selection) ops.push({ op: "rewrite", id: selection, instruction: prompt.trim() });
  return {
    kind: kindOf(ops),
    ops,
    named: [...named],
    aboutDesign,
    understood: ops.length > 0,
  };
}

function kindOf(ops: EditOp[]): EditKind {
  if (ops.some((o) => o.op === "redesign")) return "redesign";
  if (ops.some((o) => ["add-section", "remove-section", "move-section", "rename-section"].includes(o.op)))
    return "structure";
  if (ops.length > 0 && ops.every((o) => o.op === "theme" || o.op === "title")) return "theme";
  return "section";
}

/** Facts the site shows today (phone numbers, emails, addresses, hours), read from its sections. */
export function currentFacts(site: SiteModel): string[] {
  const text = `${site.sections.map((s) => s.html.replace(/<[^>]+>/g, " ")).join(" \n ")} \n ${site.footer}`;
  return factsNamed(text.replace(/\s+/g, " "));
}

/** A run's prompts (the first and any steering), each read against the site, as one request. */
export function readEdits(prompts: string[], site: SiteModel, selection: string | null): EditRequest {
  const readings = prompts.map((p) => readEdit(p, site, selection));
  const ops = readings.flatMap((r) => r.ops);
  return {
    kind: kindOf(ops),
    ops,
    named: [...new Set(readings.flatMap((r) => r.named))],
    aboutDesign: readings.some((r) => r.aboutDesign),
    understood: readings.some((r) => r.understood),
  };
}
