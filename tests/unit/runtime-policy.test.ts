import { describe, expect, test } from "vitest";
import type { Plan } from "../../agent-runtime/agents/schemas.ts";
import { emptySpec, updateSpec } from "../../agent-runtime/agents/spec.ts";
import { capabilitiesOf } from "../../agent-runtime/llm/capabilities.ts";
import {
  applyScope,
  autonomyLevels,
  compilePolicy,
  creativityLevels,
} from "../../agent-runtime/policy/index.ts";

const plan = (sections: string[], ideas: string[] = []): Plan => ({
  siteName: "Harbor Beans",
  subject: "café",
  audience: "",
  sections: sections.map((id) => ({ id, title: id, purpose: "", requested: false })),
  ideas: ideas.map((id) => ({ id, title: id, purpose: "" })),
  questions: ["Which colours?"],
  facts: [],
  pages: [],
});

describe("run policy", () => {
  test("every level of both sliders has a name and a one-line explanation", () => {
    for (const level of [...autonomyLevels, ...creativityLevels]) {
      expect(level.name).not.toBe("");
      expect(level.explanation).not.toContain("\n");
    }
    expect(autonomyLevels).toHaveLength(5);
    expect(creativityLevels).toHaveLength(5);
  });

  test("low autonomy needs plan approval and builds nothing of the agents' own; high autonomy never asks", () => {
    expect(compilePolicy({ autonomy: 0, creativity: 2, tier: "starter" })).toMatchObject({
      requirePlanApproval: true,
      askQuestions: true,
      maxOwnSections: 0,
    });
    expect(compilePolicy({ autonomy: 4, creativity: 2, tier: "starter" })).toMatchObject({
      requirePlanApproval: false,
      askQuestions: false,
      maxOwnSections: 6,
    });
  });

  test("creativity widens design latitude and the directions explored", () => {
    const literal = compilePolicy({ autonomy: 2, creativity: 0, tier: "pro" });
    const bold = compilePolicy({ autonomy: 2, creativity: 4, tier: "pro" });
    expect(literal.designLatitude).toEqual({ palette: "neutral", layout: "single", typography: "system" });
    expect(bold.designLatitude).toEqual({ palette: "free", layout: "free", typography: "expressive" });
    expect([literal.designDirections, bold.designDirections]).toEqual([1, 3]);
    expect(literal.reviewerRubric.join(" ")).toMatch(/nothing invented/);
  });

  test("scope is enforced on whatever the model planned: extra sections become suggestions", () => {
    const spec = updateSpec(emptySpec(), "A site with about and menu sections");
    const policy = compilePolicy({ autonomy: 0, creativity: 2, tier: "pro" });
    const scoped = applyScope(plan(["hero", "about", "gallery", "menu"], ["faq"]), spec, policy);
    expect(scoped.plan.sections.map((s) => s.id)).toEqual(["about", "menu"]);
    expect(scoped.suggestions.map((s) => s.id)).toEqual(["hero", "gallery", "faq"]);
    // A requested section the model forgot is still built.
    expect(applyScope(plan(["about"]), spec, policy).plan.sections.map((s) => s.id)).toEqual([
      "about",
      "menu",
    ]);
  });

  test("at autopilot the model's questions are dropped: it decides itself", () => {
    const policy = compilePolicy({ autonomy: 4, creativity: 2, tier: "pro" });
    expect(applyScope(plan(["about"]), emptySpec(), policy).plan.questions).toEqual([]);
  });
});

describe("model capabilities", () => {
  test("temperature is never sent to reasoning models", () => {
    expect(capabilitiesOf("o3-mini").temperature).toBe(false);
    expect(capabilitiesOf("gpt-5").temperature).toBe(false);
    expect(capabilitiesOf("gpt-4o-mini").temperature).toBe(true);
    expect(capabilitiesOf("llama3.2").temperature).toBe(true);
  });
});

describe("the structured spec", () => {
  test("a prompt adds its sections, facts, subject and name; a removal takes a section out", () => {
    const first = updateSpec(
      emptySpec(),
      'A website for my bakery called "Rye & Co" with about and menu. Open Tue-Sun 7am-2pm.',
    );
    expect(first).toMatchObject({ subject: "bakery", siteName: "Rye & Co", sections: ["about", "menu"] });
    expect(first.facts).toEqual(["Open Tue-Sun 7am-2pm"]);
    const second = updateSpec(first, "Remove the menu. Add a contact section.");
    expect(second.sections).toEqual(["about", "contact"]);
    expect(second.subject).toBe("bakery");
  });
});
