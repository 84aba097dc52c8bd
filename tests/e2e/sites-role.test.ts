import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { type FakeS3, startFakeS3 } from "../support/fake-s3.ts";
import { activeTenant, ownerOf } from "../support/site-tenant.ts";
import { formPost, hostRequest } from "../support/sites.ts";
import { waitFor } from "../support/wait.ts";

/**
 * WEBSPLAT_ROLE=sites: a second process of the same code, sharing the platform's database and the sites bucket,
 * that serves only published sites (DESIGN §15). Slugs start with "sro-".
 */
describe("a sites-only process", () => {
  let s3: FakeS3;
  let plane: RunningControlPlane;
  let sites: RunningControlPlane;
  let owner: Awaited<ReturnType<typeof ownerOf>>;
  let projectId: string;
  const slug = "sro-ana";
  const host = `pottery--${slug}.sites.localhost`;

  beforeAll(async () => {
    s3 = await startFakeS3();
    // Both processes keep site files in one bucket, as the two Deployments do in production.
    const bucket = {
      WEBSPLAT_SITES_BUCKET: "websplat-sites",
      WEBSPLAT_S3_ENDPOINT: s3.endpoint,
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    };
    plane = await startControlPlane({ env: bucket });
    await activeTenant(plane, slug, "pro");
    owner = await ownerOf(plane, slug);
    projectId = (await owner.post("/api/projects", { name: "Pottery" })).body.project.id;
    await owner.build(projectId, "A website for a pottery studio with about, classes and a contact form");
    expect((await owner.post(`/api/projects/${projectId}/publish`)).status).toBe(201);
    sites = await startControlPlane({
      databaseUrl: plane.databaseUrl,
      env: { ...bucket, WEBSPLAT_ROLE: "sites" },
    });
  }, 180_000);

  afterAll(async () => {
    await sites?.stop();
    await sites?.cleanup();
    await plane?.stop();
    await plane?.cleanup();
    await s3?.close();
  });

  it("serves the published site exactly as the whole platform does", async () => {
    const fromSites = await hostRequest(sites.port, host, "/");
    const fromPlatform = await hostRequest(plane.port, host, "/");
    expect(fromSites.status).toBe(200);
    expect(fromSites.headers["content-type"]).toMatch(/^text\/html/);
    expect(fromSites.text()).toBe(fromPlatform.text());
    expect(fromSites.headers["set-cookie"]).toBeUndefined();
    expect((await hostRequest(sites.port, `nothing--${slug}.sites.localhost`, "/")).status).toBe(404);
  });

  it("takes the site's form, and the submission reaches the owner's builder", async () => {
    const page = (await hostRequest(sites.port, host, "/contact.html")).text();
    expect(page).toContain('action="/_forms/contact"');
    const sent = await hostRequest(
      sites.port,
      host,
      "/_forms/contact",
      formPost(
        { name: "Chloé", email: "chloe@example.test", message: "Classes on Sundays?", _website: "" },
        { referer: `http://${host}:${sites.port}/` },
      ),
    );
    expect(sent.status).toBe(200);
    expect(sent.text()).toContain("Your message was sent");
    const submissions = await waitFor(
      async () => {
        const list = (await owner.get(`/api/projects/${projectId}/submissions`)).body.submissions;
        return list?.length ? list : null;
      },
      { what: "the submission in the builder", timeoutMs: 30_000 },
    );
    expect(submissions[0]).toMatchObject({ form: "contact", fields: { name: "Chloé" } });
  });

  it("answers 404 to signup, sign-in, admin, webhooks, API docs, status and tenant hosts", async () => {
    const asked = [
      ["GET", "localhost", "/", {}],
      ["POST", "localhost", "/api/signup", { "content-type": "application/json" }],
      ["GET", "localhost", "/api/slugs/someone", {}],
      ["GET", "localhost", "/signin", {}],
      ["GET", "localhost", "/admin/tenants", { authorization: `Bearer ${plane.adminToken}` }],
      ["GET", "localhost", "/admin/tenants", { authorization: `Bearer ${sites.adminToken}` }],
      ["POST", "localhost", "/webhooks/stripe", { "stripe-signature": "t=1,v1=0" }],
      ["GET", "localhost", "/openapi.json", {}],
      ["GET", "localhost", "/status", {}],
      ["GET", `${slug}.localhost`, "/", {}],
      ["GET", `${slug}.localhost`, "/api/projects", {}],
    ] as const;
    for (const [method, hostname, path, headers] of asked) {
      const response = await hostRequest(sites.port, hostname, path, {
        method,
        headers: { ...headers },
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(response.status, `${method} ${hostname}${path}`).toBe(404);
    }
  });

  it("is ready on its database alone, exports metrics and runs no queue worker", async () => {
    const ready = await fetch(`${sites.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: true, queue: null });
    expect((await fetch(`${sites.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${sites.url}/metrics`)).text();
    expect(metrics).toContain("websplat_http_request_duration_seconds");
    expect(metrics).not.toContain("websplat_queue_depth");

    // With the whole platform stopped, nothing of the sites process holds a queue connection, yet it serves.
    await plane.stop();
    const sql = postgres(sites.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const current = new URL(sites.databaseUrl).pathname.slice(1);
      const workers = await waitFor(
        async () => {
          const rows = await sql<{ name: string }[]>`
            select application_name as name from pg_stat_activity where datname = ${current}
              and application_name in ('websplat-queue', 'websplat-email')`;
          return rows.length === 0 ? rows : null;
        },
        { what: "no queue connection left", timeoutMs: 20_000 },
      );
      expect(workers).toEqual([]);
    } finally {
      await sql.end();
    }
    expect((await hostRequest(sites.port, host, "/")).status).toBe(200);
    expect(sites.output()).not.toMatch(/reconcile|backup|probe/i);
  });
});
