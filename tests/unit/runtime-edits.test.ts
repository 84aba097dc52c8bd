import { describe, expect, test } from "vitest";
import { diffFiles } from "../../agent-runtime/agents/diff.ts";
import { OfflineSession, sectionBlock } from "../support/runtime/offline-build.ts";

const bakery =
  "A website for Rosa's Bakery with about, menu, hours and contact sections. Menu: sourdough $6, rye $5, cardamom buns $3. Open Tue-Sun 7am-3pm. Call 555-0147.";
const options = { autonomy: 1, creativity: 1, seed: 21 };

async function edited(prompt: string, selection?: string) {
  const session = new OfflineSession();
  const before = await session.prompt(bakery, options);
  const after = await session.prompt(prompt, { ...options, seed: 77, selection });
  return { before, after, diff: diffFiles(before.files, after.files) };
}

/** Every section except `changed` is byte for byte what it was. */
function untouchedExcept(before: string, after: string, changed: string[]) {
  const ids = [...before.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]!);
  for (const id of ids.filter((i) => !changed.includes(i)))
    expect(sectionBlock(after, id)).toBe(sectionBlock(before, id));
}

describe("a follow-up prompt changes only what it names", () => {
  test("theme: an accent colour changes the accent and nothing else", async () => {
    const { before, after, diff } = await edited("Make the accent colour navy.");
    expect(diff.files).toEqual(["styles.css"]);
    expect(diff.theme.map((t) => t.property)).toContain("accent");
    expect(diff.theme.every((t) => ["accent", "accent-text"].includes(t.property))).toBe(true);
    expect(after.css).toContain("--accent:#000080;--accent-text:#ffffff");
    expect(after.html).toBe(before.html);
  });

  test("theme: a background colour keeps the text readable and the sections identical", async () => {
    const { before, after, diff } = await edited("Change the background to cream.");
    expect(after.css).toContain("--bg:#fffdd0");
    expect(diff.changed).toEqual([]);
    expect(after.html).toBe(before.html);
  });

  test("title: a new title changes the title, brand and footer only", async () => {
    const { before, after, diff } = await edited("Change the title to Rosa's Sourdough.");
    expect(diff.title).toEqual({ from: "Rosa's Bakery", to: "Rosa's Sourdough" });
    expect(diff.changed).toEqual([]);
    expect(after.css).toBe(before.css);
    untouchedExcept(before.html, after.html, []);
  });

  test("section: new text for a named section replaces its text there only", async () => {
    const { before, after, diff } = await edited(
      "Change the about text to: We have baked in Leith since 1982.",
    );
    expect(diff.changed.map((s) => s.id)).toEqual(["about"]);
    expect(sectionBlock(after.html, "about")).toContain(
      '<p class="lead">We have baked in Leith since 1982.</p>',
    );
    untouchedExcept(before.html, after.html, ["about"]);
    expect(after.css).toBe(before.css);
  });

  test("section: the selected section takes the prompt (“make it say …”)", async () => {
    const { before, after, diff } = await edited("Make it say: Fresh bread every morning.", "about");
    expect(diff.changed.map((s) => s.id)).toEqual(["about"]);
    expect(sectionBlock(after.html, "about")).toContain("Fresh bread every morning.");
    untouchedExcept(before.html, after.html, ["about"]);
  });

  test("section: an item added to the menu appears with its price, the other items stay", async () => {
    const { before, after, diff } = await edited("Add cinnamon rolls ($4) to the menu.");
    expect(diff.changed.map((s) => s.id)).toEqual(["menu"]);
    const menu = sectionBlock(after.html, "menu")!;
    expect([...menu.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual([
      "sourdough",
      "rye",
      "cardamom buns",
      "cinnamon rolls",
    ]);
    expect(menu).toContain('<p class="price">$4</p>');
    untouchedExcept(before.html, after.html, ["menu"]);
  });

  test("section: a changed phone number is replaced wherever it is shown", async () => {
    const { before, after } = await edited("Change the phone number to 555-0199.");
    expect(sectionBlock(after.html, "contact")).toContain('<a href="tel:5550199">555-0199</a>');
    expect(after.html).not.toContain("555-0147");
    untouchedExcept(before.html, after.html, ["contact"]);
  });

  test("structure: a new section is added where asked and the rest stays identical", async () => {
    const { before, after, diff } = await edited("Add a gallery section after the menu.");
    expect(after.sections).toEqual(["about", "menu", "gallery", "hours", "contact"]);
    expect(diff.added.map((s) => s.id)).toEqual(["gallery"]);
    expect(diff.changed).toEqual([]);
    untouchedExcept(before.html, after.html, []);
    expect(after.css).toBe(before.css);
  });

  test("structure: a removed section is gone and the others are untouched", async () => {
    const { before, after, diff } = await edited("Remove the opening hours section.");
    expect(after.sections).toEqual(["about", "menu", "contact"]);
    expect(diff.removed.map((s) => s.id)).toEqual(["hours"]);
    expect(diff.changed).toEqual([]);
    untouchedExcept(before.html, after.html, ["hours"]);
  });

  test("structure: a renamed section keeps its id and body, only the heading changes", async () => {
    const { before, after, diff } = await edited("Rename the menu section to Our bakes.");
    expect(diff.renamed).toEqual([{ id: "menu", from: "Menu", to: "Our bakes" }]);
    const body = (html: string) => sectionBlock(html, "menu")!.replace(/<h2[\s\S]*?<\/h2>/, "");
    expect(body(after.html)).toBe(body(before.html));
    untouchedExcept(before.html, after.html, ["menu"]);
  });

  test("structure: a moved section moves, byte for byte", async () => {
    const { before, after, diff } = await edited("Move the contact section to the top.");
    expect(after.sections).toEqual(["contact", "about", "menu", "hours"]);
    expect(diff.reordered).toBe(true);
    expect(diff.changed).toEqual([]);
    untouchedExcept(before.html, after.html, []);
  });

  test("structure: a new page joins the shared navigation", async () => {
    const { before, after } = await edited("Add a separate FAQ page.");
    expect(Object.keys(after.files).sort()).toEqual(["faq.html", "index.html", "styles.css"]);
    expect(after.files["index.html"]).toContain('<a href="faq.html">FAQ</a>');
    expect(after.files["faq.html"]).toContain('<section id="faq"');
    untouchedExcept(before.html, after.html, []);
  });

  test("redesign: a redesign draws a new direction; the content stays the owner's", async () => {
    const { before, after, diff } = await edited("Redesign the site with a completely different look.");
    expect(diff.theme.length).toBeGreaterThan(0);
    expect(after.css).not.toBe(before.css);
    expect(sectionBlock(after.html, "menu")).toContain("cardamom buns");
    expect(after.sections).toEqual(before.sections);
  });

  test("a prompt about content never changes the design", async () => {
    const { before, after } = await edited("Add a testimonials section.");
    expect(after.css).toBe(before.css);
    expect(after.workflow.site!.theme).toEqual(before.workflow.site!.theme);
  });

  test("a prompt that names nothing asks what to change instead of rebuilding", async () => {
    const { before, after } = await edited("Hmm, not sure about this.");
    expect(after.questions[0]).toMatch(/Name a section/);
    expect(after.files).toEqual(before.files);
  });
});
