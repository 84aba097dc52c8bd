import type { Item } from "../request.ts";
import type { ThemeChange } from "../theme.ts";

// What a follow-up prompt asks of the current site, as operations on it.

export type EditOp =
  | { op: "title"; value: string }
  | { op: "theme"; change: ThemeChange }
  | { op: "redesign" }
  | { op: "add-section"; id: string; title: string; after: string | null; first: boolean; page: boolean }
  | { op: "remove-section"; id: string }
  | { op: "rename-section"; id: string; heading: string }
  | { op: "move-section"; id: string; before: string | null; after: string | null }
  | { op: "set-text"; id: string; text: string }
  | { op: "add-item"; id: string; item: Item }
  | { op: "remove-item"; id: string; name: string }
  | { op: "replace-fact"; from: string; to: string }
  | { op: "add-facts"; id: string; facts: string[] }
  | { op: "rewrite"; id: string; instruction: string }
  | { op: "cta"; label: string };

export type EditKind = "theme" | "section" | "structure" | "redesign";

export interface EditRequest {
  kind: EditKind;
  ops: EditOp[];
  /** Existing sections the prompt is about (named, or selected in the preview). */
  named: string[];
  /** The prompt is about the design: only then may the theme change. */
  aboutDesign: boolean;
  /** Nothing in the prompt could be read as a change. */
  understood: boolean;
}

/** What kind of edit a set of operations makes: a redesign outranks structure, structure outranks text. */
export function kindOf(ops: EditOp[]): EditKind {
  if (ops.some((o) => o.op === "redesign")) return "redesign";
  if (ops.some((o) => ["add-section", "remove-section", "move-section", "rename-section"].includes(o.op)))
    return "structure";
  if (ops.length > 0 && ops.every((o) => o.op === "theme" || o.op === "title")) return "theme";
  return "section";
}
