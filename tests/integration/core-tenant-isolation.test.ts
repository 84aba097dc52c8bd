import PgBoss from "pg-boss";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, migrateDatabase } from "../../control-plane/db/client.ts";
import { ensureTenantDatabase, tenantPassword } from "../../stacks/local/database.ts";
import { createTestDatabase } from "../support/db.ts";
import { testTenantSpec } from "../support/tenant-spec.ts";

const SECRET = "platform-secret-for-isolation-tests";

/** DESIGN §5 isolation, checked as the superuser and as each tenant's own role. Slugs start with "ti-". */
describe("tenant database isolation", () => {
  let adminUrl: URL;
  let superuser: postgres.Sql;
  const tenants: Record<string, postgres.Sql> = {};
  const slugs = ["ti-alpha", "ti-beta"] as const;
  let platformTables: { schema: string; name: string }[] = [];

  const connectAs = (slug: string, role: string) => {
    const url = new URL(adminUrl);
    url.username = role;
    url.password = tenantPassword(SECRET, slug);
    return postgres(url.toString(), { max: 1, onnotice: () => {} });
  };

  beforeAll(async () => {
    adminUrl = new URL(await createTestDatabase("isolation"));
    superuser = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
    const database = adminUrl.pathname.slice(1);
    // The control plane's own tables and the job queue, made by the product's own migrations and pg-boss.
    const handle = connect(adminUrl.toString(), { max: 2 });
    try {
      await migrateDatabase(handle);
    } finally {
      await handle.close();
    }
    const boss = new PgBoss({ connectionString: adminUrl.toString(), schema: "pgboss", max: 2 });
    boss.on("error", () => {});
    await boss.start();
    await boss.stop({ graceful: false, wait: true });
    platformTables = await superuser<{ schema: string; name: string }[]>`
      select schemaname as schema, tablename as name from pg_tables
      where schemaname in ('control_plane', 'control_plane_migrations', 'pgboss', 'public')
      order by 1, 2`;
    for (const slug of slugs) {
      const spec = testTenantSpec(slug, adminUrl);
      // Twice: ensuring is idempotent.
      await ensureTenantDatabase(superuser, spec, {
        password: tenantPassword(SECRET, slug),
        databaseName: database,
      });
      await ensureTenantDatabase(superuser, spec, {
        password: tenantPassword(SECRET, slug),
        databaseName: database,
      });
      tenants[slug] = connectAs(slug, spec.database.role);
    }
    await tenants["ti-alpha"]!`create table pages (id int primary key, body text)`;
    await tenants["ti-alpha"]!`insert into pages values (1, 'alpha private')`;
  });

  afterAll(async () => {
    for (const sql of Object.values(tenants)) await sql.end();
    await superuser?.end();
  });

  it("tenant roles hold no cluster privileges and have a connection limit", async () => {
    const rows = await superuser`
      select rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolconnlimit
      from pg_roles where rolname in ('t_ti_alpha', 't_ti_beta') order by rolname`;
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
        rolreplication: false,
      });
      expect(row.rolconnlimit).toBeGreaterThan(0);
    }
  });

  it("a tenant works in its own schema by default", async () => {
    const [row] = await tenants["ti-alpha"]!`select current_schema() as schema, body from pages`;
    expect(row).toEqual({ schema: "t_ti_alpha", body: "alpha private" });
  });

  it("PUBLIC has no rights on tenant schemas", async () => {
    const rows = await superuser`
      select n.nspname, a.grantee
      from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
      where n.nspname in ('t_ti_alpha', 't_ti_beta') and a.grantee = 0`;
    expect(rows).toEqual([]);
  });

  it("a tenant cannot use, read or write another tenant's schema", async () => {
    const beta = tenants["ti-beta"]!;
    await expect(beta`select * from t_ti_alpha.pages`).rejects.toThrow(/permission denied/);
    await expect(beta`insert into t_ti_alpha.pages values (2, 'beta was here')`).rejects.toThrow(
      /permission denied/,
    );
    await expect(beta`create table t_ti_alpha.intruder (x int)`).rejects.toThrow(/permission denied/);
    await expect(beta`set role t_ti_alpha`).rejects.toThrow(/permission denied/);
    const [row] = await superuser`select count(*)::int as n from t_ti_alpha.pages`;
    expect(row?.n).toBe(1);
  });

  it("a tenant cannot read or write any of the control plane's tables or the queue's, or create in public", async () => {
    const alpha = tenants["ti-alpha"]!;
    expect(platformTables.map((table) => table.schema)).toEqual(
      expect.arrayContaining(["control_plane", "control_plane_migrations", "pgboss"]),
    );
    expect(platformTables.map((table) => `${table.schema}.${table.name}`)).toEqual(
      expect.arrayContaining(["control_plane.tenants", "control_plane.audit_log", "pgboss.job"]),
    );
    for (const { schema, name } of platformTables) {
      const relation = `"${schema}"."${name}"`;
      await expect(alpha.unsafe(`select * from ${relation} limit 1`), relation).rejects.toThrow(
        /permission denied/,
      );
      await expect(alpha.unsafe(`delete from ${relation}`), relation).rejects.toThrow(/permission denied/);
      await expect(
        alpha.begin((tx) => tx.unsafe(`lock table ${relation}`)),
        relation,
      ).rejects.toThrow(/permission denied/);
    }
    await expect(alpha`create table public.squat (x int)`).rejects.toThrow(/permission denied/);
    await expect(alpha`create table control_plane.squat (x int)`).rejects.toThrow(/permission denied/);
  });

  it("a tenant cannot create roles, databases or schemas of its own", async () => {
    const alpha = tenants["ti-alpha"]!;
    await expect(alpha`create role ti_sneaky`).rejects.toThrow(/permission denied/);
    await expect(alpha.unsafe("create database ti_sneaky")).rejects.toThrow(/permission denied/);
    await expect(alpha`create schema ti_sneaky`).rejects.toThrow(/permission denied/);
  });

  it("a wrong password is refused", async () => {
    const url = new URL(adminUrl);
    url.username = "t_ti_alpha";
    url.password = tenantPassword("another-secret", "ti-alpha");
    const stranger = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      await expect(stranger`select 1`).rejects.toThrow(/password authentication failed/);
    } finally {
      await stranger.end();
    }
  });
});
