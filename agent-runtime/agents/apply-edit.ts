import type { Build, EditPlan } from "./schemas.ts";
import { renderSection } from "./site.ts";
import { planPages, type SiteModel, sectionOf, type Theme, withCta } from "./site-model.ts";

/** Sections the builder must write for an edit: the ones to rewrite and the new ones. */
export function sectionsToWrite(plan: EditPlan, site: SiteModel): string[] {
  const rewrite = new Set(plan.change.rewrite.map((r) => r.id));
  return plan.sections.filter((s) => rewrite.has(s.id) || !sectionOf(site, s.id)).map((s) => s.id);
}

/**
 * The site after an edit. Only sections the change names (and new ones) take the builder's words;
 * every other section is carried over as it was, whatever the builder sent back for it.
 */
export function applyEdit(site: SiteModel, plan: EditPlan, build: Build | null, theme: Theme): SiteModel {
  const writable = new Set(sectionsToWrite(plan, site));
  const written = new Map((build?.sections ?? []).map((s) => [s.id, s]));
  const sections = plan.sections.flatMap((p) => {
    const old = sectionOf(site, p.id);
    const fresh = writable.has(p.id) ? written.get(p.id) : undefined;
    const heading = old && old.heading !== p.title ? p.title : (old?.heading ?? fresh?.heading ?? p.title);
    if (fresh) return [{ id: p.id, heading, html: fresh.html }];
    return old ? [{ ...old, heading }] : [];
  });
  const ids = new Set(sections.map((s) => s.id));
  const pages = planPages(plan)
    .map((p) => ({ ...p, sections: p.sections.filter((id) => ids.has(id)) }))
    .filter((p) => p.id === "home" || p.sections.length);
  const next: SiteModel = {
    ...site,
    title: plan.change.title ?? site.title,
    sections,
    pages,
    theme,
  };
  const label = plan.change.cta ?? site.cta?.label ?? null;
  return withCta(next, label);
}

/** Sections that should have stayed as they were but did not: the reviewer's check of the edit contract. */
export function changedUntouched(before: SiteModel, after: SiteModel, touched: string[]): string[] {
  return before.sections
    .filter((s) => !touched.includes(s.id))
    .filter((s) => {
      const now = sectionOf(after, s.id);
      return now !== undefined && renderSection(now) !== renderSection(s);
    })
    .map((s) => s.id);
}
