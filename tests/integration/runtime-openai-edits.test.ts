import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type OwnerClient, signIn, startInProcess } from "../support/runtime/client.ts";
import {
  type FakeAnswer,
  type FakeRequest,
  goodAnswers,
  startFakeOpenAi,
} from "../support/runtime/fake-openai.ts";
import { sectionBlock } from "../support/runtime/offline-build.ts";
import { createTestTenant } from "../support/runtime/tenant.ts";

// The edit contract through an OpenAI-compatible server: the planner answers with the site after the
// change, the builder gets only the sections it must change, and whatever it sends back for others is
// not used; untouched sections, files and the design stay byte-identical.

let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
let runtime: Awaited<ReturnType<typeof startInProcess>>;
let owner: OwnerClient;

interface Outline {
  title: string;
  pages: { id: string; title: string; sections: string[] }[];
  sections: { id: string; heading: string; text: string }[];
}
/** How the fake planner answers an edit, from the current site's outline. */
let editAnswer: (site: Outline) => object;

const contextOf = (request: FakeRequest) => {
  const user = request.body.messages.find((m) => m.role === "user")!.content;
  return JSON.parse(user.slice(user.indexOf("\nCONTEXT:\n") + 10));
};
const noTheme = { header: null, accent: null, background: null, text: null, font: null, mode: null };
const keep = (site: Outline) =>
  site.sections.map((s) => ({ id: s.id, title: s.heading, purpose: "", requested: true }));
const edit = (site: Outline, change: object, sections = keep(site)) => ({
  ...goodAnswers.plan(),
  siteName: site.title,
  sections,
  ideas: [],
  change: { kind: "section", title: null, theme: noTheme, rewrite: [], cta: null, ...change },
});

function script(request: FakeRequest): FakeAnswer {
  switch (request.schemaName) {
    case "plan":
      return { json: goodAnswers.plan() };
    case "edit":
      return { json: editAnswer(contextOf(request).site) };
    case "design":
      return { json: goodAnswers.design() };
    case "build": {
      const context = contextOf(request);
      if (!context.change)
        return { json: goodAnswers.build(context.plan.sections.map((s: { id: string }) => s.id)) };
      // A careless model: it rewrites what it was given, and also sends back a section it was not given.
      const given = [...context.current, ...context.new].map((s: { id: string }) => s.id);
      return {
        json: {
          ...goodAnswers.build([]),
          sections: [
            ...given.map((id: string) => ({ id, heading: "ignored", html: `<p>Rewritten ${id}.</p>` })),
            { id: "about", heading: "About", html: "<p>Not asked for.</p>" },
          ].filter((s, i, all) => all.findIndex((o) => o.id === s.id) === i),
        },
      };
    }
    default:
      return { json: goodAnswers.review() };
  }
}

