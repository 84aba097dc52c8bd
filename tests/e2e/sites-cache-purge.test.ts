import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { activeTenant, ownerOf } from "../support/site-tenant.ts";
import { waitFor } from "../support/wait.ts";

const ZONE = "0123456789abcdef0123456789abcdef";
const TOKEN = "cloudflare-token-with-cache-purge";

interface PurgeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  files: string[];
}

/** Cloudflare's `POST /zones/:id/purge_cache` on loopback; it fails the first request, as an outage would. */
async function startFakeCloudflare() {
  const requests: PurgeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        files: body.files,
      });
      const failing = requests.length === 1;
      res.writeHead(failing ? 503 : 200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          failing
            ? { success: false, errors: [{ code: 10000, message: "temporarily unavailable" }], result: null }
            : { success: true, errors: [], messages: [], result: { id: "purge-id" } },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Publishing purges the site's pages from the sites zone's cache, off the request path. Slugs "cpx-". */
describe("the Cloudflare cache of published sites", () => {
  let cloudflare: Awaited<ReturnType<typeof startFakeCloudflare>>;
  let plane: RunningControlPlane;
  let owner: Awaited<ReturnType<typeof ownerOf>>;
  let projectId: string;
  const slug = "cpx-ana";

  beforeAll(async () => {
    cloudflare = await startFakeCloudflare();
    plane = await startControlPlane({
      env: {
        CLOUDFLARE_SITES_ZONE_ID: ZONE,
        CLOUDFLARE_API_TOKEN: TOKEN,
        WEBSPLAT_CLOUDFLARE_API_URL: cloudflare.url,
      },
    });
    await activeTenant(plane, slug, "pro");
    owner = await ownerOf(plane, slug);
    projectId = (await owner.post("/api/projects", { name: "Pottery" })).body.project.id;
    await owner.build(projectId, "A website for a pottery studio with about, classes and a contact form");
  }, 180_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await cloudflare?.close();
  });

  const origin = () => `http://pottery--${slug}.sites.localhost:${plane.port}`;

  it("a publish answers at once while Cloudflare fails, and the purge is retried and logged until it succeeds", async () => {
    const published = await owner.post(`/api/projects/${projectId}/publish`);
    expect(published.status).toBe(201);
    await waitFor(() => cloudflare.requests.length >= 2, { what: "a retried purge", timeoutMs: 30_000 });
    const [failed, retried] = cloudflare.requests;
    expect(retried?.files).toEqual(failed?.files);
    expect(retried).toMatchObject({
      method: "POST",
      path: `/client/v4/zones/${ZONE}/purge_cache`,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    });
    // Every address a page is served at, and the sitemap that lists them; never a content-hashed asset.
    const files = retried?.files ?? [];
    expect(files).toEqual(
      expect.arrayContaining([`${origin()}/`, `${origin()}/index.html`, `${origin()}/sitemap.xml`]),
    );
    expect(files.every((url) => url.startsWith(`${origin()}/`) && !/\.(css|js|png|svg)$/.test(url))).toBe(
      true,
    );
    expect(files.length).toBeLessThanOrEqual(30);
    await waitFor(
      () => /purging site pages from the Cloudflare cache failed; retrying/.test(plane.output()),
      {
        what: "the failed purge in the log",
      },
    );
  });

  it("an unpublish purges the pages it took down, and a restore purges the pages it brought back", async () => {
    const published = cloudflare.requests.at(-1)?.files ?? [];
    const seen = cloudflare.requests.length;
    expect((await owner.delete(`/api/projects/${projectId}/publication`)).status).toBe(200);
    await waitFor(() => cloudflare.requests.length > seen, { what: "the unpublish purge" });
    expect(cloudflare.requests.at(-1)?.files).toEqual(published);
    expect((await owner.post(`/api/projects/${projectId}/publications/1/restore`)).status).toBe(200);
    await waitFor(() => cloudflare.requests.length > seen + 1, { what: "the restore purge" });
    expect(cloudflare.requests.at(-1)?.files).toEqual(published);
  });
});
