import type { EditRequest } from "../agents/edit.ts";
import type { EditPlan, PlanItem } from "../agents/schemas.ts";
import { type SiteModel, sectionOf, sectionOrder } from "../agents/site-model.ts";
import { noThemeChange } from "../agents/theme.ts";
import type { RunPolicy } from "./compile.ts";

export interface ScopedEdit {
  plan: EditPlan;
  /** Changes wider than asked that the policy held back: offered to the owner as suggestions. */
  suggestions: (PlanItem & { prompt: string; sectionId?: string })[];
}

/**
 * The edit contract, enforced here rather than trusted to the model: the design changes only when the
 * prompt is about the design, the title only when asked; at low autonomy a section the prompt did not
 * name is not rewritten, removed or renamed (it becomes a suggestion), and sections keep their order.
 */
export function scopeEdit(
  plan: EditPlan,
  reading: EditRequest,
  site: SiteModel,
  policy: RunPolicy,
): ScopedEdit {
  const suggestions: ScopedEdit["suggestions"] = [];
  const suggest = (id: string, title: string, purpose: string, prompt: string, sectionId?: string) => {
    if (!suggestions.some((s) => s.id === id)) suggestions.push({ id, title, purpose, prompt, sectionId });
  };
  const change = { ...plan.change, theme: { ...plan.change.theme } };
  if (!reading.aboutDesign) {
    change.theme = noThemeChange();
    if (change.kind === "redesign" || change.kind === "theme") change.kind = "section";
  }
  const askedTitle = reading.ops.some((o) => o.op === "title");
  if (change.title !== null && change.title !== site.title && !askedTitle) {
    suggest(
      "site-title",
      `Rename the site to ${change.title}`,
      "The agents' idea",
      `Change the title to ${change.title}.`,
    );
    change.title = null;
  }
  if (!askedTitle && change.title === site.title) change.title = null;

  const narrow = policy.autonomy <= 1 && reading.understood && change.kind !== "redesign";
  const asked = new Set(reading.named);
  const askedRemovals = new Set(reading.ops.flatMap((o) => (o.op === "remove-section" ? [o.id] : [])));
  const askedAdds = new Set(reading.ops.flatMap((o) => (o.op === "add-section" ? [o.id] : [])));
  const askedMoves = reading.ops.some((o) => o.op === "move-section" || o.op === "add-section");
  let extra = 0;
  change.rewrite = change.rewrite.filter((r) => {
    if (!sectionOf(site, r.id)) return false;
    if (!narrow || asked.has(r.id) || reading.ops.some((o) => o.op === "replace-fact")) return true;
    if (extra < policy.maxOwnSections) return ++extra > 0;
    const heading = sectionOf(site, r.id)!.heading;
    // Accepted, it is a run scoped to that section with the model's instruction as the prompt.
    suggest(`update-${r.id}`, `Update ${heading}`, r.instruction, r.instruction, r.id);
    return false;
  });

  const before = sectionOrder(site);
  let sections = [...plan.sections];
  const planned = new Set(sections.map((s) => s.id));
  // Removals nobody asked for are undone (and suggested) below full autonomy.
  if (policy.autonomy <= 2 && change.kind !== "redesign") {
    for (const id of before) {
      if (planned.has(id) || askedRemovals.has(id)) continue;
      const heading = sectionOf(site, id)?.heading ?? id;
      suggest(`remove-${id}`, `Remove ${heading}`, "The agents' idea", `Remove the ${heading} section.`);
      const at = Math.min(before.indexOf(id), sections.length);
      sections.splice(at, 0, { id, title: heading, purpose: "", requested: true });
    }
  }
  // Sections the prompt did not ask for count against the agents' own allowance.
  let own = 0;
  sections = sections.filter((s) => {
    if (before.includes(s.id) || askedAdds.has(s.id)) return true;
    if (own++ < policy.maxOwnSections) return true;
    suggest(s.id, s.title, s.purpose, `Add the ${s.title} section. [section:${s.id}:${s.title}]`);
    return false;
  });
  // Headings change only when asked (or at high autonomy); order only when a move was asked.
  sections = sections.map((s) => {
    const old = sectionOf(site, s.id);
    if (!old || old.heading === s.title || policy.autonomy >= 3) return s;
    if (reading.ops.some((o) => o.op === "rename-section" && o.id === s.id)) return s;
    return { ...s, title: old.heading };
  });
  if (!askedMoves && policy.autonomy <= 2) {
    const rank = (id: string) => (before.includes(id) ? before.indexOf(id) : Number.MAX_SAFE_INTEGER);
    const existing = sections.filter((s) => before.includes(s.id)).sort((a, b) => rank(a.id) - rank(b.id));
    let i = 0;
    sections = sections.map((s) => (before.includes(s.id) ? existing[i++]! : s));
  }
  const ids = new Set(sections.map((s) => s.id));
  const pages = plan.pages.map((p) => ({
    ...p,
    sections: sections
      .map((s) => s.id)
      .filter(
        (id) =>
          p.sections.includes(id) || (p.id === "home" && !plan.pages.some((q) => q.sections.includes(id))),
      ),
  }));
  return {
    plan: {
      ...plan,
      siteName: change.title ?? site.title,
      sections,
      pages:
        pages.length > 1 ? pages.filter((p) => p.id === "home" || p.sections.some((id) => ids.has(id))) : [],
      ideas: suggestions,
      questions: policy.askQuestions ? plan.questions : [],
      change,
    },
    suggestions,
  };
}
