import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTenantDatabase, ensureTenantDatabase, tenantPassword } from "../../stacks/local/database.ts";
import { databaseName } from "../../tenant-template/index.ts";
import { createTestDatabase } from "../support/db.ts";
import { testTenantSpec } from "../support/tenant-spec.ts";

const SECRET = "platform-secret-for-role-tests";
const SLUG = "rl-lefty";

/**
 * What a tenant's database role can do beyond its own schema, tried by logging in with its own credentials
 * (as its runtime would) on real PostgreSQL. Slugs start with "rl-".
 */
describe("a tenant's database role holds nothing beyond its schema", () => {
  let adminUrl: URL;
  let admin: postgres.Sql;
  const open: postgres.Sql[] = [];

  const spec = () => testTenantSpec(SLUG, adminUrl);

  const reconcile = () =>
    ensureTenantDatabase(admin, spec(), {
      password: tenantPassword(SECRET, SLUG),
      databaseName: adminUrl.pathname.slice(1),
    });

  /** A connection as the tenant role to `database` (its own by default). */
  const asTenant = (database = adminUrl.pathname.slice(1)) => {
    const url = new URL(adminUrl);
    url.username = databaseName(SLUG);
    url.password = tenantPassword(SECRET, SLUG);
    url.pathname = `/${database}`;
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
    open.push(sql);
    return sql;
  };

  beforeAll(async () => {
    adminUrl = new URL(await createTestDatabase("role_leftovers"));
    admin = postgres(adminUrl.toString(), { max: 2, onnotice: () => {} });
    await reconcile();
  });

  afterAll(async () => {
    for (const sql of open) await sql.end().catch(() => {});
    await dropTenantDatabase(
      admin,
      { slug: SLUG, role: databaseName(SLUG), schema: databaseName(SLUG) },
      adminUrl.pathname.slice(1),
    ).catch(() => {});
    await admin?.end();
  });

  it("works in its own schema", async () => {
    const sql = asTenant();
    await sql`create table notes (body text)`;
    await sql`insert into notes values ('mine')`;
    expect(await sql`select body from notes`).toEqual([{ body: "mine" }]);
  });

  it("cannot connect to the cluster's postgres and template1 databases", async () => {
    for (const database of ["postgres", "template1"]) {
      await expect(asTenant(database)`select 1`, database).rejects.toMatchObject({
        message: expect.stringMatching(/permission denied for database/),
      });
    }
  });

  it("cannot create temporary tables", async () => {
    await expect(asTenant()`create temporary table scratch (n int)`).rejects.toMatchObject({
      message: expect.stringMatching(/permission denied to create temporary tables/),
    });
  });

  it("cannot create large objects", async () => {
    const sql = asTenant();
    await expect(sql`select lo_create(0)`).rejects.toMatchObject({
      message: expect.stringMatching(/permission denied for function lo_create/),
    });
    await expect(sql`select lo_from_bytea(0, '\\x00'::bytea)`).rejects.toMatchObject({
      message: expect.stringMatching(/permission denied for function lo_from_bytea/),
    });
  });

  it("cannot give itself cluster rights, and what it changes on itself is put back by the next reconcile", async () => {
    const sql = asTenant();
    await expect(sql.unsafe(`alter role ${databaseName(SLUG)} createdb`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql.unsafe(`alter role ${databaseName(SLUG)} connection limit 100`)).rejects.toThrow(
      /permission denied/,
    );
    // PostgreSQL lets any role set its own defaults and password; the platform's win at every reconcile.
    await sql.unsafe(`alter role ${databaseName(SLUG)} set search_path = public`);
    await sql.unsafe(`alter role ${databaseName(SLUG)} set idle_in_transaction_session_timeout = 0`);
    await sql.unsafe(`alter role ${databaseName(SLUG)} password 'chosen-by-the-tenant'`);
    await reconcile();

    const [settings] = await admin<{ config: string[] }[]>`
      select coalesce(array_agg(c order by c), '{}') as config
      from pg_db_role_setting s join pg_roles r on r.oid = s.setrole, unnest(s.setconfig) c
      where r.rolname = ${databaseName(SLUG)}`;
    expect(settings?.config).toEqual([
      `idle_in_transaction_session_timeout=60s`,
      `search_path=${databaseName(SLUG)}`,
    ]);
    // The platform's password works again (a fresh login with it).
    expect(await asTenant()`select current_user as me`).toEqual([{ me: databaseName(SLUG) }]);
  });
});
