import { z } from "zod";

// The structured outputs of the four agents. Every model answer is validated against these.

const sectionId = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/);
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/);
const planItem = z.object({ id: sectionId, title: z.string().min(1), purpose: z.string() });

export const planSchema = z.object({
  siteName: z.string().min(1),
  subject: z.string().min(1),
  audience: z.string(),
  /** What the planner would build; `requested` marks the owner's own asks. */
  sections: z.array(planItem.extend({ requested: z.boolean() })),
  /** Further ideas; they become suggestions. */
  ideas: z.array(planItem),
  /** Clarifying questions, only when the request is ambiguous. */
  questions: z.array(z.string()),
  facts: z.array(z.string()),
  /** Pages and the sections on each; empty for a one-page site. */
  pages: z.array(z.object({ id: sectionId, title: z.string().min(1), sections: z.array(sectionId) })),
});
export type Plan = z.infer<typeof planSchema>;
export type PlanItem = z.infer<typeof planItem>;

export const directionSchema = z.object({
  name: z.string(),
  palette: z.object({
    background: color,
    surface: color,
    text: color,
    muted: color,
    accent: color,
    accentText: color,
  }),
  typography: z.object({ heading: z.string(), body: z.string(), scale: z.number().min(1.1).max(1.6) }),
  layout: z.enum(["classic", "split", "cards", "editorial", "bold"]),
  radius: z.number().int().min(0).max(32),
});
export type Direction = z.infer<typeof directionSchema>;

export const designSchema = z.object({
  directions: z.array(directionSchema).min(1),
  chosen: z.number().int().min(0),
  rationale: z.string(),
});
export type Design = z.infer<typeof designSchema>;

export const buildSchema = z.object({
  title: z.string().min(1),
  description: z.string(),
  tagline: z.string(),
  sections: z.array(z.object({ id: sectionId, heading: z.string().min(1), html: z.string() })),
  footer: z.string(),
});
export type Build = z.infer<typeof buildSchema>;

export const reviewSchema = z.object({
  score: z.number().min(0).max(10),
  passed: z.boolean(),
  issues: z.array(z.object({ sectionId: z.string(), problem: z.string(), fix: z.string() })),
});
export type Review = z.infer<typeof reviewSchema>;

/**
 * A follow-up prompt's change to the current site. The plan around it lists every section the site
 * will have, in order (a missing one is removed, a new one added, a new title renames it); only the
 * sections in `rewrite` (and new ones) are written again, everything else is kept byte for byte.
 */
export const changeSchema = z.object({
  kind: z.enum(["theme", "section", "structure", "redesign"]),
  /** A new site title, when the owner asked for one. */
  title: z.string().nullable(),
  theme: z.object({
    header: color.nullable(),
    accent: color.nullable(),
    background: color.nullable(),
    text: color.nullable(),
    font: z.enum(["serif", "sans", "mono"]).nullable(),
    mode: z.enum(["dark", "light"]).nullable(),
  }),
  /** Existing sections whose content changes, each with what to do. */
  rewrite: z.array(z.object({ id: sectionId, instruction: z.string() })),
  /** The words of a call to action the owner asked for. */
  cta: z.string().nullable(),
});
export type Change = z.infer<typeof changeSchema>;

export const editPlanSchema = planSchema.extend({ change: changeSchema });
export type EditPlan = z.infer<typeof editPlanSchema>;
