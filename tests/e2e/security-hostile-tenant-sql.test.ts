import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantPassword } from "../../stacks/local/database.ts";
import { databaseName } from "../../tenant-template/index.ts";
import {
  fetchTenant,
  type RunningControlPlane,
  signInOwner,
  startControlPlane,
} from "../support/control-plane.ts";
import { admin, getTenant, settledActive, type TenantJson, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/** Plants its SQL for each attack below, then takes it away again. */
const EVIL = "hx-evil";
/** Keeps a raising policy for good: the scheduled backup round and the idle check meet it. */
const ROUND = "hx-round";
/** Tenants with nothing planted: they must be served throughout. */
const GOOD = "hx-good";
const CALM = "hx-calm";

const RAISING_POLICY = (table: string) => `
  create function boom() returns boolean language plpgsql as $$ begin raise exception 'planted'; end $$;
  alter table ${table} enable row level security;
  alter table ${table} force row level security;
  create policy boom on ${table} using (boom());`;

/**
 * Whatever SQL a tenant's own role runs in its own schema, the platform stays up and answers 4xx with a code:
 * views, row-security policies, triggers and functions that raise, loop or switch roles, met by an export, a
 * backup, the scheduled backup round, the idle check and erasure. Slugs start with "hx-".
 */
describe("attack: a tenant's own SQL against the platform", () => {
  let plane: RunningControlPlane;
  /** Logged in as a tenant's own role, as its runtime (or anyone holding its DATABASE_URL) is. */
  const roles: Record<string, postgres.Sql> = {};
  let superuser: postgres.Sql;

  const healthy = async () => (await fetch(`${plane.url}/healthz`)).status === 200;
  const json = async (response: Response) => (await response.json()) as TenantJson;
  const auditOf = async (slug: string) =>
    (await json(await admin(plane, `/admin/audit?slug=${slug}`))).entries as TenantJson[];

  /** Plants `sql` as the tenant, then checks export and backup answer 409 and the platform serves on. */
  const refusedWhile = async (sql: string, undo: string) => {
    await roles[EVIL]!.unsafe(sql);
    try {
      for (const [method, path] of [
        ["GET", `/admin/tenants/${EVIL}/export`],
        ["POST", `/admin/tenants/${EVIL}/export`],
        ["POST", `/admin/tenants/${EVIL}/backups`],
        // Again: a refused backup leaves nothing that fails the next one differently.
        ["POST", `/admin/tenants/${EVIL}/backups`],
      ] as const) {
        const response = await admin(plane, path, { method });
        expect(response.status, `${method} ${path}`).toBe(409);
        expect((await json(response)).error).toMatchObject({
          code: "tenant_data_unreadable",
          message: expect.stringContaining(databaseName(EVIL)),
        });
        expect(await healthy()).toBe(true);
      }
      const other = await admin(plane, `/admin/tenants/${GOOD}/backups`, { method: "POST" });
      expect(other.status).toBe(201);
    } finally {
      await roles[EVIL]!.unsafe(undo);
    }
    expect(plane.output()).toContain(`"tenant":"${EVIL}","code":"tenant_data_unreadable"`);
  };

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_IDLE_SECONDS: "3" } });
    for (const [slug, tier] of [
      [EVIL, "pro"],
      [ROUND, "starter"],
      [GOOD, "starter"],
      [CALM, "starter"],
    ]) {
      const created = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug, email: `${slug}@example.com`, tier },
      });
      expect(created.status).toBeLessThan(300);
    }
    superuser = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    const secret = (await readFile(join(plane.dataDir, "platform-secret"), "utf8")).trim();
    for (const slug of [EVIL, ROUND, GOOD, CALM]) {
      await waitForTenant(plane, slug, settledActive, { timeoutMs: 90_000, what: `${slug} active` });
      const url = new URL(plane.databaseUrl);
      url.username = databaseName(slug);
      url.password = tenantPassword(secret, slug);
      roles[slug] = postgres(url.toString(), { max: 1, onnotice: () => {} });
      await roles[slug]!`insert into projects (name) values (${`Site of ${slug}`})`;
    }
    await roles[ROUND]!.unsafe(RAISING_POLICY("projects"));
  }, 180_000);

  afterAll(async () => {
    for (const sql of Object.values(roles)) await sql.end();
    await superuser?.end();
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a row-security policy whose function raises", async () => {
    await refusedWhile(
      RAISING_POLICY("projects"),
      "drop policy boom on projects; alter table projects disable row level security; drop function boom();",
    );
  });

  it("a view in place of a table, over a function that raises", async () => {
    await refusedWhile(
      `create function boom() returns table (id integer, hash text, created_at bigint)
         language plpgsql as $$ begin raise exception 'planted'; end $$;
       alter table __drizzle_migrations rename to kept_migrations;
       create view __drizzle_migrations as select * from boom();`,
      `drop view __drizzle_migrations; drop function boom();
       alter table kept_migrations rename to __drizzle_migrations;`,
    );
  });

  it("a function that resets the role to reach another tenant's data", async () => {
    await refusedWhile(
      `create function escape() returns boolean language plpgsql as $$
       begin
         reset role;
         perform * from ${databaseName(GOOD)}.projects;
         return true;
       end $$;
       alter table projects enable row level security;
       alter table projects force row level security;
       create policy escape on projects using (escape());`,
      "drop policy escape on projects; alter table projects disable row level security; drop function escape();",
    );
  });

  it("a policy that sleeps past the statement timeout", async () => {
    const started = await admin(plane, `/admin/tenants/${GOOD}/backups`, { method: "POST" });
    expect(started.status).toBe(201);
    await roles[EVIL]!.unsafe(`
      create function slow() returns boolean language sql as $$ select pg_sleep(3600) is not null $$;
      alter table projects enable row level security;
      alter table projects force row level security;
      create policy slow on projects using (slow());`);
    try {
      // One request is enough: each waits for the statement timeout.
      const [export_, sibling] = await Promise.all([
        admin(plane, `/admin/tenants/${EVIL}/backups`, { method: "POST" }),
        // Meanwhile the platform serves everyone else.
        (async () => {
          expect(await healthy()).toBe(true);
          return await admin(plane, `/admin/tenants/${CALM}/export`);
        })(),
      ]);
      expect(export_.status).toBe(409);
      expect((await json(export_)).error.code).toBe("tenant_data_unreadable");
      expect(sibling.status).toBe(200);
    } finally {
      await roles[EVIL]!.unsafe(
        "drop policy slow on projects; alter table projects disable row level security; drop function slow();",
      );
    }
  }, 120_000);

  it("the scheduled backup round skips the tenant whose data cannot be read and backs up the others", async () => {
    // The round runs a minute after start, then hourly.
    const taken = await waitFor(
      async () => (await auditOf(CALM)).find((entry) => entry.action === "backup.create"),
      { timeoutMs: 150_000, intervalMs: 1000, what: `the round's backup of ${CALM}` },
    );
    expect(taken.actor).toBe("scheduler");
    await waitFor(
      () =>
        new RegExp(
          `"tenant":"${ROUND}","code":"tenant_data_unreadable".*"msg":"scheduled backup refused"`,
        ).test(plane.output()),
      { timeoutMs: 60_000, what: `the round's log line about ${ROUND}` },
    );
    expect((await auditOf(ROUND)).filter((entry) => entry.action === "backup.create")).toEqual([]);
    expect(await healthy()).toBe(true);
  }, 180_000);

  it("the idle check stops a runtime whose database raises, and the next request wakes it", async () => {
    const running = (tenant: TenantJson | null) => tenant?.outputs?.details?.runtime?.state === "running";
    const cookie = await signInOwner(plane, ROUND);
    const wake = () => fetchTenant(plane, ROUND, "/healthz", { headers: { cookie } });
    expect((await wake()).status).toBe(200);
    const idle = await waitFor(
      async () => {
        const tenant = await getTenant(plane, ROUND);
        return running(tenant) ? null : tenant;
      },
      { timeoutMs: 60_000, what: `${ROUND}'s runtime stopped as idle` },
    );
    expect(idle.status).toBe("active");
    expect(await healthy()).toBe(true);
    expect((await wake()).status).toBe(200);
  }, 90_000);

  it("erasure of a tenant with every kind of plant succeeds, and names the token that asked", async () => {
    await roles[EVIL]!.unsafe(`
      ${RAISING_POLICY("projects")}
      create function refuse() returns trigger language plpgsql as $$ begin raise exception 'no'; end $$;
      create trigger refuse before insert or update or delete on messages for each row execute function refuse();
      create view everything as select * from projects where boom();`);
    const erased = await admin(plane, `/admin/tenants/${EVIL}/erase`, { method: "POST" });
    expect(erased.status).toBe(200);
    const [left] = await superuser`
      select exists(select 1 from pg_namespace where nspname = ${databaseName(EVIL)}) as schema`;
    expect(left?.schema).toBe(false);
    const actions = Object.fromEntries((await auditOf(EVIL)).map((entry) => [entry.action, entry.actor]));
    expect(actions["tenant.erase"]).toBe("admin:bootstrap");
    expect(actions["tenant.export"]).toBeUndefined();
    expect(await healthy()).toBe(true);
    expect((await admin(plane, `/admin/tenants/${GOOD}/backups`, { method: "POST" })).status).toBe(201);
  });

  it("an export and a domains check are audited with the token that asked", async () => {
    expect((await admin(plane, `/admin/tenants/${CALM}/export`)).status).toBe(200);
    expect((await admin(plane, `/admin/tenants/${CALM}/domains/check`, { method: "POST" })).status).toBe(200);
    const actors = (await auditOf(CALM))
      .filter((entry) => ["tenant.export", "domains.check"].includes(entry.action))
      .map((entry) => [entry.action, entry.actor]);
    expect(actors).toEqual(
      expect.arrayContaining([
        ["tenant.export", "admin:bootstrap"],
        ["domains.check", "admin:bootstrap"],
      ]),
    );
    expect(actors.every(([, actor]) => actor === "admin:bootstrap")).toBe(true);
  });
});
