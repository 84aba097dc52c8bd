import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../stacks/local/ports.ts";
import { RuntimeSupervisor } from "../../stacks/local/supervisor.ts";
import { alive } from "../support/processes.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

describe("a control plane killed between starting a runtime and recording its pid", () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("leaves a record from which the next start finds and stops the process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "websplat-orphan-"));
    dirs.push(dir);
    // What the killed control plane left: the record written before spawning, and the process it spawned.
    const launch = randomUUID();
    const port = await freePort();
    const orphan = spawn(process.execPath, [FIXTURE_RUNTIME], {
      env: {
        PATH: process.env.PATH ?? "",
        WEBSPLAT_TENANT: "or-a",
        WEBSPLAT_LAUNCH: launch,
        PORT: String(port),
      },
      stdio: "ignore",
    });
    children.push(orphan);
    await new Promise((ready) => orphan.once("spawn", ready));
    await writeFile(
      join(dir, "or-a.json"),
      JSON.stringify({ pid: null, launch, port, envHash: "whatever", startedAt: Date.now() }),
    );

    const supervisor = new RuntimeSupervisor({ dir, nodePath: process.execPath, entry: FIXTURE_RUNTIME });
    const adopted = await supervisor.adopt(async () => ({ WEBSPLAT_TENANT: "or-a" }));

    expect(adopted).toEqual([]);
    await expect.poll(() => alive(orphan.pid!), { timeout: 10_000 }).toBe(false);
    expect(await readdir(dir)).not.toContain("or-a.json");
    await supervisor.stopAll();
  }, 30_000);

  it("records the pid before the start can be interrupted, so a started runtime is adopted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "websplat-orphan-"));
    dirs.push(dir);
    const env = { WEBSPLAT_TENANT: "or-b" };
    const first = new RuntimeSupervisor({ dir, nodePath: process.execPath, entry: FIXTURE_RUNTIME });
    const status = await first.ensureRunning("or-b", env, () => {});

    // A second control plane on the same folder, the first one gone without stopping anything.
    const second = new RuntimeSupervisor({ dir, nodePath: process.execPath, entry: FIXTURE_RUNTIME });
    expect(await second.adopt(async () => env)).toEqual(["or-b"]);
    expect(second.status("or-b")).toMatchObject({ state: "running", pid: status.pid, adopted: true });
    await second.stopAll();
    expect(alive(status.pid!)).toBe(false);
  }, 30_000);
});
