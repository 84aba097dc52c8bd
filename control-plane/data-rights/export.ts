import { and, asc, eq } from "drizzle-orm";
import { strToU8, type Zippable, zipSync } from "fflate";
import type { Sql } from "postgres";
import { databaseName } from "../../tenant-template/index.ts";
import { dumpSchema, memoryStore } from "../backups/index.ts";
import { newBackupId } from "../backups/manifest.ts";
import { asTenant } from "../backups/tenant-session.ts";
import { auditLog, stripeEvents } from "../db/schema.ts";
import { type Services, tenantUrl } from "../platform-services.ts";
import { requireTenant, tenantView } from "../registry/tenants.ts";

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
    // The tenant's schema is read with the tenant role's rights only (see asTenant), one session per step.
    const sites = await asTenant(services.sql, schema, (tenant) => siteFiles(tenant, schema));
    for (const [path, content] of sites) files[path] = strToU8(content);
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

/**
 * The head files of every project's main branch, read from the builder's tables (agent-runtime/db/schema.ts:
 * branches → checkpoints → trees → blobs), at `sites/<project name>-<id prefix>/<path>`.
 */
async function siteFiles(tenant: Sql, schema: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const [ready] = await tenant`select to_regclass(${`"${schema}".blobs`}) as oid`;
  if (!ready?.oid) return files;
  const s = `"${schema}"`;
  const heads = await tenant.unsafe<{ id: string; name: string; entries: Record<string, string> }[]>(
    `select p.id, p.name, t.entries from ${s}.projects p
     join ${s}.branches b on b.project_id = p.id and b.name = 'main'
     join ${s}.checkpoints c on c.id = b.head_checkpoint_id
     join ${s}.trees t on t.hash = c.tree_hash order by p.created_at`,
  );
  for (const head of heads) {
    const folder = `sites/${folderName(head.name)}-${head.id.slice(0, 8)}`;
    const hashes = Object.values(head.entries);
    if (hashes.length === 0) continue;
    const blobs = await tenant.unsafe<{ hash: string; content: string }[]>(
      `select hash, content from ${s}.blobs where hash = any($1::text[])`,
      [hashes],
    );
    const byHash = new Map(blobs.map((blob) => [blob.hash, blob.content]));
    for (const [path, hash] of Object.entries(head.entries)) {
      const safe = path
        .split("/")
        .filter((part) => part && part !== "." && part !== "..")
        .join("/");
      files.set(`${folder}/${safe}`, byHash.get(hash) ?? "");
    }
  }
  return files;
}

function folderName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40) || "site"
  );
}
