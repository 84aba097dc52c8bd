import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTenantDatabase, tenantPassword } from "../../stacks/local/database.ts";
import { createTestDatabase } from "../support/db.ts";
import { testTenantSpec } from "../support/tenant-spec.ts";

const TENANTS = 12;

/** A burst of purchases provisions tenants' roles and schemas at the same time, each in its own transaction. */
describe("tenant databases ensured at the same time", () => {
  let adminUrl: URL;
  let admin: postgres.Sql;

  const spec = (slug: string) => testTenantSpec(slug, adminUrl);

  beforeAll(async () => {
    adminUrl = new URL(await createTestDatabase("concurrent_ensure"));
    admin = postgres(adminUrl.toString(), { max: TENANTS, onnotice: () => {} });
  });

  afterAll(async () => {
    await admin?.end();
  });

  it("all succeed at the first attempt: none fails on a catalog row another one is changing", async () => {
    const slugs = Array.from({ length: TENANTS }, (_, i) => `cc-burst-${i}`);
    const ensure = () =>
      Promise.allSettled(
        slugs.map((slug) =>
          ensureTenantDatabase(admin, spec(slug), {
            password: tenantPassword("concurrent-secret", slug),
            databaseName: adminUrl.pathname.slice(1),
          }),
        ),
      );
    // Created together, then reconciled together (every reconcile re-applies the same privileges).
    for (const round of [await ensure(), await ensure()]) {
      const failures = round.flatMap((result) =>
        result.status === "rejected" ? [String(result.reason)] : [],
      );
      expect(failures).toEqual([]);
    }
    const roles = await admin<{ name: string }[]>`
      select rolname as name from pg_roles where rolname like ${"t\\_cc\\_burst\\_%"}`;
    expect(roles).toHaveLength(TENANTS);
  });
});
