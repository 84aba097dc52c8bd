import type { EditReading } from "./reading.ts";

/** Text: "change the about text to: …", "the hours should say …", "replace the intro with '…'". */
export function readText(r: EditReading): void {
  for (const m of r.consumed.matchAll(
    /\b(?:change|replace|update|rewrite|set|make)\s+(?:the\s+)?(.+?)(?:\s+section)?(?:'s)?\s+(?:text|copy|intro|paragraph|description|content|wording|blurb)?\s*(?:to(?: say)?|with|so (?:that )?it says|:)\s*[:]?\s*["“]?([^"”]+?)["”]?\s*$/gi,
  )) {
    const id = r.ref(m[1]!);
    if (!id) continue;
    r.ops.push({ op: "set-text", id, text: m[2]!.trim() });
    r.named.add(id);
    r.take(m);
  }
  for (const m of r.consumed.matchAll(
    /\b(?:(?:the\s+)?(.+?)(?:\s+section)?\s+should\s+say|(?:make\s+)?(?:it|this)\s+(?:say|read))\s*:?\s*["“]?([^"”]+?)["”]?\s*$/gi,
  )) {
    const id = m[1] ? r.ref(m[1]) : r.selection;
    if (!id) continue;
    r.ops.push({ op: "set-text", id, text: m[2]!.trim() });
    r.named.add(id);
    r.take(m);
  }
}
