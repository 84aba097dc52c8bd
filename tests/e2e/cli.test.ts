import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTarget, json, startWebsplat, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";

/** Slugs unique to this run: tenant roles live in the test run's shared PostgreSQL. */
const run = randomBytes(3).toString("hex");
const acme = `acme-${run}`;
const globex = `globex-${run}`;

let plane: RunningControlPlane;
let target: CliTarget;
let scratch: string;

beforeAll(async () => {
  plane = await startControlPlane();
  target = { url: plane.url, adminToken: plane.adminToken };
  scratch = await mkdtemp(join(tmpdir(), "websplat-cli-e2e-"));
  const created = await websplat(
    ["tenants", "create", acme, "--email", `owner@${acme}.test`, "--tier", "pro"],
    target,
  );
  expect(created.code, created.stderr).toBe(0);
});

afterAll(async () => {
  await plane?.stop();
  await plane?.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe("websplat tenants", () => {
  it("creates a tenant, following its provisioning to the end, then shows it", async () => {
    const result = await websplat(
      ["tenants", "create", globex, "--email", `it@${globex}.test`, "--tier", "studio"],
      target,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`creating ${globex}`);
    expect(result.stderr).toContain(`Ready at http://${globex}.localhost:${plane.port}`);
    expect(result.stderr).toMatch(new RegExp(`creating ${globex}: done in`));
    expect(result.stdout).toMatch(/status\s+active \(desired active\)/);
    expect(result.stdout).toMatch(/tier\s+studio/);
  });

  it("answers the tenant and its finished operation as JSON", async () => {
    const slug = `initech-${run}`;
    const result = await websplat(
      ["tenants", "create", slug, "--email", `bill@${slug}.test`, "--json"],
      target,
    );

    expect(result.code, result.stderr).toBe(0);
    const answer = json(result);
    expect(answer.tenant).toMatchObject({ slug, tier: "starter", status: "active", desired: "active" });
    expect(answer.operation).toMatchObject({ slug, kind: "reconcile", status: "succeeded", error: null });
    // A script gets JSON only: no spinner, no log lines.
    expect(result.stderr).toBe("");
  });

  it("lists tenants as a table, and as JSON with paging fields", async () => {
    const table = await websplat(["tenants", "list"], target);
    const machine = await websplat(["tenants", "list", "--tier", "pro", "--json"], target);

    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^SLUG\s+TIER\s+STATUS\s+DESIRED\s+EMAIL\s+UPDATED\s+URL$/);
    expect(table.stdout).toMatch(
      new RegExp(`^${acme}\\s+pro\\s+active\\s+active\\s+owner@${acme}\\.test`, "m"),
    );
    expect(machine.code).toBe(0);
    const page = json(machine);
    expect(page).toEqual({ tenants: expect.any(Array), nextCursor: null, total: expect.any(Number) });
    expect(page.tenants.map((tenant: { slug: string }) => tenant.slug)).toContain(acme);
    expect(page.tenants.every((tenant: { tier: string }) => tenant.tier === "pro")).toBe(true);
  });

  it("shows one tenant with its recent operations, and says when there is none", async () => {
    const shown = await websplat(["tenants", "show", acme], target);
    const machine = await websplat(["tenants", "show", acme, "--json"], target);
    const missing = await websplat(["tenants", "show", `nobody-${run}`], target);

    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`url\\s+http://${acme}\\.localhost:${plane.port}`));
    expect(shown.stdout).toContain("recent operations");
    expect(json(machine)).toMatchObject({
      slug: acme,
      email: `owner@${acme}.test`,
      status: "active",
      generation: 1,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nobody-/);
  });

  it("suspends and resumes a tenant, each time following the reconcile", async () => {
    const suspended = await websplat(["tenants", "suspend", acme, "--json"], target);
    expect(suspended.code, suspended.stdout).toBe(0);
    expect(json(suspended).tenant).toMatchObject({ status: "suspended", desired: "suspended" });

    const resumed = await websplat(["tenants", "resume", acme], target);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming ${acme}: done in`));
    expect(resumed.stdout).toMatch(/status\s+active/);
  });

  it("exits 2 for input the control plane refuses, as for a mistake it finds itself", async () => {
    const result = await websplat(["tenants", "create", `bad-${run}`, "--email", "not-an-email"], target);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*email/i);
  });

  it("colours nothing on a pipe, even where the terminal type has colours", async () => {
    const result = await websplat(["tenants", "reconcile", acme], { ...target, terminalColours: true });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`reconciling ${acme}: done in`));
    expect(result.stdout + result.stderr).not.toContain("\u001b[");
  });

  it("reconciles without waiting when asked, answering the operation to follow", async () => {
    const result = await websplat(["tenants", "reconcile", acme, "--no-wait"], target);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/operation \S+ started — follow it with `websplat ops logs \S+ --follow`/);
  });

  it("issues a one-time owner sign-in link for the tenant's host", async () => {
    const result = await websplat(["tenants", "owner-link", acme, "--json"], target);

    expect(result.code).toBe(0);
    const link = json(result);
    expect(link.url).toMatch(new RegExp(`^http://${acme}\\.localhost:${plane.port}/auth/callback\\?token=`));
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("deletes a tenant only with --yes", async () => {
    const slug = `doomed-${run}`;
    expect(
      (await websplat(["tenants", "create", slug, "--email", `x@${slug}.test`, "--no-wait"], target)).code,
    ).toBe(0);

    const refused = await websplat(["tenants", "delete", slug], target);
    const deleted = await websplat(["tenants", "delete", slug, "--yes", "--json"], target);

    expect(refused.code).toBe(2);
    expect(deleted.code, deleted.stdout).toBe(0);
    expect(json(deleted).tenant.desired).toBe("deleted");
  });
});

describe("websplat ops", () => {
  it("streams a live provisioning with logs --follow until it ends", async () => {
    const slug = `live-${run}`;
    const started = json(
      await websplat(["tenants", "create", slug, "--email", `x@${slug}.test`, "--no-wait", "--json"], target),
    );

    const follow = startWebsplat(["ops", "logs", started.operationId, "--follow"], target);
    await follow.waitForOutput(new RegExp(`Provisioning ${slug}`));
    const result = await follow.done;

    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  info   Provisioning ${slug}`));
    expect(lines.at(-1)).toContain(`Ready at http://${slug}.localhost:${plane.port}`);
    expect(result.stderr).toContain(`operation ${started.operationId} succeeded`);
  });

  it("streams JSON Lines for scripts, ending with the finished operation", async () => {
    const started = json(await websplat(["tenants", "reconcile", acme, "--no-wait", "--json"], target));

    const result = await websplat(["ops", "logs", started.operationId, "--follow", "--json"], target);

    expect(result.code).toBe(0);
    const records = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.at(-1)).toEqual({
      end: expect.objectContaining({ id: started.operationId, status: "succeeded" }),
    });
    expect(
      records.slice(0, -1).every((line) => typeof line.seq === "number" && typeof line.message === "string"),
    ).toBe(true);
  });

  it("lists operations, shows one with its log, and prints a finished log", async () => {
    const listed = await websplat(["ops", "list", "--slug", acme, "--json"], target);
    expect(listed.code).toBe(0);
    const { operations } = json(listed);
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.every((operation: { slug: string }) => operation.slug === acme)).toBe(true);
    const id = operations.at(-1).id;

    const table = await websplat(["ops", "list"], target);
    const shown = await websplat(["ops", "show", id], target);
    const shownJson = await websplat(["ops", "show", id, "--json"], target);
    const logs = await websplat(["ops", "logs", id, "--json"], target);

    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+TENANT\s+KIND\s+STATUS\s+ATTEMPT\s+CREATED\s+TOOK\s+ERROR$/,
    );
    expect(shown.stdout).toMatch(/status\s+succeeded/);
    expect(shown.stdout).toContain("Provisioning");
    expect(json(shownJson)).toMatchObject({ id, slug: acme, kind: "reconcile", log: expect.any(Array) });
    expect(json(logs)[0]).toMatchObject({
      seq: 1,
      level: "info",
      message: expect.stringContaining("Provisioning"),
    });
  });

  it("finds an operation by the start of its id, as the help shows it", async () => {
    const { operations } = json(await websplat(["ops", "list", "--slug", acme, "--json"], target));
    const id: string = operations[0].id;

    const logs = await websplat(["ops", "logs", id.slice(0, 8), "--json"], target);
    const shown = await websplat(["ops", "show", `${id.slice(0, 6)}…`, "--json"], target);
    const followed = await websplat(["ops", "logs", id.slice(0, 8), "--follow", "--json"], target);
    const unknown = await websplat(["ops", "logs", "00000000-00"], target);
    const notAnId = await websplat(["ops", "logs", "acme"], target);

    expect(logs.code, logs.stderr).toBe(0);
    expect(json(logs)).toEqual(expect.any(Array));
    expect(json(shown).id).toBe(id);
    expect(followed.code, followed.stderr).toBe(0);
    expect(JSON.parse(followed.stdout.trim().split("\n").at(-1)!).end.id).toBe(id);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no operation id among the latest 500 starts with 00000000-00");
    expect(notAnId.code).toBe(2);
    expect(notAnId.stderr).toContain('"acme" is not an operation id or the start of one');
  });

  it("says an unknown operation does not exist", async () => {
    const result = await websplat(["ops", "show", "00000000-0000-0000-0000-000000000000", "--json"], target);

    expect(result.code).toBe(1);
    expect(json(result).error.code).toMatch(/not_found/);
  });
});

