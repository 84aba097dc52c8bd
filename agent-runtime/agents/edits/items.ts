import { factsNamed, parseItem, splitList } from "../request.ts";
import { type EditReading, unquote } from "./reading.ts";

/** Items: "add cinnamon rolls ($4) to the menu", "remove implants from the services". */
export function readItems(r: EditReading): void {
  for (const m of r.consumed.matchAll(
    /\badd\s+(?:an?\s+|another\s+|a new\s+)?(.+?)\s+(?:to|in|on)\s+(?:the\s+|our\s+)?(.+?)(?:\s+section|\s+list)?(?=[.!?;]|$)/gi,
  )) {
    const id = r.ref(m[2]!);
    if (!id) continue;
    if (/^(?:that|this|it|them|these|those)$/i.test(m[1]!.trim())) {
      const given = factsNamed(r.prompt);
      if (given.length) r.ops.push({ op: "add-facts", id, facts: given });
      r.named.add(id);
      r.take(m);
      continue;
    }
    const described = m[1]!.replace(
      /^(?:(?:fourth|third|fifth|new|another)\s+)?(?:plan|item|dish|service|member)\s*(?:called|named|:)?\s*,?\s*/i,
      "",
    );
    for (const raw of splitList(described)) {
      const item = parseItem(raw);
      if (item?.name || item?.price) r.ops.push({ op: "add-item", id, item });
    }
    r.named.add(id);
    r.take(m);
  }
  for (const m of r.consumed.matchAll(
    /\b(?:remove|delete|drop|take)\s+(?:the\s+)?(.+?)\s+(?:from|off|out of)\s+(?:the\s+|our\s+)?(.+?)(?:\s+section|\s+list)?(?=[.!?;]|$)/gi,
  )) {
    const id = r.ref(m[2]!);
    if (!id) continue;
    for (const name of splitList(m[1]!)) r.ops.push({ op: "remove-item", id, name: unquote(name) });
    r.named.add(id);
    r.take(m);
  }
}
