import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant } from "../support/control-plane.ts";
import { alive } from "../support/processes.ts";
import { waitFor } from "../support/wait.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const asRoot = process.getuid?.() === 0;

/** The repository's files as a fresh clone has them, plus node_modules hard-linked (what `npm ci` would put there). */
function placeClone(target: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  execFileSync("mkdir", ["-p", target]);
  execFileSync("sh", ["-c", `tar --null -T - -cf - | tar -xf - -C "${target}"`], { cwd: ROOT, input: files });
  execFileSync("cp", ["-al", join(ROOT, "node_modules"), join(target, "node_modules")]);
}

/**
 * Containers and CI run as root with the clone in a mode-700 folder (/root, `mktemp -d`): PostgreSQL and the
 * tenant runtimes run as unprivileged users there, and must still find binaries, data and code they can reach.
 */
describe.skipIf(!asRoot)("a clone in a mode-700 folder, started as root", () => {
  let private700: string;
  let clone: string;
  let child: ChildProcess;
  let output = "";
  let url = "";
  let adminToken = "";
  let runtimePid = 0;

  beforeAll(async () => {
    private700 = await mkdtemp(join(tmpdir(), "websplat-private-"));
    expect((await stat(private700)).mode & 0o777).toBe(0o700);
    clone = join(private700, "p");
    placeClone(clone);
    child = spawn("npm", ["start"], {
      cwd: clone,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr!.on("data", (chunk) => {
      output += chunk;
    });
    url = await waitFor(() => /Signup:\s+(http:\/\/\S+?)\/\s/.exec(output)?.[1], {
      timeoutMs: 90_000,
      what: `npm start to print the signup URL; output so far:\n${output}`,
    });
    adminToken = /Admin token:\s+(\S+)/.exec(output)![1]!;
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    const cluster = existsSync(join(clone, ".data/postgres"))
      ? execFileSync("readlink", ["-f", join(clone, ".data/postgres")], { encoding: "utf8" }).trim()
      : null;
    await rm(private700, { recursive: true, force: true });
    if (cluster?.startsWith("/var/lib/websplat/")) await rm(cluster, { recursive: true, force: true });
  });

  it("npm start runs PostgreSQL from places its user can reach, and says so in one line", async () => {
    const notes = output.split("\n").filter((line) => line.includes('system user "postgres"'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/binaries are copied to \/var\/lib\/websplat\/postgres\/bin-/);
    expect(notes[0]).toMatch(/cluster lives in \/var\/lib\/websplat\/postgres\/clusters\//);
    expect(output).not.toMatch(/EACCES|Permission denied|could not start/);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("a tenant provisioned there serves its runtime", async () => {
    const admin = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
    const created = await fetch(`${url}/admin/tenants`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ slug: "private-clone", email: "owner@example.com", tier: "starter" }),
    });
    expect(created.status).toBeLessThan(300);
    const port = Number(new URL(url).port);
    await waitFor(
      async () => {
        const response = await fetch(`${url}/admin/tenants/private-clone`, { headers: admin });
        const body = (await response.json()) as { status?: string; lastError?: unknown };
        if (body.status === "failed") throw new Error(JSON.stringify(body.lastError));
        return body.status === "active";
      },
      { timeoutMs: 90_000, what: "the tenant to become active" },
    );
    const health = await fetchTenant({ port }, "private-clone", "/healthz");
    expect(health.status).toBe(200);
    const tenant = (await (await fetch(`${url}/admin/tenants/private-clone`, { headers: admin })).json()) as {
      outputs: { details: { pid: number } };
    };
    runtimePid = tenant.outputs.details.pid;
    expect(alive(runtimePid)).toBe(true);
  }, 120_000);

  it("SIGTERM to npm stops the control plane, the runtimes and PostgreSQL, and leaves nothing running", async () => {
    const postmaster = readFileSync(join(clone, ".data/postgres/postmaster.pid"), "utf8").split("\n")[0];
    const exited = new Promise<number | null>((resolveExit) =>
      child.once("exit", (code) => resolveExit(code)),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await waitFor(() => output.includes("Stopped."), { timeoutMs: 30_000, what: "Stopped." });
    expect(alive(Number(postmaster))).toBe(false);
    expect(alive(runtimePid)).toBe(false);
  }, 60_000);

  it("the test suite's global setup starts its PostgreSQL there too", () => {
    const result = spawnSync("npx", ["vitest", "run", "--project", "unit", "tests/unit/core-pure.test.ts"], {
      cwd: clone,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CI: "true" },
      encoding: "utf8",
      timeout: 120_000,
    });
    const printed = `${result.stdout}${result.stderr}`;
    expect(printed).not.toMatch(/EACCES|Permission denied/);
    expect(printed).toMatch(/binaries are copied to \/var\/lib\/websplat\/postgres\/bin-/);
    expect(result.status, printed).toBe(0);
  }, 150_000);
});
