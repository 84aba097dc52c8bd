import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantPassword } from "../../stacks/local/database.ts";
import { databaseName } from "../../tenant-template/index.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin, settledActive, type TenantJson, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const EVIL = "hx-evil";
const GOOD = "hx-good";

/**
 * Whatever SQL a tenant's own role runs in its own schema, the platform stays up and answers 4xx with a code:
 * views, row-security policies, triggers and functions that raise, loop or switch roles, met by an export, a
 * backup, the scheduled backup round, the idle check and erasure. Slugs start with "hx-".
 */
describe("attack: a tenant's own SQL against the platform", () => {
  let plane: RunningControlPlane;
  /** Logged in as the evil tenant's own role, as its runtime (or anyone holding its DATABASE_URL) is. */
  let evil: postgres.Sql;

  const healthy = async () => (await fetch(`${plane.url}/healthz`)).status === 200;
  const errorOf = async (response: Response) => ((await response.json()) as TenantJson).error;

  /** Plants `sql` as the tenant, then checks export and backup answer 409 and the platform serves on. */
  const refusedWhile = async (sql: string, undo: string) => {
    await evil.unsafe(sql);
    try {
      for (const [method, path] of [
        ["GET", `/admin/tenants/${EVIL}/export`],
        ["POST", `/admin/tenants/${EVIL}/export`],
        ["POST", `/admin/tenants/${EVIL}/backups`],
        ["POST", `/admin/tenants/${EVIL}/backups`],
      ] as const) {
        const response = await admin(plane, path, { method });
        expect(response.status, `${method} ${path}`).toBe(409);
        expect(await errorOf(response)).toMatchObject({
          code: "tenant_data_unreadable",
          message: expect.stringContaining(databaseName(EVIL)),
        });
        expect(await healthy()).toBe(true);
      }
      const other = await admin(plane, `/admin/tenants/${GOOD}/backups`, { method: "POST" });
      expect(other.status).toBe(201);
    } finally {
      await evil.unsafe(undo);
    }
  };

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_IDLE_SECONDS: "3" } });
    for (const [slug, tier] of [
      [EVIL, "pro"],
      [GOOD, "starter"],
    ]) {
      const created = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug, email: `${slug}@example.com`, tier },
      });
      expect(created.status).toBeLessThan(300);
    }
    for (const slug of [EVIL, GOOD])
      await waitForTenant(plane, slug, settledActive, { timeoutMs: 60_000, what: `${slug} active` });
    const secret = (await readFile(join(plane.dataDir, "platform-secret"), "utf8")).trim();
    const url = new URL(plane.databaseUrl);
    url.username = databaseName(EVIL);
    url.password = tenantPassword(secret, EVIL);
    evil = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await evil`insert into projects (name) values ('Evil Inc')`;
  }, 120_000);

  afterAll(async () => {
    await evil?.end();
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a row-security policy whose function raises", async () => {
    await refusedWhile(
      `create function boom() returns boolean language plpgsql as $$ begin raise exception 'planted'; end $$;
       alter table projects enable row level security;
       alter table projects force row level security;
       create policy boom on projects using (boom());`,
      "drop policy boom on projects; alter table projects disable row level security; drop function boom();",
    );
  });
});
