import type { EditReading } from "./reading.ts";

/** A new look altogether: "redesign it", "start over", "change the colours". */
export function readRedesign(r: EditReading): void {
  if (
    /\b(?:redesign|new look|different (?:look|design|style)|fresh (?:look|design)|start over|from scratch|completely different|change the (?:design|look|style|colou?rs))\b/i.test(
      r.prompt,
    )
  ) {
    r.ops.push({ op: "redesign" });
    r.aboutDesign = true;
  }
}
