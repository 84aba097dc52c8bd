import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type OwnerClient, signIn, startInProcess } from "../support/runtime/client.ts";
import { type FakeRequest, goodAnswers, startFakeOpenAi } from "../support/runtime/fake-openai.ts";
import { sectionBlock } from "../support/runtime/offline-build.ts";
import { createTestTenant } from "../support/runtime/tenant.ts";

// The fact ledger with the OpenAI model: a careless model leaves out the owner's phone number and a menu
// item, and writes a price and an email the owner never gave. The runtime checks the site in code: the
// owner's facts go back in, verbatim, and the invented ones come off, and the owner is told.

let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
let runtime: Awaited<ReturnType<typeof startInProcess>>;
let owner: OwnerClient;

const prompt =
  "Website for Crumb & Co. with about, menu and contact sections. Menu: sourdough loaf £4.20, cinnamon buns £2.50. Phone 01453 762 118.";

const contextOf = (request: FakeRequest) => {
  const user = request.body.messages.find((m) => m.role === "user")!.content;
  return JSON.parse(user.slice(user.indexOf("\nCONTEXT:\n") + 10));
};

beforeAll(async () => {
  fake = await startFakeOpenAi((request) => {
    switch (request.schemaName) {
      case "plan":
        return {
          json: goodAnswers.plan({
            siteName: "Crumb & Co.",
            sections: [
              { id: "about", title: "About", purpose: "", requested: true },
              { id: "menu", title: "Menu", purpose: "", requested: true },
              { id: "contact", title: "Contact", purpose: "", requested: true },
            ],
          }),
        };
      case "design":
        return { json: goodAnswers.design() };
      case "build": {
        const ids = contextOf(request).plan.sections.map((s: { id: string }) => s.id);
        const html: Record<string, string> = {
          about: "<p>A family bakery.</p>",
          // Drops the cinnamon buns, invents a croissant at a price nobody gave.
          menu: '<ul class="cards"><li class="card"><h3>sourdough loaf</h3><p class="price">£4.20</p></li><li class="card"><h3>croissant</h3><p class="price">£9.99</p></li></ul>',
          // Drops the phone, invents an email.
          contact: "<ul><li>hello@crumb.example</li></ul>",
        };
        return {
          json: {
            ...goodAnswers.build([]),
            title: "Crumb & Co.",
            sections: ids.map((id: string) => ({ id, heading: id, html: html[id] ?? "<p>Hello.</p>" })),
          },
        };
      }
      default:
        return { json: goodAnswers.review() };
    }
  });
  const tenant = await createTestTenant("openai-facts");
  runtime = await startInProcess(tenant, {
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MODEL: "gpt-4o-mini",
  });
  owner = await signIn(runtime.url, tenant);
});
afterAll(async () => {
  await runtime?.close();
  await fake?.close();
});

describe("the fact ledger with an OpenAI-compatible model", () => {
  test("a dropped fact is written back verbatim, an invented one is taken off, and the owner is told", async () => {
    const { body: created } = await owner.post("/api/projects", { name: "Crumb" });
    const projectId = created.project.id as string;
    const started = await owner.post(`/api/projects/${projectId}/runs`, {
      prompt,
      autonomy: 3,
      creativity: 1,
    });
    expect((await owner.waitForStatus(started.body.run.id, ["completed", "failed"])).status).toBe(
      "completed",
    );
    const files = (await owner.get(`/api/projects/${projectId}/files`)).body.files as {
      path: string;
      content: string;
    }[];
    const html = files.find((f) => f.path === "index.html")!.content;
    const menu = sectionBlock(html, "menu")!;
    expect(menu).toContain("<h3>cinnamon buns</h3>");
    expect(menu).toContain("£2.50");
    expect(menu).toContain("sourdough loaf");
    expect(menu).not.toContain("£9.99");
    const contact = sectionBlock(html, "contact")!;
    expect(contact).toContain("01453 762 118");
    expect(contact).not.toContain("hello@crumb.example");
    const labels = (
      (await owner.get(`/api/projects/${projectId}/checkpoints`)).body.checkpoints as {
        label: string;
      }[]
    ).map((c) => c.label);
    const built = labels.find((l) => l.includes("facts are on the page"))!;
    expect(built).toContain("“cinnamon buns” (menu)");
    expect(built).toContain("taken off because you never gave them: “£9.99”, “hello@crumb.example”");
  });
});
