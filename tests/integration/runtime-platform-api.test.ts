import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type OwnerClient, signIn, startInProcess } from "../support/runtime/client.ts";
import { createTestTenant } from "../support/runtime/tenant.ts";

const PLATFORM_TOKEN = "platform-credential-for-sites-co";

let runtime: Awaited<ReturnType<typeof startInProcess>>;
let owner: OwnerClient;

beforeAll(async () => {
  const tenant = await createTestTenant("sites-co");
  runtime = await startInProcess(tenant, {
    WEBSPLAT_PLATFORM_URL: "http://127.0.0.1:9",
    WEBSPLAT_PLATFORM_TOKEN: PLATFORM_TOKEN,
  });
  owner = await signIn(runtime.url, tenant);
});
afterAll(() => runtime.close());

const askAsPlatform = (headers: Record<string, string> = { authorization: `Bearer ${PLATFORM_TOKEN}` }) =>
  fetch(`${runtime.url}/platform/sites`, { headers });

/** The platform's data export asks the builder for its sites instead of reading the builder's tables. */
describe("the builder answers the platform for its own sites", () => {
  test("every project's main branch head files, oldest project first, as the builder shows them", async () => {
    const first = (await owner.post("/api/projects", { name: "Bakery" })).body.project;
    const second = (await owner.post("/api/projects", { name: "Blank page" })).body.project;
    const { body } = await owner.post(`/api/projects/${first.id}/runs`, {
      prompt: "A one-page site for a bakery with opening hours",
      autonomy: 4,
      creativity: 2,
    });
    expect((await owner.waitForStatus(body.run.id, ["completed", "failed"])).status).toBe("completed");
    const shown = (await owner.get(`/api/projects/${first.id}/files`)).body.files as {
      path: string;
      content: string;
    }[];
    expect(shown.length).toBeGreaterThan(0);

    const response = await askAsPlatform();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sites: [
        {
          id: first.id,
          name: "Bakery",
          files: Object.fromEntries(shown.map((file) => [file.path, file.content])),
        },
        { id: second.id, name: "Blank page", files: {} },
      ],
    });
  });

  test("refuses anyone without the platform's credential, the signed-in owner included", async () => {
    expect((await askAsPlatform({})).status).toBe(401);
    expect((await askAsPlatform({ authorization: "Bearer not-the-platform-credential" })).status).toBe(401);
    const asOwner = await askAsPlatform({ cookie: owner.cookie });
    expect(asOwner.status).toBe(401);
    expect((await asOwner.json()).error.code).toBe("unauthorized");
  });
});
