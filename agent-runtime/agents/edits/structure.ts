import { splitList } from "../request.ts";
import { sectionOrder } from "../site-model.ts";
import { type EditReading, end, unquote } from "./reading.ts";

/** Renames: "rename the menu section to Our bakes", "call the about section Our story". */
export function readRenames(r: EditReading): void {
  const patterns = [
    String.raw`\b(?:rename|retitle|call)\s+(?:the\s+)?(.+?)\s+(?:section|heading)\s+(?:to\s+|as\s+)?(.+?)${end}`,
    String.raw`\b(?:rename|change)\s+(?:the\s+)?(.+?)(?:\s+section)?(?:'s)?\s+(?:heading|title)\s+to\s+(.+?)${end}`,
    String.raw`\brename\s+(?:the\s+)?(.+?)\s+to\s+(.+?)${end}`,
  ];
  for (const pattern of patterns) {
    for (const m of r.consumed.matchAll(new RegExp(pattern, "gi"))) {
      const id = r.ref(m[1]!);
      if (!id) continue;
      r.ops.push({ op: "rename-section", id, heading: unquote(m[2]!) });
      r.named.add(id);
      r.take(m);
    }
  }
}

/** Moves: "move the contact section to the top", "put testimonials before pricing", "swap a and b". */
export function readMoves(r: EditReading): void {
  for (const m of r.consumed.matchAll(
    /\b(?:move|put|place)\s+(?:the\s+)?(.+?)(?:\s+section)?\s+(to the top|to the start|first|to the end|to the bottom|last|at the top|at the end|at the bottom|above|below|before|after|under|over)\s*(?:the\s+)?([\w'’ -]*?)(?:\s+section)?(?=[.!?;,]|$)/gi,
  )) {
    const id = r.ref(m[1]!);
    if (!id) continue;
    const where = m[2]!.toLowerCase();
    const order = sectionOrder(r.site).filter((s) => s !== id);
    const other = m[3] ? r.ref(m[3]) : null;
    let before: string | null = null;
    let after: string | null = null;
    if (/top|start|first/.test(where)) before = order[0] ?? null;
    else if (/end|bottom|last/.test(where)) after = order.at(-1) ?? null;
    else if (other && /above|before|over/.test(where)) before = other;
    else if (other) after = other;
    else continue;
    r.ops.push({ op: "move-section", id, before, after });
    r.named.add(id);
    r.take(m);
  }
  for (const m of r.consumed.matchAll(
    /\bswap\s+(?:the\s+)?(.+?)\s+(?:section\s+)?(?:and|with)\s+(?:the\s+)?(.+?)(?:\s+sections?)?(?=[.!?;,]|$)/gi,
  )) {
    const a = r.ref(m[1]!);
    const b = r.ref(m[2]!);
    if (!a || !b) continue;
    const order = sectionOrder(r.site);
    const [first, second] = order.indexOf(a) < order.indexOf(b) ? [a, b] : [b, a];
    const afterSecond = order[order.indexOf(second) + 1] ?? null;
    r.ops.push({ op: "move-section", id: first, before: afterSecond, after: afterSecond ? null : second });
    r.ops.push({ op: "move-section", id: second, before: first, after: null });
    r.named.add(a).add(b);
    r.take(m);
  }
}

/** Removals: "remove the FAQ", "drop the gallery section", "delete the about page". */
export function readRemovals(r: EditReading): void {
  for (const m of r.consumed.matchAll(
    /\b(?:remove|delete|drop|get rid of|take out|hide|lose)\s+(?:the\s+)?(.+?)(?:\s+(?:section|page)s?)?(?=[.!?;,]|\s+and\b|$)/gi,
  )) {
    for (const phrase of splitList(m[1]!)) {
      const id = r.ref(phrase);
      if (!id) continue;
      r.ops.push({ op: "remove-section", id });
      r.named.add(id);
    }
    r.take(m);
  }
}
