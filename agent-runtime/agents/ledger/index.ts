import { factsNamed } from "../request.ts";
import type { SiteModel } from "../site-model.ts";
import { type FactEdits, noFactEdits, readFactEdits } from "./edits.ts";
import { type Fact, readFacts } from "./facts.ts";
import { loadNlp } from "./nlp.ts";
import { type Kept, keepFacts, type Placement, readable, removeText, replaceText } from "./place.ts";

// The fact ledger: every concrete fact the owner gave, in their words, recorded with the project (in the
// spec, carried from run to run), checked against the site after every build whatever the model, and
// repaired or reported. Facts the owner took off are remembered so they are not put back.

export type { FactEdits } from "./edits.ts";
export type { Fact, FactKind } from "./facts.ts";
export { loadNlp } from "./nlp.ts";
export type { Placement } from "./place.ts";

export interface Ledger {
  facts: Fact[];
  /** Facts the owner took off the site. */
  removed: string[];
  /** How many of the spec's prompts have been read into it. */
  read: number;
}

export const emptyLedger = (): Ledger => ({ facts: [], removed: [], read: 0 });

const siteText = (site: SiteModel | undefined) =>
  site
    ? [
        site.title,
        site.tagline,
        site.footer,
        ...site.sections.map((s) => `${s.heading} ${readable(s.html)}`),
      ].join(" ")
    : "";

/**
 * Reads the prompts (and answers) not read yet into the ledger, and what they change of facts already
 * recorded. `site` is the site the prompts are about; none for a new site.
 */
export async function readLedger(
  ledger: Ledger | undefined,
  prompts: string[],
  site: SiteModel | undefined,
): Promise<{ ledger: Ledger; edits: FactEdits }> {
  const current = ledger ?? emptyLedger();
  const fresh = prompts.slice(current.read);
  if (fresh.length === 0) return { ledger: current, edits: noFactEdits() };
  const nlp = await loadNlp();
  let facts = [...current.facts];
  const removed = [...current.removed];
  const edits = noFactEdits();
  for (const [i, prompt] of fresh.entries()) {
    const first = !site && current.read === 0 && i === 0;
    const change = site ? readFactEdits(nlp, prompt, facts, siteText(site)) : noFactEdits();
    for (const text of change.remove) {
      facts = facts.filter((f) => f.text !== text);
      removed.push(text);
    }
    for (const r of change.replace)
      facts = facts.map((f) =>
        f.text === r.from
          ? { ...f, text: r.to }
          : f.price === r.from && (!r.item || f.text === r.item)
            ? { ...f, price: r.to }
            : f,
      );
    if (change.title)
      facts = [
        ...facts.filter((f) => f.kind !== "name"),
        { text: change.title, kind: "name", section: "title" },
      ];
    edits.remove.push(...change.remove);
    edits.replace.push(...change.replace);
    edits.rename.push(...change.rename);
    edits.title = change.title ?? edits.title;
    const renamed = new Set(change.rename.map((r) => r.to));
    for (const fact of readFacts(nlp, prompt, first)) {
      if (renamed.has(fact.text) || change.remove.some((t) => t.includes(fact.text))) continue;
      const same = facts.find((f) => f.text === fact.text);
      if (same) continue;
      facts.push(fact);
    }
  }
  return { ledger: { facts, removed, read: prompts.length }, edits };
}

/** What this run changes of the owner's facts, merged with what it already read (steering, answers). */
export const mergeEdits = (a: FactEdits | undefined, b: FactEdits): FactEdits => ({
  remove: [...(a?.remove ?? []), ...b.remove],
  replace: [...(a?.replace ?? []), ...b.replace],
  rename: [...(a?.rename ?? []), ...b.rename],
  title: b.title ?? a?.title ?? null,
});

export const hasFactEdits = (edits: FactEdits | undefined) =>
  !!edits && (edits.remove.length + edits.replace.length + edits.rename.length > 0 || edits.title !== null);

