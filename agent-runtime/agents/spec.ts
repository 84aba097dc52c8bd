import type { Ledger } from "./ledger/index.ts";
import {
  asksExactly,
  ctaNamed,
  factsNamed,
  type Item,
  itemsNamed,
  nameNamed,
  pagesNamed,
  sectionMentions,
  sectionsNamed,
} from "./request.ts";
import { kindWord } from "./vocabulary.ts";

export { sectionVocabulary } from "./vocabulary.ts";

/** The structured spec of what the owner asked for, updated by every prompt before planning. */
export interface Spec {
  subject: string | null;
  siteName: string | null;
  /** Section ids in the order asked for. */
  sections: string[];
  /** The owner's own title for a section ("Our breads"), by id. */
  titles: Record<string, string>;
  /** Items the owner listed for a section (services, dishes, plans with prices, team members), by id. */
  items: Record<string, Item[]>;
  /** Facts kept verbatim: phone numbers, emails, addresses, opening hours. */
  facts: string[];
  /** The words of the call to action the owner asked for. */
  cta: string | null;
  /** The owner asked for these sections and nothing else. */
  exact: boolean;
  /** Section ids that get a page of their own ("home" is the first page), when pages were asked for. */
  pages: string[] | null;
  prompts: string[];
  /** The owner's facts in their words, read from `prompts` with NLP before each plan (see agents/ledger). */
  ledger?: Ledger;
}

export const emptySpec = (): Spec => ({
  subject: null,
  siteName: null,
  sections: [],
  titles: {},
  items: {},
  facts: [],
  cta: null,
  exact: false,
  pages: null,
  prompts: [],
});

/** Section ids named in a text, in the order they appear; `[section:id:Title]` names any other. */
export const sectionsIn = (text: string): string[] => sectionsNamed(text).map((s) => s.id);

function subjectIn(text: string, name: string | null): string | null {
  // "Bright Smile Dental, a family dental clinic in Leeds" → "family dental clinic".
  if (name) {
    const apposition = new RegExp(
      `${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*(?:,|is|—|-)\\s*(?:a|an|our|my)\\s+([^.,;:!?\\n]+?)(?=\\s+(?:in|on|at|with|that|which|for|near)\\b|[.,;:!?\\n]|$)`,
    ).exec(text);
    if (apposition) return apposition[1]!.trim();
  }
  const match =
    /\b(?:website|site|page|homepage)\s+(?:for|about)\s+(?:a|an|my|our|the)\s+([^.,;:!?\n]+?)(?=\s+(?:with|that|which|called|named|in|on|and)\b|[.,;:!?\n]|$)/i.exec(
      text,
    ) ??
    /\b(?:for|about)\s+(?:a|an|my|our)\s+([^.,;:!?\n]+?)(?=\s+(?:with|that|called|named|in|and)\b|[.,;:!?\n]|$)/i.exec(
      text,
    );
  if (match && !/^[A-Z]/.test(match[1]!)) return match[1]!.trim().replace(/\s+/g, " ");
  return kindWord(text);
}

export function updateSpec(previous: Spec, prompt: string): Spec {
  const spec = { ...emptySpec(), ...previous };
  const named = sectionsNamed(prompt);
  const sections = [...spec.sections];
  const titles = { ...spec.titles };
  for (const s of named) {
    if (!sections.includes(s.id)) sections.push(s.id);
    titles[s.id] = s.title;
  }
  for (const match of prompt.matchAll(
    /\b(?:remove|drop|without|delete)\s+(?:the\s+)?([a-z ]+?)(?:\s+section)?\b(?=[.,;]|$)/gi,
  )) {
    for (const id of sectionsIn(match[1]!)) {
      const at = sections.indexOf(id);
      if (at >= 0) sections.splice(at, 1);
    }
  }
  const facts = [...spec.facts];
  for (const fact of factsNamed(prompt)) if (!facts.includes(fact)) facts.push(fact);
  const name = nameNamed(prompt);
  const items = { ...spec.items, ...itemsNamed(prompt, sectionMentions(prompt)) };
  const pages = pagesNamed(prompt);
  if (pages) for (const id of pages) if (id !== "home" && !sections.includes(id)) sections.push(id);
  return {
    subject: subjectIn(prompt, name ?? spec.siteName) ?? spec.subject,
    siteName: name ?? spec.siteName,
    sections,
    titles,
    items,
    facts,
    cta: ctaNamed(prompt) ?? spec.cta,
    exact: spec.exact || (named.length > 0 && asksExactly(prompt)),
    pages: pages ?? spec.pages,
    prompts: [...spec.prompts, prompt],
    ...(spec.ledger ? { ledger: spec.ledger } : {}),
  };
}