beforeAll(async () => {
  fake = await startFakeOpenAi((request) => script(request));
  const tenant = await createTestTenant("openai-edits");
  runtime = await startInProcess(tenant, {
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MODEL: "gpt-4o-mini",
    WEBSPLAT_LIMIT_SITES: "50",
  });
  owner = await signIn(runtime.url, tenant);
});
afterAll(async () => {
  await runtime.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

const filesOf = async (projectId: string) =>
  Object.fromEntries(
    (
      (await owner.get(`/api/projects/${projectId}/files`)).body.files as { path: string; content: string }[]
    ).map((f) => [f.path, f.content]),
  ) as Record<string, string>;

/** A built café (about, menu, gallery), then one follow-up prompt answered by `answer`. */
async function editWith(prompt: string, answer: typeof editAnswer, autonomy = 2, sectionId?: string) {
  const { body: created } = await owner.post("/api/projects", { name: prompt.slice(0, 20) });
  const projectId = created.project.id as string;
  const first = await owner.post(`/api/projects/${projectId}/runs`, {
    prompt: "A site for my café with about and menu sections",
    autonomy: 2,
    creativity: 2,
  });
  expect((await owner.waitForStatus(first.body.run.id, ["completed", "failed"])).status).toBe("completed");
  const before = await filesOf(projectId);
  fake.requests.length = 0;
  editAnswer = answer;
  const second = await owner.post(`/api/projects/${projectId}/runs`, {
    prompt,
    autonomy,
    creativity: 2,
    sectionId,
  });
  expect(second.status).toBe(201);
  const run = await owner.waitForStatus(second.body.run.id, ["completed", "failed", "awaiting_input"]);
  if (run.status === "awaiting_input" && run.pending[0]?.kind === "plan_approval") {
    await owner.post(`/api/runs/${run.id}/input`, { type: "approve" });
  }
  const done = await owner.waitForStatus(second.body.run.id, ["completed", "failed"]);
  expect(done.status).toBe("completed");
  return {
    projectId,
    before,
    after: await filesOf(projectId),
    run: done,
    calls: fake.requests.map((r) => r.schemaName),
  };
}

const builderContext = () => contextOf(fake.requests.find((r) => r.schemaName === "build")!);
function sameSections(before: string, after: string, ids: string[]) {
  for (const id of ids) expect(sectionBlock(after, id)).toBe(sectionBlock(before, id));
}

describe("edits through an OpenAI-compatible server", () => {
  test("theme: the header colour changes with no builder call; every section and page is as it was", async () => {
    const { before, after, calls } = await editWith("Make the header dark green.", (site) =>
      edit(site, { kind: "theme", theme: { ...noTheme, header: "#006400" } }),
    );
    expect(calls).toEqual(["edit", "review"]);
    expect(after["index.html"]).toBe(before["index.html"]);
    expect(after["styles.css"]).toContain(".hero,.layout-bold .hero{background:#006400;color:#ffffff}");
  });

  test("theme: a colour the prompt did not ask for is not applied (the design is kept)", async () => {
    const { before, after } = await editWith("Change the about text to: Since 1990.", (site) =>
      edit(site, {
        theme: { ...noTheme, accent: "#ff0000" },
        rewrite: [{ id: "about", instruction: "new text" }],
      }),
    );
    expect(after["styles.css"]).toBe(before["styles.css"]);
  });

  test("section: the builder gets only the named section; what it sends for others is not used", async () => {
    const { before, after, calls } = await editWith("Change the menu text to: Coffee and cake.", (site) =>
      edit(site, { rewrite: [{ id: "menu", instruction: "Say: Coffee and cake." }] }),
    );
    expect(calls).toEqual(["edit", "build", "review"]);
    const context = builderContext();
    expect(context.current.map((s: { id: string }) => s.id)).toEqual(["menu"]);
    expect(context.current[0].html).toContain("All about menu.");
    expect(context.new).toEqual([]);
    expect(sectionBlock(after["index.html"]!, "menu")).toContain("<p>Rewritten menu.</p>");
    // The heading stays the section's own (only a rename changes it).
    expect(sectionBlock(after["index.html"]!, "menu")).toContain(">MENU</h2>");
    sameSections(before["index.html"]!, after["index.html"]!, ["about", "gallery"]);
    expect(after["styles.css"]).toBe(before["styles.css"]);
  });

  test("section: at low autonomy a rewrite of a section the owner did not name becomes a suggestion", async () => {
    const { before, after, run } = await editWith(
      "Change the menu text to: Coffee and cake.",
      (site) =>
        edit(site, {
          rewrite: [
            { id: "menu", instruction: "Say: Coffee and cake." },
            { id: "gallery", instruction: "Make it match." },
          ],
        }),
      1,
    );
    expect(builderContext().current.map((s: { id: string }) => s.id)).toEqual(["menu"]);
    sameSections(before["index.html"]!, after["index.html"]!, ["about", "gallery"]);
    const update = run.suggestions.find(
      (s: { payload: { id: string } }) => s.payload.id === "update-gallery",
    );
    expect(update).toBeDefined();

    // Accepted, the suggestion is a run scoped to that section: now the gallery changes, and only it.
    fake.requests.length = 0;
    const accepted = await owner.post(`/api/runs/${run.id}/input`, {
      type: "accept_suggestion",
      interruptId: update.id,
    });
    expect((await owner.waitForStatus(accepted.body.runId, ["completed", "failed"])).status).toBe(
      "completed",
    );
    expect(builderContext().current.map((s: { id: string }) => s.id)).toEqual(["gallery"]);
    const later = await filesOf(run.projectId);
    expect(sectionBlock(later["index.html"]!, "gallery")).toContain("Rewritten gallery.");
    sameSections(after["index.html"]!, later["index.html"]!, ["about", "menu"]);
  });

  test("structure: an added section is written on its own and inserted; the rest is untouched", async () => {
    const { before, after } = await editWith("Add a contact section after the menu.", (site) => {
      const sections = keep(site);
      sections.splice(2, 0, { id: "contact", title: "Contact", purpose: "", requested: true });
      return edit(site, { kind: "structure" }, sections);
    });
    expect(builderContext().current).toEqual([]);
    expect(builderContext().new.map((s: { id: string }) => s.id)).toEqual(["contact"]);
    expect([...after["index.html"]!.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "about",
      "menu",
      "contact",
      "gallery",
    ]);
    sameSections(before["index.html"]!, after["index.html"]!, ["about", "menu", "gallery"]);
    expect(after["styles.css"]).toBe(before["styles.css"]);
  });

  test("structure: remove, rename and reorder need no builder call and keep section bodies byte-identical", async () => {
    const { before, after, calls } = await editWith(
      "Remove the gallery, rename the menu section to Drinks and move the menu section to the top.",
      (site) =>
        edit(site, { kind: "structure" }, [
          { id: "menu", title: "Drinks", purpose: "", requested: true },
          { id: "about", title: "ABOUT", purpose: "", requested: true },
        ]),
    );
    expect(calls).toEqual(["edit", "review"]);
    const html = after["index.html"]!;
    expect([...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])).toEqual(["menu", "about"]);
    expect(sectionBlock(html, "menu")).toContain(">Drinks</h2>");
    const body = (h: string, id: string) => sectionBlock(h, id)!.replace(/<h2[\s\S]*?<\/h2>/, "");
    expect(body(html, "menu")).toBe(body(before["index.html"]!, "menu"));
    sameSections(before["index.html"]!, html, ["about"]);
  });

  test("structure: a section the model drops without being asked stays (and is suggested) below full autonomy", async () => {
    const { before, after, run } = await editWith(
      "Change the menu text to: Coffee and cake.",
      (site) =>
        edit(
          site,
          { rewrite: [{ id: "menu", instruction: "Say: Coffee and cake." }] },
          keep(site).filter((s) => s.id !== "gallery"),
        ),
      1,
    );
    sameSections(before["index.html"]!, after["index.html"]!, ["about", "gallery"]);
    expect(run.suggestions.map((s: { payload: { id: string } }) => s.payload.id)).toContain("remove-gallery");
  });

  test("redesign: the designer runs again and every section is rewritten", async () => {
    const { before, after, calls } = await editWith("Redesign the whole site.", (site) =>
      edit(site, {
        kind: "redesign",
        rewrite: site.sections.map((s) => ({ id: s.id, instruction: "new voice" })),
      }),
    );
    expect(calls).toEqual(["edit", "design", "build", "review"]);
    expect(builderContext().current.map((s: { id: string }) => s.id)).toEqual(["about", "menu", "gallery"]);
    expect(after["index.html"]).not.toBe(before["index.html"]);
  });

  test("select, then prompt: the selected section is the edit's scope", async () => {
    const { before, after } = await editWith(
      "Make this one shorter.",
      (site) => edit(site, { rewrite: [{ id: "gallery", instruction: "shorter" }] }),
      1,
      "gallery",
    );
    const edits = fake.requests.find((r) => r.schemaName === "edit")!;
    expect(contextOf(edits).selection).toBe("gallery");
    sameSections(before["index.html"]!, after["index.html"]!, ["about", "menu"]);
    expect(sectionBlock(after["index.html"]!, "gallery")).toContain("Rewritten gallery.");
  });

  test("a selection that names no section of the site is refused with a message", async () => {
    const { body: created } = await owner.post("/api/projects", { name: "Bad selection" });
    const first = await owner.post(`/api/projects/${created.project.id}/runs`, {
      prompt: "A site for my café with about and menu sections",
      autonomy: 2,
      creativity: 2,
    });
    await owner.waitForStatus(first.body.run.id, ["completed", "failed"]);
    const refused = await owner.post(`/api/projects/${created.project.id}/runs`, {
      prompt: "Shorter, please",
      autonomy: 2,
      creativity: 2,
      sectionId: "pricing",
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: "section_not_found" });
    expect(refused.body.error.message).toMatch(/click a section in the preview again/);
  });
});