describe("websplat stack", () => {
  it("previews what an update would change", async () => {
    const text = await websplat(["stack", "preview", acme], target);
    const machine = await websplat(["stack", "preview", acme, "--json"], target);

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${acme}: .*same \\d`, "m"));
    expect(text.stdout).toMatch(/^\s+same\s+postgres role t_acme_/m);
    expect(json(machine)).toMatchObject({
      kind: "preview",
      status: "succeeded",
      result: { changes: expect.any(Object) },
    });
  });

  it("brings a stack up, refreshes it and cancels nothing in progress", async () => {
    for (const verb of ["up", "refresh", "cancel"]) {
      const result = await websplat(["stack", verb, acme, "--json"], target);
      expect(result.code, `${verb}: ${result.stdout}`).toBe(0);
      expect(json(result).status).toBe("succeeded");
    }
  });

  it("says so when there was no update in progress to cancel", async () => {
    const result = await websplat(["stack", "cancel", acme], target);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${acme}: No operation in progress for this tenant\n`);
  });

  it("acts on every tenant with a stack with --all", async () => {
    const result = await websplat(["stack", "refresh", "--all", "--json"], target);

    expect(result.code, result.stdout).toBe(0);
    const slugs = json(result).operations.map((operation: { slug: string }) => operation.slug);
    expect(slugs).toEqual(expect.arrayContaining([acme, globex]));
  });

  it("asks for a slug or --all", async () => {
    const result = await websplat(["stack", "preview"], target);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give a slug, or --all");
  });

  it("shows a stack's outputs and exports its state", async () => {
    const outputs = await websplat(["stack", "outputs", acme], target);
    const outputsJson = await websplat(["stack", "outputs", acme, "--json"], target);
    const file = join(scratch, "acme-stack.json");
    const exported = await websplat(["stack", "export", acme, "-o", file], target);

    expect(outputs.stdout).toMatch(new RegExp(`namespace\\s+t-${acme}`));
    expect(json(outputsJson)).toMatchObject({
      namespace: `t-${acme}`,
      databaseSchema: `t_${acme.replaceAll("-", "_")}`,
    });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`wrote the stack state of ${acme}`);
    expect(JSON.parse(await readFile(file, "utf8"))).toBeTypeOf("object");
  });
});

