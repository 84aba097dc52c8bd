import { describe, expect, test } from "vitest";
import { buildOffline } from "../support/runtime/offline-build.ts";

const cafe =
  "A website for my café called Harbor Beans with an about section, a menu and contact details. We are open daily 8am-4pm. Email hello@harborbeans.example";

describe("the offline model", () => {
  test("at autonomy 0 a specific request builds exactly the requested sections and offers its own ideas as suggestions", async () => {
    const site = await buildOffline(cafe, { autonomy: 0, creativity: 1, seed: 7 });
    expect(site.sections).toEqual(["about", "menu", "contact"]);
    expect(site.sectionTags).toBe(3);
    expect(site.suggestions).toEqual(expect.arrayContaining(["hours", "location", "testimonials"]));
    expect(site.html).toContain("Harbor Beans");
    expect(site.html).toContain("open daily 8am-4pm");
    expect(site.html).not.toContain("We are open");
    expect(site.html).toContain("hello@harborbeans.example");
  });

  test("at autonomy 4 a vague goal becomes a multi-section site designed on its own", async () => {
    const site = await buildOffline("I need a website for my yoga studio", {
      autonomy: 4,
      creativity: 2,
      seed: 3,
    });
    expect(site.questions).toEqual([]);
    expect(site.sections.length).toBeGreaterThanOrEqual(4);
    expect(site.html).toMatch(/<h1>Yoga Studio<\/h1>/i);
    expect(site.css).toContain("@media");
  });

  test("at low autonomy a vague goal is met with a question instead of invented sections", async () => {
    const site = await buildOffline("make me a website", { autonomy: 0, creativity: 2, seed: 3 });
    expect(site.questions.length).toBeGreaterThan(0);
    expect(site.html).toBe("");
  });

  test("creativity changes the copy and the design latitude", async () => {
    const literal = await buildOffline(cafe, { autonomy: 0, creativity: 0, seed: 11 });
    const bold = await buildOffline(cafe, { autonomy: 0, creativity: 4, seed: 11 });
    expect(literal.sections).toEqual(bold.sections);
    expect(literal.html).toContain("Harbor Beans is a café.");
    expect(bold.html).not.toContain("Harbor Beans is a café.");
    expect(bold.html.length).toBeGreaterThan(literal.html.length);
    expect(literal.workflow.design!.directions).toHaveLength(1);
    expect(bold.workflow.design!.directions).toHaveLength(3);
    expect(literal.html).toContain('class="layout-classic"');
    expect(literal.css).toContain("system-ui");
    expect(literal.css).not.toEqual(bold.css);
  });

  test("the same seed gives the same site; another seed varies it", async () => {
    const a = await buildOffline(cafe, { autonomy: 2, creativity: 4, seed: 42 });
    const b = await buildOffline(cafe, { autonomy: 2, creativity: 4, seed: 42 });
    expect(b.html).toBe(a.html);
    expect(b.css).toBe(a.css);
    const others = await Promise.all(
      [1, 2, 3, 4].map((seed) => buildOffline(cafe, { autonomy: 2, creativity: 4, seed })),
    );
    expect(new Set([a.css, ...others.map((o) => o.css)]).size).toBeGreaterThan(1);
  });
});
