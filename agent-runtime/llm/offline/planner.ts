import type { Plan } from "../../agents/schemas.ts";
import { type Spec, sectionVocabulary } from "../../agents/spec.ts";
import { kindOf } from "./subjects.ts";

export interface PlannerContext {
  spec: Spec;
  previousPlan?: Plan;
  answers: { question: string; answer: string }[];
  creativity: number;
  autonomy?: number;
}

/** "rosa's bakery" → "Rosa's Bakery" (a letter after an apostrophe stays as it is). */
export const titleCase = (text: string) =>
  text.replace(/(^|[\s-])(\p{Ll})/gu, (_, a, c: string) => a + c.toUpperCase());

/** Reads the owner's request (through the spec) and proposes the sections, ideas and questions. */
export function offlinePlan(context: PlannerContext): Plan {
  const { spec } = context;
  const text = spec.prompts.join(" ");
  const kind = kindOf(`${spec.subject ?? ""} ${text}`);
  const subject = spec.subject ?? (kind.kind === "general" ? "small business" : kind.words[0]!);
  const own = spec.exact ? [] : kind.typical.filter((id) => !spec.sections.includes(id));
  const titleOf = (id: string) =>
    spec.titles?.[id] ?? sectionVocabulary[id]?.title ?? titleCase(id.replace(/-/g, " "));
  const describe = (id: string) => ({
    id,
    title: titleOf(id),
    purpose: `${titleOf(id)} for ${kind.audience}`,
  });
  const asked = new Set(context.answers.map((a) => a.question));
  const questions: string[] = [];
  const q1 = "What is the website for: a business, a person, an event? Tell me its name too.";
  const q2 = "Which sections should the page have (for example about, services, menu, contact)?";
  if (!spec.subject && !spec.siteName && kind.kind === "general" && !asked.has(q1)) questions.push(q1);
  if (spec.sections.length === 0 && !asked.has(q2)) questions.push(q2);
  const sections = [
    ...spec.sections.map((id) => ({ ...describe(id), requested: true })),
    ...own.map((id) => ({ ...describe(id), requested: false })),
  ];
  // Pages when asked for; on autopilot a long site gives its contact details a page of their own.
  const decided =
    !spec.pages && (context.autonomy ?? 0) >= 4 && sections.length >= 7
      ? ["contact", "location"].filter((id) => sections.some((s) => s.id === id))
      : [];
  const pageIds = (spec.pages ?? decided).filter((id) => id !== "home");
  const pages = pageIds.length
    ? [
        {
          id: "home",
          title: "Home",
          sections: sections.map((s) => s.id).filter((id) => !pageIds.includes(id)),
        },
        ...(decided.length && !spec.pages
          ? [{ id: "contact", title: "Contact", sections: decided }]
          : pageIds.map((id) => ({ id, title: titleOf(id), sections: [id] }))),
      ]
    : [];
  return {
    siteName: spec.siteName ?? titleCase(subject),
    subject,
    audience: kind.audience,
    sections,
    ideas: ["newsletter", "faq", "gallery"]
      .filter((id) => !spec.sections.includes(id) && !own.includes(id))
      .map(describe),
    questions,
    facts: spec.facts,
    pages,
  };
}
