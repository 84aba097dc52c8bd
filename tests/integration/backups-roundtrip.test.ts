import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../agent-runtime/db/migrate.ts";
import {
  type BackupStore,
  backupTenant,
  directoryStore,
  listBackups,
  pruneBackups,
  readManifest,
  restoreTenantDatabase,
  s3Store,
} from "../../control-plane/backups/index.ts";
import { dropTenantDatabase, ensureTenantDatabase, tenantPassword } from "../../stacks/local/database.ts";
import { databaseName } from "../../tenant-template/index.ts";
import { createTestDatabase } from "../support/db.ts";
import { type FakeS3, startFakeS3 } from "../support/fake-s3.ts";
import { testTenantSpec } from "../support/tenant-spec.ts";

const SECRET = "platform-secret-for-backup-tests";

/** Backups of tenant schemas, destroyed and restored on real PostgreSQL. Slugs start with "br-". */
describe("tenant backups", () => {
  let adminUrl: URL;
  let admin: postgres.Sql;
  let scratch: string;
  let s3: FakeS3;

  const spec = (slug: string) => testTenantSpec(slug, adminUrl, "pro");

  /** What the reconciler does for a tenant: its role and schema, then the runtime migrates as that role. */
  const provision = async (slug: string) => {
    const password = tenantPassword(SECRET, slug);
    await ensureTenantDatabase(admin, spec(slug), { password, databaseName: adminUrl.pathname.slice(1) });
    await asTenant(slug, (sql) => applyMigrations(sql, databaseName(slug)));
  };

  const destroy = (slug: string) =>
    dropTenantDatabase(
      admin,
      { slug, role: databaseName(slug), schema: databaseName(slug) },
      adminUrl.pathname.slice(1),
    );

  const asTenant = async <T>(slug: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
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

  /** A builder's worth of data, with the text COPY must escape: tabs, newlines, backslashes, NULLs, unicode. */
  const fillWithSites = (slug: string, sites: number) =>
    asTenant(slug, async (sql) => {
      for (let n = 0; n < sites; n++) {
        const [project] =
          await sql`insert into projects (name, spec) values (${`Site ${n} of ${slug}`}, ${sql.json({ n, tags: ["a\tb", "ü"] })}) returning id`;
        const [branch] =
          await sql`insert into branches (project_id, name) values (${project!.id}, 'main') returning id`;
        const html = `<h1>${slug} ${n}</h1>\n<p>tab\there, back\\slash, “quotes”, emoji 🎉</p>`;
        const blobHash = `${slug}-${n}-index`;
        await sql`insert into blobs (hash, content, size) values (${blobHash}, ${html}, ${Buffer.byteLength(html)})`;
        await sql`insert into trees (hash, entries) values (${`tree-${blobHash}`}, ${sql.json({ "index.html": blobHash })})`;
        const [checkpoint] = await sql`
          insert into checkpoints (project_id, branch_id, kind, label, tree_hash, workflow, conversation, restore_scope)
          values (${project!.id}, ${branch!.id}, 'build', 'Built', ${`tree-${blobHash}`}, ${sql.json({ stage: "done" })}, ${sql.json(["hi"])}, null)
          returning id`;
        await sql`update branches set head_checkpoint_id = ${checkpoint!.id} where id = ${branch!.id}`;
        for (let m = 0; m < 3; m++)
          await sql`insert into messages (project_id, role, content) values (${project!.id}, 'user', ${`line one\nline two ${m}`})`;
      }
    });

  const snapshot = async (slug: string) => {
    const schema = databaseName(slug);
    return {
      messages: await admin.unsafe(`select seq, content from "${schema}".messages order by seq`),
      blobs: await admin.unsafe(`select hash, content from "${schema}".blobs order by hash`),
      nextSeq: (await admin.unsafe(`select nextval('"${schema}".messages_seq_seq') as n`))[0]!.n,
    };
  };

  beforeAll(async () => {
    adminUrl = new URL(await createTestDatabase("backups"));
    admin = postgres(adminUrl.toString(), { max: 4, onnotice: () => {} });
    scratch = await mkdtemp(join(tmpdir(), "websplat-backups-"));
    s3 = await startFakeS3({ pageSize: 3 });
  });

  afterAll(async () => {
    for (const slug of ["br-dir-a", "br-dir-b", "br-dir-c", "br-s3-a", "br-s3-b", "br-copy", "br-prune"])
      await destroy(slug).catch(() => {});
    await admin?.end();
    await s3?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const stores: Array<[string, () => BackupStore, string[]]> = [
    [
      "a local directory",
      () => directoryStore(join(scratch, "backups")),
      ["br-dir-a", "br-dir-b", "br-dir-c"],
    ],
    [
      "an S3-compatible endpoint",
      () =>
        s3Store({
          bucket: "websplat-backups",
          prefix: "tenants",
          endpoint: s3.endpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
        }),
      ["br-s3-a", "br-s3-b"],
    ],
  ];

  for (const [where, makeStore, slugs] of stores) {
    it(`a backup to ${where}, the tenant destroyed, then restored gives identical tables`, async () => {
      const store = makeStore();
      const deps = { sql: admin, store };
      const taken = [];
      for (const [index, slug] of slugs.entries()) {
        await provision(slug);
        await fillWithSites(slug, index + 2);
        const before = await snapshot(slug);
        taken.push({ slug, before, backup: await backupTenant(deps, slug) });
      }
      for (const { slug } of taken) await destroy(slug);

      for (const { slug, before, backup } of taken) {
        expect(backup.tables.messages).toBe(3 * (slugs.indexOf(slug) + 2));
        // Reconciling recreates an empty role and schema; the restore fills them.
        await ensureTenantDatabase(admin, spec(slug), {
          password: tenantPassword(SECRET, slug),
          databaseName: adminUrl.pathname.slice(1),
        });
        const manifest = await readManifest(store, slug, backup.id);
        const restored = await restoreTenantDatabase(deps, manifest, slug);

        expect(restored).toEqual(backup.tables);
        const again = await backupTenant(deps, slug);
        expect(again.tables).toEqual(backup.tables);
        expect(again.checksum).toBe(backup.checksum);
        const after = await snapshot(slug);
        expect(after.messages).toEqual(before.messages);
        expect(after.blobs).toEqual(before.blobs);
        expect(Number(after.nextSeq)).toBe(Number(before.nextSeq) + 1);
        // The tenant's role owns what was restored and can keep writing to it.
        await asTenant(
          slug,
          (sql) =>
            sql`insert into messages (project_id, role, content) select id, 'user', 'after restore' from projects limit 1`,
        );
      }
      expect((await listBackups(store, slugs[0]!)).map((b) => b.id)).toHaveLength(2);
    });
  }

  it("stores every object in the S3 bucket under the configured prefix", () => {
    const keys = [...(s3.buckets.get("websplat-backups")?.keys() ?? [])];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith("tenants/br-s3-"))).toBe(true);
    expect(keys.some((key) => key.endsWith("/manifest.json"))).toBe(true);
  });

  it("restores one tenant's backup into another tenant, leaving the source untouched", async () => {
    const store = directoryStore(join(scratch, "backups"));
    const deps = { sql: admin, store };
    await provision("br-copy");
    const [backup] = await listBackups(store, "br-dir-b");
    const sourceBefore = await snapshot("br-dir-b");

    const restored = await restoreTenantDatabase(deps, backup!, "br-copy");

    expect(restored.projects).toBe(3);
    expect((await snapshot("br-copy")).blobs).toEqual(sourceBefore.blobs.slice(0, sourceBefore.blobs.length));
    expect((await snapshot("br-dir-b")).messages).toEqual(sourceBefore.messages);
  });

  it("refuses a backup whose table data was altered, and changes nothing", async () => {
    const store = directoryStore(join(scratch, "backups"));
    const deps = { sql: admin, store };
    const [backup] = await listBackups(store, "br-dir-a");
    const tampered: BackupStore = {
      ...store,
      get: async (key) =>
        key.endsWith("/messages.copy")
          ? (await import("node:stream")).Readable.from([Buffer.from("not what was backed up\n")])
          : store.get(key),
    };
    const before = await snapshot("br-dir-a");

    await expect(
      restoreTenantDatabase({ ...deps, store: tampered }, backup!, "br-dir-a"),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/backup_corrupt/),
    });
    const after = await snapshot("br-dir-a");
    expect(after.messages).toEqual(before.messages);
  });

  it("prunes backups older than the retention, keeping the newest", async () => {
    const store = directoryStore(join(scratch, "prune"));
    const deps = { sql: admin, store };
    await provision("br-prune");
    const first = await backupTenant(deps, "br-prune");
    const second = await backupTenant(deps, "br-prune");
    const later = new Date(Date.now() + 8 * 86_400_000);

    expect(await pruneBackups(store, "br-prune", 30, later)).toEqual([]);
    expect(await pruneBackups(store, "br-prune", 7, later)).toEqual([first.id]);
    expect((await listBackups(store, "br-prune")).map((b) => b.id)).toEqual([second.id]);
    expect(await pruneBackups(store, "br-prune", 0, new Date(Date.now() + 86_400_000 * 365))).toEqual([]);
  });

  it("names a missing backup with a code and where to look", async () => {
    const store = directoryStore(join(scratch, "backups"));
    await expect(readManifest(store, "br-dir-a", "2020-01-01T00-00-00-000Z")).rejects.toMatchObject({
      code: "backup_not_found",
      message: expect.stringContaining("websplat backup list br-dir-a"),
    });
  });
});
