import { readAdditions, readCta } from "./edits/additions.ts";
import { readChangedFacts, readSelectedFacts } from "./edits/facts.ts";
import { readItems } from "./edits/items.ts";
import { type EditRequest, kindOf } from "./edits/ops.ts";
import { EditReading } from "./edits/reading.ts";
import { readRedesign } from "./edits/redesign.ts";
import { readMoves, readRemovals, readRenames } from "./edits/structure.ts";
import { readText } from "./edits/text.ts";
import { readTheme } from "./edits/theme.ts";
import { readTitle } from "./edits/title.ts";
import type { SiteModel } from "./site-model.ts";

// What a follow-up prompt asks of the current site, read in code. The offline model plans from it;
// for any model it is the scope the answer is held to (what was named, whether the design may change).

export { currentFacts } from "./edits/facts.ts";
export type { EditKind, EditOp, EditRequest } from "./edits/ops.ts";
export { sectionRef } from "./edits/reading.ts";

/**
 * The readers, in the order they run. Each blanks out what it read, so the order decides which
 * reading a phrase gets: a rename before a text change, items before whole-section removals.
 */
const readers = [
  readTitle,
  readTheme,
  readRedesign,
  readRenames,
  readMoves,
  readItems,
  readChangedFacts,
  readRemovals,
  readText,
  readAdditions,
  readSelectedFacts,
  readCta,
];

/** Reads a follow-up prompt against the current site. */
export function readEdit(prompt: string, site: SiteModel, selection: string | null = null): EditRequest {
  const reading = new EditReading(asked(prompt), site, selection);
  for (const read of readers) read(reading);
  const { ops } = reading;
  // With a section selected and nothing else understood, the prompt is about that section.
  if (ops.length === 0 && selection) ops.push({ op: "rewrite", id: selection, instruction: prompt.trim() });
  return {
    kind: kindOf(ops),
    ops,
    named: [...reading.named],
    aboutDesign: reading.aboutDesign,
    understood: ops.length > 0,
  };
}

/** A request put politely reads as the instruction it is: "Can you put a gallery section…" → "Put a gallery section…". */
const asked = (prompt: string) =>
  prompt
    .replace(
      /\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(put|add|make|change|move|take|remove|rename|call)\b/gi,
      "$1",
    )
    .replace(/\bI(?:'d| would)\s+like\s+(?=(?:a|an|the|to\s+have\s+a)\b)/gi, "add ")
    .replace(/\bput\s+(?=(?:a|an)\s+(?:[\w\s]+?\s+)?section\b)/gi, "add ");

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
