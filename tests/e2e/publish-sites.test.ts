import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { activeTenant, admin, ownerOf } from "../support/site-tenant.ts";
import { hostRequest } from "../support/sites.ts";
import { waitFor } from "../support/wait.ts";

/** Publishing over real HTTP: builder → platform store → public host. Slugs start with "pub-". */
describe("publish: the customer's site on its public address", () => {
  let plane: RunningControlPlane;
  let owner: Awaited<ReturnType<typeof ownerOf>>;
  let projectId: string;
  const slug = "pub-rosa";

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_IDLE_SECONDS: "5" } });
    await activeTenant(plane, slug, "pro");
    owner = await ownerOf(plane, slug);
    projectId = (await owner.post("/api/projects", { name: "Rosa Bakery" })).body.project.id;
  }, 90_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  const publicHost = `rosa-bakery--${slug}.sites.localhost`;
  const get = (path: string, headers: Record<string, string> = {}) =>
    hostRequest(plane.port, publicHost, path, { headers });

  /** Asset references and the form's platform plumbing are what publishing rewrites; the rest is the page. */
  const pageText = (html: string) =>
    html
      .replace(/<p style="position:absolute;left:-10000px"[\s\S]*?<\/p>/g, "")
      .replace(/\s(href|src|action)="[^"]*"/g, "")
      .replace(/\smethod="post"/g, "");

  let first: Record<string, string>;

  it("serves exactly the published checkpoint's files, with cache headers, to a visitor without cookies", async () => {
    first = await owner.build(
      projectId,
      "A website for Rosa's bakery in Lyon with an about section, the menu and a contact form",
    );
    expect(Object.keys(first)).toEqual(expect.arrayContaining(["index.html", "styles.css"]));

    const published = await owner.post(`/api/projects/${projectId}/publish`);
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ version: 1, url: `http://${publicHost}:${plane.port}` });

    const css = await get("/styles.css");
    expect(css.status).toBe(200);
    expect(css.body.toString("utf8")).toBe(first["styles.css"]);
    expect(css.headers["set-cookie"]).toBeUndefined();

    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("public, max-age=0, must-revalidate");
    expect(page.headers["set-cookie"]).toBeUndefined();
    expect(pageText(page.text())).toBe(pageText(first["index.html"]!));

    // The stylesheet link is content-hashed and immutable; its bytes are the checkpoint's.
    const asset = /href="(\/_assets\/[0-9a-f]{64}\.css)"/.exec(page.text())?.[1];
    expect(asset).toBeDefined();
    const hashed = await get(asset!);
    expect(hashed.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(hashed.body.toString("utf8")).toBe(first["styles.css"]);

    // ETags revalidate; compression is negotiated.
    const etag = page.headers.etag!;
    expect((await get("/", { "if-none-match": etag })).status).toBe(304);
    const br = await get("/", { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.body).toString("utf8")).toBe(page.text());
    const gzip = await get("/", { "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString("utf8")).toBe(page.text());

    const missing = await get("/no-such-page");
    expect(missing.status).toBe(404);
    expect(missing.text()).toContain("Page not found");
    expect((await get("/robots.txt")).text()).toContain(
      `Sitemap: http://${publicHost}:${plane.port}/sitemap.xml`,
    );
    expect((await get("/sitemap.xml")).text()).toContain(`<loc>http://${publicHost}:${plane.port}/</loc>`);
  }, 90_000);

  it("never accepts the owner's session on the public host: the builder is not there and nothing is set", async () => {
    for (const path of ["/", "/api/projects", `/preview/${projectId}/`, "/auth/callback?token=x"]) {
      const response = await get(path, { cookie: owner.cookie });
      expect(response.headers["set-cookie"]).toBeUndefined();
      expect(response.text()).not.toContain(projectId);
      if (path !== "/") expect(response.status).toBe(404);
    }
    // Without the session the builder itself refuses: the public host is not a way in.
    expect((await hostRequest(plane.port, `${slug}.localhost`, "/api/projects")).status).toBe(401);
  });

  it("a later publish changes the site, restoring version 1 brings its bytes back, unpublishing answers 404", async () => {
    const second = await owner.build(projectId, "Change the title to Chez Rosa");
    expect(second["index.html"]).not.toBe(first["index.html"]);
    const before = await owner.get(`/api/projects/${projectId}/publications`);
    expect(before.body.liveVersion).toBe(1);
    expect(before.body.unpublishedChanges).toBeGreaterThan(0);

    expect((await owner.post(`/api/projects/${projectId}/publish`)).body.version).toBe(2);
    expect(pageText((await get("/")).text())).toBe(pageText(second["index.html"]!));
    expect((await get("/styles.css")).body.toString("utf8")).toBe(second["styles.css"]);
    const after = await owner.get(`/api/projects/${projectId}/publications`);
    expect(after.body).toMatchObject({ liveVersion: 2, unpublishedChanges: 0 });
    expect(after.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const restored = await owner.post(`/api/projects/${projectId}/publications/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.liveVersion).toBe(1);
    expect(pageText((await get("/")).text())).toBe(pageText(first["index.html"]!));
    expect((await get("/styles.css")).body.toString("utf8")).toBe(first["styles.css"]);
    expect((await owner.post(`/api/projects/${projectId}/publications/9/restore`)).status).toBe(404);

    const gone = await owner.delete(`/api/projects/${projectId}/publication`);
    expect(gone.body.liveVersion).toBeNull();
    expect((await get("/")).status).toBe(404);
    expect((await get("/styles.css")).status).toBe(404);
    await owner.post(`/api/projects/${projectId}/publish`);
    expect((await get("/")).status).toBe(200);
  }, 120_000);

  it("stays up with the runtime scaled to zero and across a control-plane restart; suspended → unavailable", async () => {
    const runtime = async () =>
      (await admin(plane, `/admin/tenants/${slug}`)).body.outputs?.details?.runtime ?? {};
    await waitFor(async () => (await runtime()).state === "idle", {
      what: "the runtime to idle",
      timeoutMs: 30_000,
    });
    const live = await get("/");
    expect(live.status).toBe(200);
    expect((await runtime()).state).toBe("idle");

    const { dataDir, databaseUrl, adminToken, webhookSecret } = plane;
    await plane.stop();
    plane = await startControlPlane({
      dataDir,
      databaseUrl,
      env: {
        WEBSPLAT_ADMIN_TOKEN: adminToken,
        STRIPE_WEBHOOK_SECRET: webhookSecret,
        WEBSPLAT_IDLE_SECONDS: "5",
      },
    });
    const again = await get("/");
    expect(again.status).toBe(200);
    expect(again.text()).toBe(live.text());

    expect((await admin(plane, `/admin/tenants/${slug}/suspend`, { method: "POST" })).status).toBeLessThan(
      300,
    );
    await waitFor(async () => (await get("/")).status === 503, { what: "the unavailable page" });
    const paused = await get("/");
    expect(paused.text()).toContain("This site is unavailable");
    expect((await admin(plane, `/admin/tenants/${slug}/resume`, { method: "POST" })).status).toBeLessThan(
      300,
    );
    await waitFor(async () => (await get("/")).status === 200, { what: "the site back", timeoutMs: 30_000 });
  }, 120_000);

  it("a deleted tenant's sites answer 404, and unknown site addresses too", async () => {
    expect((await hostRequest(plane.port, `nothing--${slug}.sites.localhost`, "/")).status).toBe(404);
    expect((await hostRequest(plane.port, "rosa-bakery--pub-nobody.sites.localhost", "/")).status).toBe(404);
    expect((await admin(plane, `/admin/tenants/${slug}`, { method: "DELETE" })).status).toBeLessThan(300);
    await waitFor(async () => (await get("/")).status === 404, { what: "the deleted tenant's site to go" });
  }, 60_000);
});
