import { type FactKind, factKind, factsNamed } from "../request.ts";
import type { SiteModel } from "../site-model.ts";
import type { EditReading } from "./reading.ts";

/** Facts the site shows today (phone numbers, emails, addresses, hours), read from its sections. */
export function currentFacts(site: SiteModel): string[] {
  const text = `${site.sections.map((s) => s.html.replace(/<[^>]+>/g, " ")).join(" \n ")} \n ${site.footer}`;
  return factsNamed(text.replace(/\s+/g, " "));
}

/** Facts that changed: "change the phone number to 555-0199", "our email is now hi@x.example". */
export function readChangedFacts(r: EditReading): void {
  for (const m of r.consumed.matchAll(
    /\b(?:change|update|set)\s+(?:the\s+|our\s+)?(phone(?:\s+number)?|number|email(?:\s+address)?|address|opening hours|hours)\s+to\s+(.+?)(?=\.\s|\.?$|;)/gi,
  )) {
    const kind = /phone|number/i.test(m[1]!)
      ? "phone"
      : /email/i.test(m[1]!)
        ? "email"
        : /address/i.test(m[1]!)
          ? "address"
          : "hours";
    replaceFact(r, kind, m);
  }
  for (const m of r.consumed.matchAll(
    /\b(?:our|the)\s+(phone(?:\s+number)?|number|email(?:\s+address)?|address)\s+is\s+now\s+(.+?)(?=\.\s|\.?$|;)/gi,
  )) {
    const kind = /phone|number/i.test(m[1]!) ? "phone" : /email/i.test(m[1]!) ? "email" : "address";
    replaceFact(r, kind, m);
  }
}

function replaceFact(r: EditReading, kind: FactKind, m: RegExpMatchArray): void {
  const old = currentFacts(r.site).find((f) => factKind(f) === kind);
  if (!old) return;
  r.ops.push({ op: "replace-fact", from: old, to: m[2]!.trim() });
  r.take(m);
}

/** Facts given about the selected section: "our number is 555-0100" with a section selected. */
export function readSelectedFacts(r: EditReading): void {
  const facts = factsNamed(r.prompt);
  if (
    r.selection &&
    facts.length &&
    !r.ops.some((o) => o.op === "add-section" || o.op === "replace-fact" || o.op === "add-facts")
  ) {
    r.ops.push({ op: "add-facts", id: r.selection, facts });
  }
}
