import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliTarget, json, websplat } from "../support/cli.ts";
import { useControlPlane, writeRuntimeEntry } from "../support/control-plane.ts";

const run = randomBytes(3).toString("hex");

let target: CliTarget;
let brokenRuntime: { dir: string; entry: string };

beforeAll(async () => {
  // Every tenant's runtime dies at start, so every provisioning fails with the supervisor's reason.
  brokenRuntime = await writeRuntimeEntry(
    'console.error("model key rejected by the provider"); process.exit(3);\n',
  );
});
const plane = useControlPlane(() => ({
  env: { WEBSPLAT_RUNTIME_ENTRY: brokenRuntime.entry, WEBSPLAT_RECONCILE_RETRIES: "0" },
}));
beforeAll(() => {
  target = { url: plane().url, adminToken: plane().adminToken };
});

afterAll(async () => {
  if (brokenRuntime) await rm(brokenRuntime.dir, { recursive: true, force: true });
});

describe("websplat when an operation fails", () => {
  it("exits 1 after a failed provisioning and prints the operation's error", async () => {
    const slug = `broken-${run}`;

    const result = await websplat(["tenants", "create", slug, "--email", `x@${slug}.test`], target);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`creating ${slug}: failed — .*the runtime exited \\(code 3\\) before it was ready`),
    );
    expect(result.stdout).toMatch(/status\s+failed/);
    expect(result.stdout).toMatch(/last error\s+\S+: .*before it was ready/);
  });

  it("answers the failed operation as JSON, still exiting 1", async () => {
    const slug = `broken-json-${run}`;

    const result = await websplat(["tenants", "create", slug, "--email", `x@${slug}.test`, "--json"], target);

    expect(result.code).toBe(1);
    const answer = json(result);
    expect(answer.operation).toMatchObject({
      status: "failed",
      error: { code: expect.any(String), message: expect.any(String) },
    });
    expect(answer.tenant.status).toBe("failed");
  });

  it("follows a failing operation's log to its end and exits 1", async () => {
    const slug = `broken-follow-${run}`;
    const started = json(
      await websplat(["tenants", "create", slug, "--email", `x@${slug}.test`, "--no-wait", "--json"], target),
    );

    const result = await websplat(["ops", "logs", started.operationId, "--follow"], target);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Provisioning ${slug}`);
    expect(result.stderr).toMatch(
      new RegExp(`operation ${started.operationId} failed — \\S+: .*before it was ready`),
    );
  });

  it("lists failed operations with their reason", async () => {
    const result = await websplat(["ops", "list", "--status", "failed"], target);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/reconcile\s+failed\s+\d+\s+.*before it was ready/);
  });
});
