import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../agent-runtime/db/migrate.ts";
import {
  backupTenant,
  directoryStore,
  dumpSchema,
  listBackups,
  memoryStore,
} from "../../control-plane/backups/index.ts";
import { asTenant } from "../../control-plane/backups/tenant-session.ts";
import { dropTenantDatabase, ensureTenantDatabase, tenantPassword } from "../../stacks/local/database.ts";
import { databaseName } from "../../tenant-template/index.ts";
import { createTestDatabase } from "../support/db.ts";
import { testTenantSpec } from "../support/tenant-spec.ts";

const SECRET = "platform-secret-for-hostile-sql-tests";

/**
 * What a tenant's own role can plant in its schema makes reading it fail, hang or switch roles: each is the
 * tenant's problem, a BackupError with a code, never an unhandled error. Slugs start with "hs-".
 */
describe("tenant SQL that fights a backup", () => {
  let adminUrl: URL;
  let admin: postgres.Sql;
  let scratch: string;
  const slugs = ["hs-raise", "hs-loop", "hs-reset", "hs-view"];

  const asTenantRole = async <T>(slug: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
    const url = new URL(adminUrl);
    url.username = databaseName(slug);
    url.password = tenantPassword(SECRET, slug);
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      return await work(sql);
    } finally {
      await sql.end();
    }
  };

  const provision = async (slug: string) => {
    await ensureTenantDatabase(admin, testTenantSpec(slug, adminUrl), {
      password: tenantPassword(SECRET, slug),
      databaseName: adminUrl.pathname.slice(1),
    });
    await asTenantRole(slug, async (sql) => {
      await applyMigrations(sql, databaseName(slug));
      await sql`insert into projects (name) values ('A site')`;
    });
  };

  beforeAll(async () => {
    adminUrl = new URL(await createTestDatabase("hostile"));
    admin = postgres(adminUrl.toString(), { max: 4, onnotice: () => {} });
    scratch = await mkdtemp(join(tmpdir(), "websplat-hostile-"));
    for (const slug of slugs) await provision(slug);
  }, 120_000);

  afterAll(async () => {
    for (const slug of slugs)
      await dropTenantDatabase(
        admin,
        { slug, role: databaseName(slug), schema: databaseName(slug) },
        adminUrl.pathname.slice(1),
      ).catch(() => {});
    await admin?.end();
    await rm(scratch, { recursive: true, force: true });
  });

  it("a row-security policy whose function raises makes the backup fail with tenant_data_unreadable", async () => {
    await asTenantRole("hs-raise", async (sql) => {
      await sql.unsafe(`
        create function boom() returns boolean language plpgsql as $$ begin raise exception 'planted'; end $$;
        alter table projects enable row level security;
        alter table projects force row level security;
        create policy boom on projects using (boom());`);
    });
    const store = directoryStore(join(scratch, "raise"));
    await expect(backupTenant({ sql: admin, store }, "hs-raise")).rejects.toMatchObject({
      name: "BackupError",
      code: "tenant_data_unreadable",
    });
    expect(await listBackups(store, "hs-raise")).toEqual([]);
  });

  const dumpAs = (slug: string, limits?: { statementTimeoutMs?: number; deadlineMs?: number }) =>
    asTenant(
      admin,
      databaseName(slug),
      (tenant) =>
        dumpSchema(tenant, memoryStore(), {
          owner: slug,
          id: "2025-01-01T00-00-00-000Z",
          schema: databaseName(slug),
          migrations: { schema: databaseName(slug), name: "__drizzle_migrations" },
        }),
      limits,
    );

  it("a policy that raises on a later row, after some rows were streamed, fails the dump the same way", async () => {
    await asTenantRole("hs-view", async (sql) => {
      await sql`insert into messages (project_id, role, content)
                select p.id, 'user', repeat('x', 200) from projects p, generate_series(1, 2000)`;
      await sql.unsafe(`
        create function late(n bigint) returns boolean language plpgsql
          as $$ begin if n > 1500 then raise exception 'late'; end if; return true; end $$;
        alter table messages enable row level security;
        alter table messages force row level security;
        create policy late on messages using (late(seq));`);
    });
    await expect(dumpAs("hs-view")).rejects.toMatchObject({ code: "tenant_data_unreadable" });
  });

  it("a function that traps the statement timeout and loops for ever is ended at the deadline", async () => {
    await asTenantRole("hs-loop", async (sql) => {
      await sql.unsafe(`
        create function forever() returns boolean language plpgsql as $$
        begin
          loop
            begin
              perform pg_sleep(0.05);
            exception when query_canceled then null;
            end;
          end loop;
        end $$;
        alter table projects enable row level security;
        alter table projects force row level security;
        create policy forever on projects using (forever());`);
    });
    await expect(dumpAs("hs-loop", { statementTimeoutMs: 300, deadlineMs: 2000 })).rejects.toMatchObject({
      code: "tenant_data_unreadable",
      message: expect.stringContaining("within 2 s"),
    });
    const [left] = await admin`
      select count(*)::int as sessions from pg_stat_activity where usename like 'websplat_as_t_hs_loop%'`;
    expect(left?.sessions).toBe(0);
    const [roles] =
      await admin`select count(*)::int as n from pg_roles where rolname like 'websplat_as_t_hs_loop%'`;
    expect(roles?.n).toBe(0);
  });

  it("a view that resets the role reaches nothing of another tenant's and fails the dump", async () => {
    await asTenantRole("hs-reset", async (sql) => {
      await sql.unsafe(`
        create function escape() returns table (id integer, hash text, created_at bigint) language plpgsql as $$
        begin
          reset role;
          return query select 1, (select name from t_hs_raise.projects limit 1)::text, 0::bigint;
        end $$;
        drop table __drizzle_migrations;
        create view __drizzle_migrations as select * from escape();`);
    });
    const failure = await dumpAs("hs-reset").catch((error: Error) => error);
    expect(failure).toMatchObject({ code: "tenant_data_unreadable" });
    expect((failure as Error).message).toMatch(/permission denied/);
  });
});