describe("websplat backup", () => {
  it("takes a backup, lists it, and restores it, following the restart of the runtime", async () => {
    const created = await websplat(["backup", "create", acme, "--json"], target);
    expect(created.code, created.stderr).toBe(0);
    const { backup } = json(created);
    expect(backup).toMatchObject({ slug: acme, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const listed = await websplat(["backup", "list", acme, "--json"], target);
    expect(listed.code).toBe(0);
    expect(json(listed).backups.map((each: { id: string }) => each.id)).toContain(backup.id);
    const table = await websplat(["backup", "list", acme], target);
    expect(table.stdout).toContain(backup.id);
    expect(table.stdout).toContain(backup.checksum.slice(0, 12));

    const restored = await websplat(
      ["backup", "restore", acme, "--backup", backup.id, "--yes", "--json"],
      target,
    );
    expect(restored.code, restored.stderr).toBe(0);
    const answer = json(restored);
    expect(answer).toMatchObject({
      target: acme,
      tables: backup.tables,
      operation: { status: "succeeded" },
      safetyBackup: { slug: acme },
    });
    const after = json(await websplat(["backup", "list", acme, "--json"], target));
    expect(after.backups.map((each: { id: string }) => each.id)).toContain(answer.safetyBackup.id);
  }, 60_000);

  const backupIds = async () =>
    json(await websplat(["backup", "list", acme, "--json"], target)).backups.map(
      (each: { id: string }) => each.id,
    );

  it("refuses to restore in place off a terminal without --yes, and changes nothing", async () => {
    const [latest] = await backupIds();
    const before = await backupIds();
    const result = await websplat(["backup", "restore", acme, "--backup", latest], target);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `replaces ${acme}'s current database and site files: add --yes to confirm`,
    );
    expect(await backupIds()).toEqual(before);
  }, 60_000);

  it("asks on a terminal, and a no restores nothing", async () => {
    const [latest] = await backupIds();
    const before = await backupIds();
    // `script` gives the CLI a terminal, as an operator's shell does; the answer is typed on it.
    const command = `${process.execPath} cli/websplat.mjs backup restore ${acme} --backup ${latest}`;
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: { ...process.env, NO_COLOR: "1", WEBSPLAT_URL: plane.url, WEBSPLAT_ADMIN_TOKEN: plane.adminToken },
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("[y/N]") && !child.stdin.writableEnded) child.stdin.end("n\n");
    });
    const [code] = await once(child, "close");

    expect(output).toContain(`Restore ${latest} into ${acme}?`);
    expect(output).toContain(`nothing restored: ${acme} is unchanged`);
    expect(code).toBe(1);
    expect(await backupIds()).toEqual(before);
  }, 60_000);

  it("restores in place once confirmed, after a safety backup whose id it prints", async () => {
    const [latest] = await backupIds();
    const result = await websplat(["backup", "restore", acme, "--backup", latest, "--yes"], target);

    expect(result.code, result.stderr).toBe(0);
    const safety = /safety backup (\S+) taken; to undo the restore: websplat backup restore/.exec(
      result.stdout,
    )?.[1];
    expect(safety).toBeDefined();
    expect(await backupIds()).toContain(safety);
  }, 60_000);

  it("shows progress while it takes a backup", async () => {
    const result = await websplat(["backup", "create", acme], target);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`backing up ${acme}: done in \\S+`));
    expect(result.stdout).toMatch(/^id\s+\S+/m);
  }, 60_000);

  it("says a backup of an unknown tenant cannot be taken because the tenant does not exist", async () => {
    const result = await websplat(["backup", "create", `nobody-${run}`, "--json"], target);

    expect(result.code).toBe(1);
    expect(json(result).error.code).not.toBe("backups_unsupported");
  });
});

describe("websplat tokens", () => {
  it("refuses a second token with the name of one still valid", async () => {
    const name = `deploy ${run}`;
    const first = await websplat(["tokens", "create", name, "--json"], target);
    const second = await websplat(["tokens", "create", name], target);

    expect(first.code, first.stderr).toBe(0);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `error: an admin token named "${name}" already exists (${json(first).id}); choose another name`,
    );
  });
});

describe("websplat against the wrong control plane", () => {
  it("says the admin token was refused and where to find the right one", async () => {
    const result = await websplat(["tenants", "list"], { url: plane.url, adminToken: "not-the-token" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refused the admin token — set WEBSPLAT_ADMIN_TOKEN");
  });

  it("reads the admin token from the data dir when the variable is not set", async () => {
    const dataDir = join(scratch, "data");
    await mkdir(dataDir);
    await writeFile(join(dataDir, "admin-token"), `${plane.adminToken}\n`);

    const result = await websplat(["tenants", "list", "--json"], {
      url: plane.url,
      env: { WEBSPLAT_ADMIN_TOKEN: "", WEBSPLAT_DATA_DIR: dataDir },
    });

    expect(result.code, result.stdout).toBe(0);
    expect(json(result).tenants).toEqual(expect.any(Array));
  });
});
