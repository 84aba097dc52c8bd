import { and, asc, eq } from "drizzle-orm";
import { strToU8, type Zippable, zipSync } from "fflate";
import { databaseName } from "../../tenant-template/index.ts";
import { dumpSchema, memoryStore } from "../backups/index.ts";
import { newBackupId } from "../backups/manifest.ts";
import { asTenant } from "../backups/tenant-session.ts";
import { auditLog, stripeEvents } from "../db/schema.ts";
import { type Services, tenantUrl } from "../platform-services.ts";
import { requireTenant, tenantView } from "../registry/tenants.ts";
import { siteFiles } from "./site-files.ts";

const README = `Everything WebSplat holds about this account.

account.json      the account (email, plan, status, billing ids), its audit trail and billing events
sites/<project>/  the current files of each site, as the builder shows them
database/         every table of the builder's database: manifest.json (tables, row counts, sha256)
                  and tables/<table>.copy in PostgreSQL COPY text format (load with COPY … FROM STDIN)
`;

/** The owner's data as one zip archive: account data, site files and the builder's whole database. */
export async function exportTenant(services: Services, slug: string): Promise<Uint8Array> {
  const tenant = await requireTenant(services.db, slug);
  const [audit, billing] = await Promise.all([
    services.db.select().from(auditLog).where(eq(auditLog.slug, slug)).orderBy(asc(auditLog.id)),
    services.db
      .select()
      .from(stripeEvents)
      .where(and(eq(stripeEvents.tenantSlug, slug)))
      .orderBy(asc(stripeEvents.created)),
  ]);
  const account = {
    exportedAt: new Date().toISOString(),
    tenant: tenantView(tenant, tenantUrl(services, slug)),
    audit: audit.map((entry) => ({
      at: entry.at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      details: entry.details,
    })),
    billingEvents: billing.map((event) => ({
      id: event.id,
      type: event.type,
      created: event.created,
      payload: event.payload,
    })),
  };
  const files: Zippable = {
    "README.txt": strToU8(README),
    "account.json": strToU8(JSON.stringify(account, null, 2)),
  };
  const schema = databaseName(slug);
  const [exists] = await services.sql`select 1 from pg_namespace where nspname = ${schema}`;
  if (exists) {
    const sites = await siteFiles(services, slug);
    if (sites.files) for (const [path, content] of sites.files) files[path] = strToU8(content);
    else
      files["README.txt"] = strToU8(
        `${README}\nsites/ is missing: ${sites.reason}. The site files are inside database/.\n`,
      );
    // The tenant's schema is dumped with the tenant role's rights only (see asTenant).
    const store = memoryStore();
    await asTenant(services.sql, schema, (tenant) =>
      dumpSchema(tenant, store, {
        owner: slug,
        id: newBackupId(),
        schema,
        migrations: { schema, name: "__drizzle_migrations" },
      }),
    );
    for (const [key, bytes] of store.objects) files[`database/${key.split("/").slice(2).join("/")}`] = bytes;
  }
  return zipSync(files, { level: 6 });
}
