import { vocabularyId } from "../request.ts";
import { type SiteModel, sectionOrder } from "../site-model.ts";
import type { EditOp } from "./ops.ts";

/** Where a phrase in a prompt ends: at a sentence break, or where the next request begins. */
export const end = String.raw`(?=\s*(?:[.!?;]\s|[.!?;]?$|,\s*(?:and\s+)?(?:make|change|add|remove|set|turn|rename|move|put|use)\b|\s+and\s+(?:make|change|add|remove|set|turn|rename|move|put|use|give)\b))`;

export const unquote = (v: string) =>
  v
    .trim()
    .replace(/^["“'‘]|["”'’]$/g, "")
    .trim();

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

/** One prompt being read against the site: the operations found so far and what is left to read. */
export class EditReading {
  readonly ops: EditOp[] = [];
  /** Existing sections the prompt is about. */
  readonly named: Set<string>;
  /** The prompt with what was already read blanked out, so no phrase is read as two changes. */
  consumed: string;
  aboutDesign = false;
  readonly prompt: string;
  readonly site: SiteModel;
  readonly selection: string | null;

  constructor(prompt: string, site: SiteModel, selection: string | null) {
    this.prompt = prompt;
    this.site = site;
    this.selection = selection;
    this.named = new Set<string>(selection ? [selection] : []);
    this.consumed = prompt;
  }

  /** The existing section a phrase of this prompt refers to. */
  ref(phrase: string): string | null {
    return sectionRef(phrase, this.site, this.selection);
  }

  /** Marks a match as read. */
  take(match: RegExpExecArray | RegExpMatchArray): void {
    this.consumed = this.consumed.replace(match[0], " ".repeat(match[0].length));
  }
}
