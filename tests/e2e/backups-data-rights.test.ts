import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { linkIn, waitForEmail } from "../support/outbox.ts";
import { alive } from "../support/processes.ts";
import {
  admin,
  checkoutSession,
  deliver,
  settledActive,
  stripeEvent,
  type TenantJson,
  waitForTenant,
} from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const OWNER = "owner@bk-acme.test";

/** Backups, restores, exports and erasure through the admin API of a real control plane. Slugs start with "bk-". */
describe("backups and data rights", () => {
  let plane: RunningControlPlane;
  let db: postgres.Sql;
  let customerId: string;

  const json = async (response: Response) => {
    const body = (await response.json()) as TenantJson;
    if (response.status >= 400) throw new Error(`${response.status} ${JSON.stringify(body)}`);
    return body;
  };

  /** What a built site leaves in the builder's tables: a project whose main branch points at its files. */
  const buildSite = async (slug: string, title: string) => {
    const s = `"t_${slug.replaceAll("-", "_")}"`;
    const html = `<!doctype html><h1>${title}</h1>\n<p>Made with WebSplat.</p>`;
    await db.begin(async (tx) => {
      const [project] = await tx.unsafe(`insert into ${s}.projects (name) values ($1) returning id`, [title]);
      const [branch] = await tx.unsafe(
        `insert into ${s}.branches (project_id, name) values ($1, 'main') returning id`,
        [project!.id],
      );
      await tx.unsafe(
        `insert into ${s}.blobs (hash, content, size) values ('h-index', $1, $2), ('h-css', 'h1{}', 4)`,
        [html, Buffer.byteLength(html)],
      );
      await tx.unsafe(
        `insert into ${s}.trees (hash, entries) values ('t-1', '{"index.html": "h-index", "styles.css": "h-css"}')`,
      );
      const [checkpoint] = await tx.unsafe(
        `insert into ${s}.checkpoints (project_id, branch_id, kind, label, tree_hash, workflow, conversation)
         values ($1, $2, 'build', 'Built', 't-1', '{}'::jsonb, '["hello"]'::jsonb) returning id`,
        [project!.id, branch!.id],
      );
      await tx.unsafe(`update ${s}.branches set head_checkpoint_id = $1 where id = $2`, [
        checkpoint!.id,
        branch!.id,
      ]);
      await tx.unsafe(`insert into ${s}.messages (project_id, role, content) values ($1, 'user', $2)`, [
        project!.id,
        `Build me a site called ${title}`,
      ]);
    });
    return html;
  };

  const operationDone = (id: string) =>
    waitFor(
      async () => {
        const operation = await json(await admin(plane, `/admin/operations/${id}`));
        return ["succeeded", "failed"].includes(operation.status) ? operation : null;
      },
      { timeoutMs: 45_000 },
    );

  beforeAll(async () => {
    plane = await startControlPlane();
    db = postgres(plane.databaseUrl, { max: 2, onnotice: () => {} });
    const session = checkoutSession({ slug: "bk-acme", email: OWNER, tier: "pro" });
    customerId = String(session.customer);
    await deliver(plane, stripeEvent("checkout.session.completed", session));
    await json(
      await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug: "bk-copy", email: "copy@example.com", tier: "starter" },
      }),
    );
    await waitForTenant(plane, "bk-acme", settledActive, { timeoutMs: 45_000, what: "active" });
    await waitForTenant(plane, "bk-copy", settledActive, { timeoutMs: 45_000, what: "active" });
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await plane?.stop();
    await plane?.cleanup();
  });

  let backupId: string;
  let siteHtml: string;

  it("takes a backup on request and lists it with its tables, size, checksum and location", async () => {
    siteHtml = await buildSite("bk-acme", "Acme Bakery");

    const created = await admin(plane, "/admin/tenants/bk-acme/backups", { method: "POST" });
    expect(created.status).toBe(201);
    const { backup } = await json(created);
    expect(backup).toMatchObject({
      slug: "bk-acme",
      sizeBytes: expect.any(Number),
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      location: expect.stringContaining(join(plane.dataDir, "backups", "bk-acme")),
      tables: expect.objectContaining({ projects: 1, blobs: 2, messages: 1 }),
    });
    backupId = backup.id;

    const { backups } = await json(await admin(plane, "/admin/tenants/bk-acme/backups"));
    expect(backups).toEqual([backup]);
    const audit = await json(await admin(plane, "/admin/audit?slug=bk-acme&action=backup.create"));
    expect(audit.entries[0].details.backupId).toBe(backupId);
  });

  it("restores a destroyed tenant from its backup with identical tables, and its runtime serves again", async () => {
    await db.unsafe(`drop schema "t_bk_acme" cascade`);

    const response = await admin(plane, "/admin/tenants/bk-acme/restore", {
      method: "POST",
      body: { backupId },
    });
    expect(response.status).toBe(200);
    const restored = await json(response);
    expect(restored.tables).toEqual(restored.backup.tables);
    expect((await operationDone(restored.operationId)).status).toBe("succeeded");
    expect((await fetchTenant(plane, "bk-acme", "/healthz")).status).toBe(200);

    const { backup: again } = await json(
      await admin(plane, "/admin/tenants/bk-acme/backups", { method: "POST" }),
    );
    expect(again.checksum).toBe(restored.backup.checksum);
    expect(again.tables).toEqual(restored.backup.tables);
  });

  it("restores a tenant's backup into another tenant", async () => {
    const response = await admin(plane, "/admin/tenants/bk-acme/restore", {
      method: "POST",
      body: { backupId, target: "bk-copy" },
    });
    const restored = await json(response);
    expect(restored).toMatchObject({ target: "bk-copy", tables: expect.objectContaining({ projects: 1 }) });
    await operationDone(restored.operationId);
    const [row] = await db.unsafe(`select name from "t_bk_copy".projects`);
    expect(row?.name).toBe("Acme Bakery");
  });

  it("answers a backup id that does not exist with 404 and how to list them", async () => {
    const response = await admin(plane, "/admin/tenants/bk-acme/restore", {
      method: "POST",
      body: { backupId: "2001-01-01T00-00-00-000Z" },
    });
    expect(response.status).toBe(404);
    expect((await response.json()).error).toMatchObject({ code: "backup_not_found" });
  });

  it("backs up the control plane's own tables", async () => {
    const response = await admin(plane, "/admin/backups/control-plane", { method: "POST" });
    expect(response.status).toBe(201);
    const { backup } = await json(response);
    expect(backup.tables).toMatchObject({ tenants: 2, audit_log: expect.any(Number) });
    expect(existsSync(join(plane.dataDir, "backups", "_control-plane", backup.id, "manifest.json"))).toBe(
      true,
    );
  });

  it("exports everything of the owner as a zip: account data, site files and the database", async () => {
    const response = await admin(plane, "/admin/tenants/bk-acme/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));

    const account = JSON.parse(strFromU8(files["account.json"]!));
    expect(account.tenant).toMatchObject({
      slug: "bk-acme",
      email: OWNER,
      tier: "pro",
      stripeCustomerId: customerId,
    });
    expect(account.billingEvents.map((event: TenantJson) => event.type)).toContain(
      "checkout.session.completed",
    );
    const site = Object.keys(files).find((path) =>
      /^sites\/acme-bakery-[0-9a-f]{8}\/index\.html$/.test(path),
    );
    expect(site).toBeDefined();
    expect(strFromU8(files[site!]!)).toBe(siteHtml);
    const manifest = JSON.parse(strFromU8(files["database/manifest.json"]!));
    expect(manifest.tables.map((table: TenantJson) => table.name)).toEqual(
      expect.arrayContaining(["projects", "blobs", "messages"]),
    );
    expect(strFromU8(files["database/tables/messages.copy"]!)).toContain(
      "Build me a site called Acme Bakery",
    );
    expect(files["README.txt"]).toBeDefined();
  });

  it("emails the owner a link to their export, which downloads it for 7 days and nothing else opens", async () => {
    const response = await admin(plane, "/admin/tenants/bk-acme/export", { method: "POST" });
    expect(response.status).toBe(202);
    const { export: sent } = await json(response);
    expect(sent.sentTo).toBe(OWNER);
    const days = (Date.parse(sent.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const email = await waitForEmail(plane.dataDir, OWNER, /data export of bk-acme\.localhost.* is ready/);
    expect(email.text).toContain(new Date(sent.expiresAt).toUTCString());
    const link = linkIn(email, "/exports/bk-acme/");
    expect(link.startsWith(`${plane.url}/`)).toBe(true);

    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await download.arrayBuffer()));
    expect(JSON.parse(strFromU8(files["account.json"]!)).tenant.email).toBe(OWNER);
    expect(strFromU8(files[Object.keys(files).find((path) => path.endsWith("/index.html"))!]!)).toBe(
      siteHtml,
    );

    const forged = link.replace(/\/[^/]+$/, "/not-the-signature-of-this-export-xxxxxxxxx");
    expect((await fetch(forged)).status).toBe(404);
    const otherTenant = link.replace("/exports/bk-acme/", "/exports/bk-copy/");
    expect((await fetch(otherTenant)).status).toBe(404);
  });

  it("exports a suspended tenant, whose builder is stopped, with its database and a note where the site files are", async () => {
    await json(await admin(plane, "/admin/tenants/bk-copy/suspend", { method: "POST" }));
    await waitForTenant(
      plane,
      "bk-copy",
      (tenant) => tenant.status === "suspended" && tenant.observedGeneration === tenant.generation,
      { timeoutMs: 45_000, what: "suspended" },
    );
    const response = await admin(plane, "/admin/tenants/bk-copy/export");
    expect(response.status).toBe(200);
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    expect(Object.keys(files).filter((path) => path.startsWith("sites/"))).toEqual([]);
    expect(strFromU8(files["README.txt"]!)).toMatch(/sites\/ is missing: the builder was not running/);
    expect(strFromU8(files["database/tables/projects.copy"]!)).toContain("Acme Bakery");
  });

  it("erasure leaves no schema, role, process, file or personal data behind, and retires the slug", async () => {
    const before = await json(await admin(plane, "/admin/tenants/bk-acme"));
    const pid = before.outputs?.details?.pid as number | null;

    const response = await admin(plane, "/admin/tenants/bk-acme/erase", { method: "POST" });
    expect(response.status).toBe(200);
    expect((await json(response)).erased).toMatchObject({
      slug: "bk-acme",
      backupObjectsDeleted: expect.any(Number),
    });

    const [database] = await db`
      select exists(select 1 from pg_namespace where nspname = 't_bk_acme') as schema,
             exists(select 1 from pg_roles where rolname = 't_bk_acme') as role`;
    expect(database).toEqual({ schema: false, role: false });
    if (pid) expect(alive(pid)).toBe(false);
    expect((await fetchTenant(plane, "bk-acme", "/healthz")).status).toBe(404);
    expect(await readdir(join(plane.dataDir, "backups", "_exports")).catch(() => [])).not.toContain(
      "bk-acme",
    );
    for (const dir of ["runtimes", "stacks", "backups"]) {
      const left = await readdir(join(plane.dataDir, dir)).catch(() => []);
      expect(
        left.filter((name) => name.startsWith("bk-acme")),
        dir,
      ).toEqual([]);
    }

    const tenant = await json(await admin(plane, "/admin/tenants/bk-acme"));
    expect(tenant).toMatchObject({ status: "deleted", stripeCustomerId: null, stripeSubscriptionId: null });
    expect(tenant.email).not.toContain("@");
    const [leaks] = await db`
      select
        (select count(*)::int from control_plane.tenants where email = ${OWNER} or stripe_customer_id = ${customerId}) as tenants,
        (select count(*)::int from control_plane.audit_log where details::text ilike ${`%${OWNER}%`} or details::text like ${`%${customerId}%`}) as audit,
        (select count(*)::int from control_plane.stripe_events where payload::text ilike ${`%${OWNER}%`} or payload::text like ${`%${customerId}%`}) as billing,
        (select count(*)::int from control_plane.operation_logs l join control_plane.operations o on o.id = l.operation_id where o.slug = 'bk-acme') as logs`;
    expect(leaks).toEqual({ tenants: 0, audit: 0, billing: 0, logs: 0 });
    // The audit trail is kept (scrubbed): the erasure itself is on it.
    const audit = await json(await admin(plane, "/admin/audit?slug=bk-acme"));
    expect(audit.entries.map((entry: TenantJson) => entry.action)).toEqual(
      expect.arrayContaining(["tenant.erase", "backup.create", "backup.restore"]),
    );

    const slug = await (await fetch(`${plane.url}/api/slugs/bk-acme`)).json();
    expect(slug).toMatchObject({ available: false });
    const again = await admin(plane, "/admin/tenants", {
      method: "POST",
      body: { slug: "bk-acme", email: "someone@example.com", tier: "starter" },
    });
    expect(again.status).toBe(409);
  });
});
