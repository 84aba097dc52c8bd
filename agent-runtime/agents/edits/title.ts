import { type EditReading, end, unquote } from "./reading.ts";

/** The site's title: "change the title to …", "rename the business to …". */
export function readTitle(r: EditReading): void {
  for (const m of r.prompt.matchAll(
    new RegExp(
      String.raw`\b(?:change|rename|set|update|make)\s+(?:the\s+)?(?:site(?:'s)?\s+|website(?:'s)?\s+|page\s+|main\s+)?(?:title|name|heading)\s+(?:to|as|into)\s+(.+?)${end}`,
      "gi",
    ),
  )) {
    r.ops.push({ op: "title", value: unquote(m[1]!) });
    r.take(m);
  }
  for (const m of r.prompt.matchAll(
    new RegExp(
      String.raw`\b(?:rename|call)\s+(?:the\s+)?(?:site|website|business|it)\s+(?:to\s+)?(.+?)${end}`,
      "gi",
    ),
  )) {
    r.ops.push({ op: "title", value: unquote(m[1]!) });
    r.take(m);
  }
}
