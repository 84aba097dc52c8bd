import { factsNamed, sectionsNamed, sentences, slug, vocabularyId } from "../request.ts";
import { sectionOrder } from "../site-model.ts";
import { sectionVocabulary } from "../vocabulary.ts";
import type { EditReading } from "./reading.ts";

/** New sections and pages: "add a contact section with our phone number 555-0100", "add an about page". */
export function readAdditions(r: EditReading): void {
  const existing = new Set(sectionOrder(r.site));
  const facts = factsNamed(r.prompt);
  for (const clause of sentences(r.consumed)) {
    if (!/\b(?:add|include|put in|create|insert|we need|i want|also)\b/i.test(clause.text)) continue;
    const page = /\bpage\b/i.test(clause.text);
    const position =
      /\b(after|below|under|before|above)\s+(?:the\s+)?([\w'’ -]+?)(?:\s+section)?(?=[.!?;,]|$)/i.exec(
        clause.text,
      );
    const first = /\b(?:at the top|first|at the start)\b/i.test(clause.text);
    // "add a wine section", and "add a section about our flower subscription".
    const about =
      /\b(?:add|include|create)\s+(?:a|an)\s+(?:new\s+)?(section|page)\s+(?:about|on|for)\s+(?:our\s+|the\s+|my\s+)?([\w'’ -]{2,40}?)(?=[.!?;:,]|$)/i.exec(
        clause.text,
      );
    // "a section about emergency appointments" names a new section, not the about and booking sections.
    const known = about ? [] : sectionsNamed(position ? clause.text.replace(position[0], "") : clause.text);
    for (const s of known) {
      if (existing.has(s.id)) {
        if (facts.length) {
          r.ops.push({ op: "add-facts", id: s.id, facts });
          r.named.add(s.id);
        }
        continue;
      }
      const anchor = position ? r.ref(position[2]!) : null;
      const after = anchor && /after|below|under/i.test(position![1]!) ? anchor : null;
      const beforeAnchor = anchor && !after ? anchor : null;
      r.ops.push({ op: "add-section", id: s.id, title: s.title, after, first: first || false, page });
      if (beforeAnchor) r.ops.push({ op: "move-section", id: s.id, before: beforeAnchor, after: null });
      existing.add(s.id);
    }
    const custom = about
      ? ([about[0], about[2]!, about[1]!] as const)
      : /\b(?:add|include|create)\s+(?:a|an)\s+(?:new\s+)?["“']?([\w'’ -]{2,30}?)["”']?\s+(section|page)\b/i.exec(
          clause.text,
        );
    if (custom && !known.length) {
      const title = custom[1]!.replace(/^new\s+/i, "").trim();
      const id = vocabularyId(title) ?? slug(title);
      if (!existing.has(id)) {
        r.ops.push({
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
}

/** A call to action: "add a button saying 'Book now'". */
export function readCta(r: EditReading): void {
  const cta = /\b(?:add|include|want|need)\b[^.]*\b(?:cta|call to action|button)\b/i.test(r.prompt)
    ? (/["“']([^"”']{2,30})["”']/.exec(r.prompt)?.[1] ?? null)
    : null;
  if (cta) r.ops.push({ op: "cta", label: cta });
}
