import type { EditOp, EditRequest } from "../../agents/edit.ts";
import type { EditPlan } from "../../agents/schemas.ts";
import type { SiteOutline } from "../../agents/site-outline.ts";
import type { Spec } from "../../agents/spec.ts";
import { noThemeChange } from "../../agents/theme.ts";
import { kindOf } from "./subjects.ts";

export interface EditPlannerContext {
  spec: Spec;
  site: SiteOutline;
  /** The runtime's reading of the prompt against the site. */
  reading: EditRequest;
}

const describeOp = (op: EditOp): string => {
  switch (op.op) {
    case "set-text":
      return `Replace the text with: ${op.text}`;
    case "add-item":
      return `Add the item ${[op.item.name, op.item.price].filter(Boolean).join(" ")}`;
    case "remove-item":
      return `Remove the item ${op.name}`;
    case "add-facts":
      return `Add these facts: ${op.facts.join(", ")}`;
    case "replace-fact":
      return `Replace ${op.from} with ${op.to}`;
    case "rewrite":
      return op.instruction;
    default:
      return op.op;
  }
};

/** The site after the prompt's change: every section in order, what to rewrite, the theme and title. */
export function offlineEditPlan(context: EditPlannerContext): EditPlan {
  const { site, reading, spec } = context;
  const kind = kindOf(`${spec.subject ?? ""} ${site.title}`);
  const pages = site.pages.map((p) => ({ ...p, sections: [...p.sections] }));
  const titles = new Map(site.sections.map((s) => [s.id, s.heading]));
  const rewrite = new Map<string, string[]>();
  const note = (id: string, text: string) => rewrite.set(id, [...(rewrite.get(id) ?? []), text]);
  const change = {
    kind: reading.kind,
    title: null as string | null,
    theme: noThemeChange(),
    rewrite: [] as EditPlan["change"]["rewrite"],
    cta: null as string | null,
  };
  const remove = (id: string) => {
    for (const p of pages) p.sections = p.sections.filter((s) => s !== id);
  };
  const pageWith = (id: string) => pages.find((p) => p.sections.includes(id));
  for (const op of reading.ops) {
    switch (op.op) {
      case "title":
        change.title = op.value;
        break;
      case "theme":
        change.theme = {
          ...change.theme,
          ...Object.fromEntries(Object.entries(op.change).filter(([, v]) => v !== null)),
        };
        break;
      case "redesign":
        for (const s of site.sections) note(s.id, "Rewrite for the new design");
        break;
      case "cta":
        change.cta = op.label;
        break;
      case "add-section": {
        titles.set(op.id, op.title);
        if (op.page) {
          pages.push({ id: op.id, title: op.title, sections: [op.id] });
          break;
        }
        const anchorPage = op.after ? pageWith(op.after) : pages[0]!;
        const target = anchorPage ?? pages[0]!;
        const at = op.after ? target.sections.indexOf(op.after) + 1 : op.first ? 0 : target.sections.length;
        target.sections.splice(at, 0, op.id);
        break;
      }
      case "remove-section":
        remove(op.id);
        break;
      case "rename-section":
        titles.set(op.id, op.heading);
        for (const p of pages)
          if (p.sections.length === 1 && p.sections[0] === op.id && p.id !== "home") p.title = op.heading;
        break;
      case "move-section": {
        const anchor = op.before ?? op.after;
        const target = (anchor && pageWith(anchor)) || pageWith(op.id) || pages[0]!;
        remove(op.id);
        const at = anchor ? target.sections.indexOf(anchor) + (op.after ? 1 : 0) : target.sections.length;
        target.sections.splice(Math.max(0, at), 0, op.id);
        break;
      }
      case "replace-fact":
        for (const s of site.sections) if (s.text.includes(op.from)) note(s.id, describeOp(op));
        break;
      default:
        note(op.id, describeOp(op));
    }
  }
  const kept = pages.filter((p) => p.id === "home" || p.sections.length > 0);
  const order = kept.flatMap((p) => p.sections);
  change.rewrite = [...rewrite.entries()]
    .filter(([id]) => order.includes(id) && site.sections.some((s) => s.id === id))
    .map(([id, notes]) => ({ id, instruction: notes.join("; ") }));
  const questions =
    reading.understood || reading.named.length
      ? []
      : [
          "I couldn't tell what to change. Name a section (or click one in the preview) and say what it should say or look like.",
        ];
  return {
    siteName: change.title ?? site.title,
    subject: spec.subject ?? kind.words[0] ?? "site",
    audience: kind.audience,
    sections: order.map((id) => ({ id, title: titles.get(id) ?? id, purpose: "", requested: true })),
    ideas: [],
    questions,
    facts: spec.facts,
    pages: kept.length > 1 ? kept : [],
    change,
  };
}
