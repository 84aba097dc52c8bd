import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startWebsplat, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane, writeRuntimeEntry } from "../support/control-plane.ts";

const run = randomBytes(3).toString("hex");
const adminToken = `test-admin-${randomBytes(16).toString("hex")}`;

let plane: RunningControlPlane;
let runtimeDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  // A runtime that never becomes healthy keeps the provisioning running long enough to crash the
  // control plane under it; it leaves as soon as the process that started it is gone.
  const { dir, entry } = await writeRuntimeEntry(
    "const parent = process.ppid;\nsetInterval(() => { if (process.ppid !== parent) process.exit(0); }, 100);\n",
  );
  runtimeDir = dir;
  env = { WEBSPLAT_RUNTIME_ENTRY: entry, WEBSPLAT_RECONCILE_RETRIES: "0", WEBSPLAT_ADMIN_TOKEN: adminToken };
  plane = await startControlPlane({ env });
});

afterAll(async () => {
  // Killed, not stopped: a graceful stop would wait out the reconcile of the never-healthy runtime.
  await plane?.kill();
  await plane?.cleanup();
  await rm(runtimeDir, { recursive: true, force: true });
});

describe("websplat following an operation across a control plane crash", () => {
  it("reconnects where the stream stopped and reports the operation interrupted", async () => {
    const target = { url: plane.url, adminToken };
    const slug = `crash-${run}`;
    const started = json(
      await websplat(["tenants", "create", slug, "--email", `x@${slug}.test`, "--no-wait", "--json"], target),
    );
    const follow = startWebsplat(["ops", "logs", started.operationId, "--follow"], target);
    await follow.waitForOutput(/Starting the agent runtime/);

    await plane.kill();
    plane = await startControlPlane({
      env,
      dataDir: plane.dataDir,
      databaseUrl: plane.databaseUrl,
      port: plane.port,
    });
    const result = await follow.done;

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((line) => line.includes(`Provisioning ${slug}`))).toHaveLength(1);
    expect(lines.at(-1)).toContain("The control plane stopped during this operation");
    expect(result.stderr).toContain(`operation ${started.operationId} interrupted — interrupted:`);
  });
});
