import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../agent-runtime/db/migrate.ts";
import {
  type BackupStore,
  backupTenant,
  deleteAllBackups,
  listBackups,
  pruneBackups,
  s3Store,
} from "../../control-plane/backups/index.ts";
import { dropTenantDatabase, ensureTenantDatabase, tenantPassword } from "../../stacks/local/database.ts";
import { databaseName } from "../../tenant-template/index.ts";
import { createTestDatabase } from "../support/db.ts";
import { type FakeS3, startFakeS3 } from "../support/fake-s3.ts";
import { testTenantSpec } from "../support/tenant-spec.ts";

const SECRET = "platform-secret-for-version-tests";
const BUCKET = "websplat-backups";
const SLUGS = ["bv-ana", "bv-ana-2"];

/** Backups in a versioned bucket (production): pruned and erased ones leave no version behind. Slugs "bv-". */
describe("backups in a versioned S3 bucket", () => {
  let adminUrl: URL;
  let admin: postgres.Sql;
  let s3: FakeS3;
  let store: BackupStore;
  let client: S3Client;

  /** Every version and delete marker the bucket still holds under a tenant's folder. */
  const versionsOf = (slug: string) =>
    s3.versions(BUCKET).filter((v) => v.key.startsWith(`tenants/${slug}/`));

  beforeAll(async () => {
    adminUrl = new URL(await createTestDatabase("backup_versions"));
    admin = postgres(adminUrl.toString(), { max: 4, onnotice: () => {} });
    // Small pages: listing versions must follow its markers to the end.
    s3 = await startFakeS3({ pageSize: 3 });
    const credentials = { accessKeyId: "test", secretAccessKey: "test" };
    store = s3Store({
      bucket: BUCKET,
      prefix: "tenants",
      endpoint: s3.endpoint,
      region: "us-east-1",
      credentials,
    });
    client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials });
    for (const slug of SLUGS) {
      await ensureTenantDatabase(admin, testTenantSpec(slug, adminUrl, "pro"), {
        password: tenantPassword(SECRET, slug),
        databaseName: adminUrl.pathname.slice(1),
      });
      const url = new URL(adminUrl);
      url.username = databaseName(slug);
      url.password = tenantPassword(SECRET, slug);
      const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        await applyMigrations(sql, databaseName(slug));
        await sql`insert into projects (name, spec) values (${`Site of ${slug}`}, ${sql.json({ slug })})`;
      } finally {
        await sql.end();
      }
    }
  });

  afterAll(async () => {
    for (const slug of SLUGS)
      await dropTenantDatabase(
        admin,
        { slug, role: databaseName(slug), schema: databaseName(slug) },
        adminUrl.pathname.slice(1),
      ).catch(() => {});
    await admin?.end();
    client?.destroy();
    await s3?.close();
  });

  it("an overwritten object, once deleted, keeps no version and no delete marker", async () => {
    await store.put("bv-ana/scratch/note.txt", Buffer.from("first"));
    await store.put("bv-ana/scratch/note.txt", Buffer.from("second"));
    await store.put("bv-ana/scratch/note.txt.keep", Buffer.from("a neighbour with the same beginning"));
    expect(s3.versions(BUCKET).filter((v) => v.key === "tenants/bv-ana/scratch/note.txt")).toHaveLength(2);
    await store.delete("bv-ana/scratch/note.txt");
    expect(s3.versions(BUCKET).filter((v) => v.key === "tenants/bv-ana/scratch/note.txt")).toEqual([]);
    expect(await store.exists("bv-ana/scratch/note.txt.keep")).toBe(true);
    await store.delete("bv-ana/scratch/note.txt.keep");
  });

  it("a pruned backup leaves no version of any of its objects", async () => {
    const old = await backupTenant({ sql: admin, store }, "bv-ana");
    const kept = await backupTenant({ sql: admin, store }, "bv-ana");
    const oldKeys = versionsOf("bv-ana").filter((v) => v.key.includes(`/${old.id}/`));
    expect(oldKeys.length).toBeGreaterThan(1);
    const pruned = await pruneBackups(store, "bv-ana", 0, new Date(Date.now() + 1000));
    expect(pruned).toEqual([old.id]);
    expect(versionsOf("bv-ana").filter((v) => v.key.includes(`/${old.id}/`))).toEqual([]);
    expect((await listBackups(store, "bv-ana")).map((b) => b.id)).toEqual([kept.id]);
  });

  it("erasure removes every version under the tenant's folder, delete markers included, and nothing of another", async () => {
    await backupTenant({ sql: admin, store }, "bv-ana-2");
    const neighbour = versionsOf("bv-ana-2");
    // What a plain delete (an older release, or an operator) left: a delete marker over the data, still readable.
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "tenants/bv-ana/old/messages.copy", Body: "secret" }),
    );
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "tenants/bv-ana/old/messages.copy" }));
    expect(await store.exists("bv-ana/old/messages.copy")).toBe(false);
    expect(versionsOf("bv-ana").some((v) => v.key.endsWith("/old/messages.copy") && v.body)).toBe(true);
    const before = new Set(versionsOf("bv-ana").map((v) => v.key)).size;

    const removed = await deleteAllBackups(store, "bv-ana");

    expect(removed).toBe(before);
    expect(versionsOf("bv-ana")).toEqual([]);
    expect(versionsOf("bv-ana-2")).toEqual(neighbour);
  });
});