/** The site with this run's fact edits made and every fact of the ledger on it (see `keepFacts`). */
export function applyLedger(
  site: SiteModel,
  ledger: Ledger,
  edits: FactEdits | undefined,
  options: { add: boolean; title: boolean; base?: SiteModel; said?: string[] },
): Kept & { invented: string[] } {
  let next = site;
  const touched = new Set<string>();
  const mark = (result: { site: SiteModel; touched: string[] }) => {
    next = result.site;
    for (const id of result.touched) touched.add(id);
  };
  for (const text of edits?.remove ?? []) mark(removeText(next, text));
  for (const r of edits?.replace ?? []) {
    if (!r.item) {
      mark(replaceText(next, r.from, r.to));
      continue;
    }
    const holder = next.sections.find((s) => readable(s.html).includes(r.item!));
    if (holder) {
      const scoped = replaceText({ ...next, sections: [holder] }, r.from, r.to);
      next = {
        ...next,
        sections: next.sections.map((s) => (s.id === holder.id ? scoped.site.sections[0]! : s)),
      };
      touched.add(holder.id);
    }
  }
  for (const r of edits?.rename ?? []) {
    const from = r.from.toLowerCase();
    const section =
      next.sections.find((s) => s.heading.toLowerCase() === from) ??
      next.sections.find((s) => s.heading.toLowerCase().includes(from) || s.id === from);
    if (section) {
      next = {
        ...next,
        sections: next.sections.map((s) => (s.id === section.id ? { ...s, heading: r.to } : s)),
      };
      touched.add(section.id);
    }
  }
  if (edits?.title && next.title !== edits.title) mark(replaceText({ ...next }, next.title, edits.title));
  // Facts that lived in a section the owner took off go with it.
  const gone = (options.base?.sections ?? []).filter((s) => !next.sections.some((n) => n.id === s.id));
  const inGone = (f: Fact) => gone.some((s) => `${s.heading} ${readable(s.html)}`.includes(f.text));
  const active = ledger.facts.filter((f) => !ledger.removed.includes(f.text) && !inGone(f));
  const invented = options.said ? inventedFacts(next, options.said) : [];
  for (const text of invented) mark(removeText(next, text));
  const kept = keepFacts(next, active, { add: options.add, title: options.title || !!edits?.title });
  return { ...kept, invented, touched: [...new Set([...touched, ...kept.touched])] };
}

const price = /[$€£]\s?\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?(?!\d)|[$€£]\s?\d+(?:\.\d{1,2})?/g;

/**
 * Phone numbers, emails and prices a model wrote that the owner never gave: they are taken off the page
 * (with the line or item that holds them) and reported, whichever model wrote them.
 */
export function inventedFacts(site: SiteModel, said: string[]): string[] {
  const owner = said.join("\n");
  const digits = owner.replace(/[^\d\n]/g, "");
  const found: string[] = [];
  for (const s of site.sections) {
    const text = readable(s.html);
    for (const fact of factsNamed(text)) {
      const kind = /@/.test(fact) ? "email" : /^[+()\d][\d\s().-]{5,}$/.test(fact) ? "phone" : null;
      if (kind === "email" && !owner.toLowerCase().includes(fact.toLowerCase())) found.push(fact);
      if (kind === "phone" && !digits.includes(fact.replace(/\D/g, ""))) found.push(fact);
    }
    for (const m of text.matchAll(price)) {
      const amount = m[0].replace(/[$€£\s]/g, "");
      if (!owner.includes(amount)) found.push(m[0]);
    }
  }
  return [...new Set(found)];
}

/** One line for the owner: where the facts went, what was written back in, and what could not be placed. */
export function describePlacements(placements: Placement[], invented: string[] = []): string {
  const repaired = placements.filter((p) => p.repaired && p.where);
  const missing = placements.filter((p) => !p.where);
  const parts = [`${placements.length - missing.length} of your ${placements.length} facts are on the page`];
  if (repaired.length)
    parts.push(`written in as you gave them: ${repaired.map((p) => `“${p.text}” (${p.where})`).join(", ")}`);
  if (missing.length)
    parts.push(
      `not placed (no section for them; say where they go): ${missing.map((p) => `“${p.text}”`).join(", ")}`,
    );
  if (invented.length)
    parts.push(`taken off because you never gave them: ${invented.map((t) => `“${t}”`).join(", ")}`);
  return `${parts.join("; ")}.`;
}
