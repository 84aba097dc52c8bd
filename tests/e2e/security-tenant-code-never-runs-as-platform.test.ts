import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantPassword } from "../../stacks/local/database.ts";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin, settledActive, type TenantJson, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const SLUG = "ev-mallory";
const SCHEMA = "t_ev_mallory";

/**
 * A tenant's database role plants its own code where the control plane reads (views over a plpgsql function
 * in place of the runtime's tables). Whatever the control plane then does for that tenant (the idle check,
 * a backup, an export), the code must run with the tenant's rights, never the platform's: the function tries
 * to get back to the session's user (`RESET ROLE`) and to run a shell command (`COPY … TO PROGRAM`), which
 * would leave a file in `marks/`.
 */
describe("a tenant's SQL never runs with the platform's database privileges", () => {
  let plane: RunningControlPlane;
  let tenant: postgres.Sql;
  let marks: string;
  let platformRole: string;

  const json = async (response: Response) => {
    const body = (await response.json()) as TenantJson;
    if (response.status >= 400) throw new Error(`${response.status} ${JSON.stringify(body)}`);
    return body;
  };

  const runtimeState = async () =>
    (await json(await admin(plane, `/admin/tenants/${SLUG}`))).outputs?.details?.runtime?.state;

  beforeAll(async () => {
    marks = await mkdtemp(join(tmpdir(), "websplat-marks-"));
    // The database server (another OS user) must be able to write here if it ever runs the program.
    await chmod(marks, 0o777);
    plane = await startControlPlane({ env: { WEBSPLAT_IDLE_SECONDS: "2" } });
    platformRole = decodeURIComponent(new URL(plane.databaseUrl).username);
    await json(
      await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug: SLUG, email: "mallory@example.com", tier: "pro" },
      }),
    );
    await waitForTenant(plane, SLUG, settledActive, { timeoutMs: 45_000, what: "active" });

    // The tenant's own credentials, exactly what its runtime is given.
    const secret = (await readFile(join(plane.dataDir, "platform-secret"), "utf8")).trim();
    const url = new URL(plane.databaseUrl);
    url.username = SCHEMA;
    url.password = tenantPassword(secret, SLUG);
    tenant = postgres(url.toString(), { max: 1, onnotice: () => {} });
    // The runtime is running when the tables are swapped (it reads "runs" only through the view afterwards).
    await fetchTenant(plane, SLUG, "/");
    await waitFor(async () => ((await runtimeState()) === "running" ? true : null), {
      timeoutMs: 30_000,
      what: "the runtime to run",
    });
    await plant(tenant, marks);
  }, 120_000);

  afterAll(async () => {
    await tenant?.end();
    await plane?.stop();
    await plane?.cleanup();
    await rm(marks, { recursive: true, force: true });
  });

  it("the idle check of a runtime does not run the tenant's code as the platform", async () => {
    // With no request, the idle check asks whether a run is in progress, then stops the runtime.
    await waitFor(async () => ((await runtimeState()) === "idle" ? true : null), {
      timeoutMs: 30_000,
      what: "the runtime to be stopped for idleness",
    });
    expect(await readdir(marks)).toEqual([]);
  }, 60_000);

  it("a backup reads the tenant's schema with the tenant's rights", async () => {
    const response = await admin(plane, `/admin/tenants/${SLUG}/backups`, { method: "POST" });
    expect(response.status).toBe(201);
    const { backup } = await json(response);
    const manifest = JSON.parse(
      await readFile(join(plane.dataDir, "backups", SLUG, backup.id, "manifest.json"), "utf8"),
    );
    expect(await readdir(marks)).toEqual([]);
    // The planted view was read (its function's answer is the "hash"), as someone who is not the platform.
    const seen = String(manifest.migrations.hash ?? "");
    expect(seen).toContain("superuser=off");
    expect(seen).not.toContain(`user=${platformRole} `);
  });

  it("an export gets the builder's files from the runtime, never by reading its tables as the platform", async () => {
    const response = await admin(plane, `/admin/tenants/${SLUG}/export`);
    expect(response.status).toBe(200);
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const sites = Object.keys(files).filter((name) => name.startsWith("sites/"));
    const contents = sites.map((name) => strFromU8(files[name]!));
    // The platform reads none of the builder's tables: the site files come from the runtime, which connects as the
    // tenant's own role. This tenant's planted views may keep its own builder from answering; the export then says
    // so instead of reading the tables itself.
    const readme = strFromU8(files["README.txt"]!);
    if (sites.length === 0)
      expect(readme).toContain("sites/ is missing: the builder could not list its sites");
    else expect(sites).toEqual([expect.stringMatching(/^sites\/planted-[0-9a-f]{8}\/index\.html$/)]);
    for (const content of contents) {
      expect(content).not.toContain("superuser=on");
      expect(content).not.toContain(`user=${platformRole} `);
    }
    expect(await readdir(marks)).toEqual([]);
  });
});

/**
 * What a hostile tenant role can do in its own schema: a function that reports who runs it, tries to become the
 * session's user again, and tries a shell command; then the runtime's tables replaced by views that call it.
 */
async function plant(sql: postgres.Sql, marks: string): Promise<void> {
  await sql.unsafe(`
    create function probe(label text) returns text language plpgsql volatile set search_path from current as $fn$
    declare
      who text := 'user=' || current_user || ' superuser=' || current_setting('is_superuser');
    begin
      begin
        execute 'reset role';
      exception when others then null;
      end;
      who := who || ' after-reset user=' || current_user || ' superuser=' || current_setting('is_superuser') || ' ';
      begin
        execute format('copy (select %L) to program %L', who, 'cat > ${marks}/' || label);
      exception when others then who := who || 'copy: ' || sqlerrm;
      end;
      return who;
    end $fn$`);
  // Views the idle check, the backup and the export read; the real tables stay beside them.
  await sql.unsafe(`
    alter table runs rename to runs_real;
    create function planted_runs() returns setof runs_real language plpgsql set search_path from current as $fn$
    begin
      perform probe('busy');
      return query select * from runs_real;
    end $fn$;
    create view runs as select * from planted_runs();
    alter table __drizzle_migrations rename to migrations_real;
    create view __drizzle_migrations as select id, probe('backup') as hash, created_at from migrations_real;
    alter table blobs rename to blobs_real;
    create view blobs as select hash, probe('export') as content, size from blobs_real;
  `);
  const [project] = await sql`insert into projects (name) values ('Planted') returning id`;
  const [branch] =
    await sql`insert into branches (project_id, name) values (${project!.id}, 'main') returning id`;
  await sql`insert into blobs_real (hash, content, size) values ('h-planted', 'x', 1)`;
  await sql`insert into trees (hash, entries) values ('t-planted', ${sql.json({ "index.html": "h-planted" })})`;
  const [checkpoint] = await sql`
    insert into checkpoints (project_id, branch_id, kind, label, tree_hash, workflow, conversation)
    values (${project!.id}, ${branch!.id}, 'build', 'Built', 't-planted', '{}'::jsonb, '[]'::jsonb) returning id`;
  await sql`update branches set head_checkpoint_id = ${checkpoint!.id} where id = ${branch!.id}`;
}
