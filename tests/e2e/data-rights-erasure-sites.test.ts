import { readdir } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { type FakeS3, startFakeS3 } from "../support/fake-s3.ts";
import { activeTenant, admin, ownerOf } from "../support/site-tenant.ts";
import { formPost, hostRequest } from "../support/sites.ts";
import { waitFor } from "../support/wait.ts";

const BUCKET = "websplat-sites";

/**
 * Erasure removes everything publishing holds of a tenant: sites, every published version and its files (in the
 * data dir or the bucket), queued form submissions, feedback, and custom domains, which others may then claim.
 * Slugs start with "er-".
 */
describe.each(["data dir", "bucket"] as const)("erasure of a publishing tenant, files in the %s", (where) => {
  const slug = where === "bucket" ? "er-bucket" : "er-local";
  const claimant = `${slug}-next`;
  const hostname = `www.${slug}.test`;
  const site = `studio--${slug}.sites.localhost`;
  let plane: RunningControlPlane;
  let s3: FakeS3 | undefined;
  let db: postgres.Sql;
  let projectId: string;

  const held = async () => {
    const [row] = await db`
      select (select count(*)::int from control_plane.sites where slug = ${slug}) as sites,
             (select count(*)::int from control_plane.site_versions where slug = ${slug}) as versions,
             (select count(*)::int from control_plane.site_domains where slug = ${slug}) as domains,
             (select count(*)::int from control_plane.site_submission_queue where slug = ${slug}) as submissions,
             (select count(*)::int from control_plane.feedback where slug = ${slug}) as feedback`;
    return row!;
  };
  const files = async () =>
    where === "bucket"
      ? [...(s3!.buckets.get(BUCKET)?.keys() ?? [])].filter((key) => key.startsWith(`${slug}/`))
      : await readdir(join(plane.dataDir, "sites", slug)).catch(() => []);

  beforeAll(async () => {
    s3 = where === "bucket" ? await startFakeS3() : undefined;
    plane = await startControlPlane({
      env: {
        // Asleep between requests: a form sent meanwhile waits in the platform's queue.
        WEBSPLAT_IDLE_SECONDS: "2",
        ...(s3
          ? {
              WEBSPLAT_SITES_BUCKET: BUCKET,
              WEBSPLAT_S3_ENDPOINT: s3.endpoint,
              AWS_ACCESS_KEY_ID: "test",
              AWS_SECRET_ACCESS_KEY: "test",
            }
          : {}),
      },
    });
    db = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    await activeTenant(plane, slug, "pro");
    await activeTenant(plane, claimant, "pro");
    const owner = await ownerOf(plane, slug);
    projectId = (await owner.post("/api/projects", { name: "Studio" })).body.project.id;
    await owner.build(projectId, "A website for a pottery studio with about, classes and a contact form");
    expect((await owner.post(`/api/projects/${projectId}/publish`)).status).toBe(201);
    expect((await owner.post(`/api/projects/${projectId}/domains`, { hostname })).status).toBe(201);
    expect(
      (await owner.post("/api/support/feedback", { message: "Lovely builder", mayContact: true })).status,
    ).toBeLessThan(300);
    await waitFor(
      async () =>
        (await admin(plane, `/admin/tenants/${slug}`)).body?.outputs?.details?.runtime?.state !== "running",
      { timeoutMs: 60_000, what: `${slug}'s runtime asleep` },
    );
    const sent = await hostRequest(
      plane.port,
      site,
      "/_forms/contact",
      formPost(
        { name: "Chloé", email: "chloe@example.test", message: "Sunday classes?", _website: "" },
        { referer: `http://${site}:${plane.port}/` },
      ),
    );
    expect(sent.status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    await plane?.stop();
    await plane?.cleanup();
    await s3?.close();
  });

  it("deletes sites, versions, files, queued submissions and feedback, and releases the custom domain", async () => {
    expect(await held()).toEqual({ sites: 1, versions: 1, domains: 1, submissions: 1, feedback: 1 });
    const stored = await files();
    expect(stored.length).toBeGreaterThan(0);
    expect((await hostRequest(plane.port, site, "/")).status).toBe(200);

    const erased = await admin(plane, `/admin/tenants/${slug}/erase`, { method: "POST" });
    expect(erased.status).toBe(200);
    expect(erased.body.erased).toMatchObject({
      sitesDeleted: 1,
      siteVersionsDeleted: 1,
      siteFilesDeleted: stored.length,
      domainsReleased: [hostname],
      submissionsDeleted: 1,
      feedbackDeleted: 1,
    });

    expect(await held()).toEqual({ sites: 0, versions: 0, domains: 0, submissions: 0, feedback: 0 });
    expect(await files()).toEqual([]);
    // The public host keeps what it looked up for a second.
    await waitFor(async () => (await hostRequest(plane.port, site, "/")).status === 404, {
      timeoutMs: 10_000,
      what: "the erased site to answer 404",
    });
  });

  it("lets another tenant claim the released domain", { timeout: 120_000 }, async () => {
    const next = await ownerOf(plane, claimant);
    const project = (await next.post("/api/projects", { name: "Studio" })).body.project.id;
    await next.build(project, "A one-page website for a pottery studio");
    expect((await next.post(`/api/projects/${project}/publish`)).status).toBe(201);
    const claimed = await next.post(`/api/projects/${project}/domains`, { hostname });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(201);
  });
});
