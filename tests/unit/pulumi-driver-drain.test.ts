import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { TERMINATION_GRACE_SECONDS } from "../../infra/control-plane.ts";
import { OPERATION_TIMEOUT_MS, type OperationContext, SHUTDOWN_GRACE_MS } from "../../stacks/driver.ts";
import { createPulumiDriver, type StackWorkspaces, type WorkspaceStack } from "../../stacks/pulumi/index.ts";
import { PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
import { tenantSpec } from "../../tenant-template/index.ts";

/** A backend whose `up` runs until the test lets it finish, and says whether it was aborted. */
function slowUpdates() {
  let finish: () => void = () => {};
  let started: () => void = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const outcome: { aborted?: boolean } = {};
  const stack: WorkspaceStack = {
    setAllConfig: async () => {},
    up: async (options) => {
      started();
      await new Promise<void>((resolve, reject) => {
        finish = resolve;
        options.signal.addEventListener("abort", () => {
          // Only while it runs: the signal of a finished update may still fire later.
          outcome.aborted ??= true;
          reject(new Error("interrupted"));
        });
      });
      outcome.aborted ??= false;
      return { outputs: { url: { value: "https://acme.websp.lat", secret: false } } };
    },
    preview: async () => ({ changeSummary: {} }),
    refresh: async () => ({}),
    destroy: async () => ({}),
    cancel: async () => {},
    outputs: async () => ({}),
    exportStack: async () => ({ version: 3, deployment: { resources: [] } }),
    importStack: async () => {},
  };
  const workspaces: StackWorkspaces = {
    cliVersion: async () => "3.248.0",
    installPlugins: async () => {},
    installedPlugins: async () => [],
    checkBackend: async () => "file://state",
    createStack: async () => stack,
    selectStack: async () => stack,
  };
  return { workspaces, running, finish: () => finish(), outcome };
}

const ctx: OperationContext = { signal: new AbortController().signal, log: () => {} };
const spec = tenantSpec(
  { slug: "acme", tier: "pro", desired: "active", generation: 1, ownerEmail: "owner@example.com" },
  PLACEHOLDER_PLATFORM,
);
let workRoot: string;
beforeEach(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "websplat-drain-"));
});
afterEach(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

const driverWith = (workspaces: StackWorkspaces, drainTimeoutMs?: number) =>
  createPulumiDriver({
    backendUrl: "file://state",
    passphrase: "x",
    adminDatabaseUrl: "postgres://admin:pw@db.example:5432/websplat",
    cloudflare: { apiToken: "t", zoneId: "z" },
    workspaces,
    workRoot,
    drainTimeoutMs,
  });

test("a stopping control plane lets a running tenant update finish instead of aborting it", async () => {
  const backend = slowUpdates();
  const driver = driverWith(backend.workspaces);
  const update = driver.up(spec, ctx);
  await backend.running;
  let stopped = false;
  const stopping = driver.stop().then(() => {
    stopped = true;
  });
  // The stop waits on the update: it has not returned while the update runs.
  await new Promise((resolve) => setImmediate(resolve));
  expect(stopped).toBe(false);
  backend.finish();
  await expect(update).resolves.toMatchObject({ url: "https://acme.websp.lat" });
  await stopping;
  expect(backend.outcome.aborted).toBe(false);
});

test("an update still running when the drain time is up is aborted, to be recovered on the next update", async () => {
  const backend = slowUpdates();
  const driver = driverWith(backend.workspaces, 50);
  const update = driver.up(spec, ctx);
  await backend.running;
  await driver.stop();
  await expect(update).rejects.toMatchObject({ code: "aborted" });
  expect(backend.outcome.aborted).toBe(true);
});

test("the pod's grace period covers the control plane's shutdown wait, which covers a whole operation", () => {
  expect(SHUTDOWN_GRACE_MS).toBeGreaterThan(OPERATION_TIMEOUT_MS);
  expect(TERMINATION_GRACE_SECONDS * 1000).toBeGreaterThan(SHUTDOWN_GRACE_MS);
});
