import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantPassword } from "../../stacks/local/database.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  type ExternalPostgres,
  installedPostgres,
  startExternalPostgres,
} from "../support/external-postgres.ts";
import { admin, settledActive, type TenantJson, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const SLUG = "ns-bakery";
const SCHEMA = "t_ns_bakery";
const installed = installedPostgres();
if (!installed) {
  console.warn(
    "backups on a non-superuser Postgres: skipped, no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)",
  );
}

/**
 * The platform's role on a managed Postgres (RDS) is not a superuser: it has CREATEROLE and owns its database.
 * Tenants are provisioned there, then backed up, restored and exported through the real control plane.
 */
describe.skipIf(!installed)(
  "backups, restores and exports where the platform's role is not a superuser",
  () => {
    let server: ExternalPostgres;
    let superuser: postgres.Sql;
    let plane: RunningControlPlane;
    let tenant: postgres.Sql;

    const json = async (response: Response) => {
      const body = (await response.json()) as TenantJson;
      if (response.status >= 400) throw new Error(`${response.status} ${JSON.stringify(body)}`);
      return body;
    };

    beforeAll(async () => {
      server = (await startExternalPostgres())!;
      superuser = postgres(server.superuserUrl, { max: 1, onnotice: () => {} });
      // What RDS gives its master user: CREATEROLE, CREATEDB, its own database; never superuser.
      await superuser.unsafe(
        "create role websplat_admin login createrole createdb password 'platform-password'",
      );
      await superuser.unsafe("create database websplat owner websplat_admin");
      const databaseUrl = `postgres://websplat_admin:platform-password@127.0.0.1:${server.port}/websplat`;
      plane = await startControlPlane({ databaseUrl });
      await json(
        await admin(plane, "/admin/tenants", {
          method: "POST",
          body: { slug: SLUG, email: "owner@ns-bakery.test", tier: "pro" },
        }),
      );
      await waitForTenant(plane, SLUG, settledActive, { timeoutMs: 60_000, what: "active" });
      const secret = (await readFile(join(plane.dataDir, "platform-secret"), "utf8")).trim();
      tenant = postgres(
        `postgres://${SCHEMA}:${tenantPassword(secret, SLUG)}@127.0.0.1:${server.port}/websplat`,
        { max: 1, onnotice: () => {} },
      );
      await buildSite(tenant);
    }, 180_000);

    afterAll(async () => {
      await tenant?.end();
      await plane?.stop();
      await plane?.cleanup();
      await superuser?.end();
      await server?.stop();
    });

    it("runs with a platform role that is really not a superuser", async () => {
      const [role] =
        await superuser`select rolsuper, rolcreaterole from pg_roles where rolname = 'websplat_admin'`;
      expect(role).toEqual({ rolsuper: false, rolcreaterole: true });
    });

    let backupId: string;

    it("takes a backup of the tenant", async () => {
      const response = await admin(plane, `/admin/tenants/${SLUG}/backups`, { method: "POST" });
      expect(response.status).toBe(201);
      const { backup } = await json(response);
      expect(backup.tables).toMatchObject({ projects: 1, blobs: 1, messages: 1 });
      backupId = backup.id;
    });

    it("restores it over a tenant whose data was lost, and the runtime serves again", async () => {
      await tenant`delete from messages`;
      await tenant`update projects set name = 'Overwritten'`;

      const response = await admin(plane, `/admin/tenants/${SLUG}/restore`, {
        method: "POST",
        body: { backupId },
      });
      expect(response.status).toBe(200);
      const restored = await json(response);
      expect(restored.tables).toEqual(restored.backup.tables);
      await waitFor(
        async () => {
          const operation = await json(await admin(plane, `/admin/operations/${restored.operationId}`));
          return ["succeeded", "failed"].includes(operation.status) ? operation : null;
        },
        { timeoutMs: 60_000, what: "the reconcile after the restore" },
      ).then((operation) => expect(operation.status).toBe("succeeded"));

      await tenant.end();
      const secret = (await readFile(join(plane.dataDir, "platform-secret"), "utf8")).trim();
      tenant = postgres(
        `postgres://${SCHEMA}:${tenantPassword(secret, SLUG)}@127.0.0.1:${server.port}/websplat`,
        { max: 1, onnotice: () => {} },
      );
      expect(await tenant`select name from projects`).toEqual([{ name: "Corner Bakery" }]);
      expect(await tenant`select content from messages`).toEqual([{ content: "Build me a bakery site" }]);
      // The tenant's role owns what came back and keeps writing to it.
      const [owner] =
        await tenant`select tableowner from pg_tables where schemaname = ${SCHEMA} and tablename = 'messages'`;
      expect(owner?.tableowner).toBe(SCHEMA);
      await tenant`insert into messages (project_id, role, content) select id, 'user', 'after restore' from projects`;
    });

    it("exports the owner's data", async () => {
      const response = await admin(plane, `/admin/tenants/${SLUG}/export`);
      expect(response.status).toBe(200);
      const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
      const site = Object.keys(files).find((path) =>
        /^sites\/corner-bakery-[0-9a-f]{8}\/index\.html$/.test(path),
      );
      expect(strFromU8(files[site!]!)).toContain("Corner Bakery");
      expect(strFromU8(files["database/tables/messages.copy"]!)).toContain("after restore");
    });

    it("leaves no session role behind", async () => {
      const left = await superuser`select rolname from pg_roles where rolname like 'websplat_as_%'`;
      expect(left).toEqual([]);
    });
  },
);

/** What a built site leaves in the builder's tables, written by the tenant's own role. */
async function buildSite(sql: postgres.Sql): Promise<void> {
  const html = "<!doctype html><h1>Corner Bakery</h1>";
  await sql.begin(async (tx) => {
    const [project] = await tx`insert into projects (name) values ('Corner Bakery') returning id`;
    const [branch] =
      await tx`insert into branches (project_id, name) values (${project!.id}, 'main') returning id`;
    await tx`insert into blobs (hash, content, size) values ('h-index', ${html}, ${html.length})`;
    await tx`insert into trees (hash, entries) values ('t-1', ${tx.json({ "index.html": "h-index" })})`;
    const [checkpoint] = await tx`
      insert into checkpoints (project_id, branch_id, kind, label, tree_hash, workflow, conversation)
      values (${project!.id}, ${branch!.id}, 'build', 'Built', 't-1', '{}'::jsonb, '[]'::jsonb) returning id`;
    await tx`update branches set head_checkpoint_id = ${checkpoint!.id} where id = ${branch!.id}`;
    await tx`insert into messages (project_id, role, content) values (${project!.id}, 'user', 'Build me a bakery site')`;
  });
}
