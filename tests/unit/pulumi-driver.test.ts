import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputMap } from "@pulumi/pulumi/automation/index.js";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type OperationContext, StackError } from "../../stacks/driver.ts";
import {
  CLI_MISSING_MESSAGE,
  createPulumiDriver,
  type PulumiDriverOptions,
  type RunOptions,
  type StackRequest,
  type StackWorkspaces,
  type WorkspaceStack,
} from "../../stacks/pulumi.ts";
import { PLACEHOLDER_PLATFORM } from "../../tenant-template/render.ts";
import { type TenantSpec, tenantSpec } from "../../tenant-template/spec.ts";

/** An error shaped like the Automation API's (they are told apart by name). */
function pulumiError(name: string, stderr: string): Error {
  return Object.assign(new Error(`code: 255\n stderr: ${stderr}`), { name });
}

const conflict = () =>
  pulumiError("ConcurrentUpdateError", "error: [409] Conflict: Another update is currently in progress.");

type Step = (options: RunOptions) => Promise<unknown>;

const TENANT_OUTPUTS: OutputMap = {
  url: { value: "https://acme.websp.lat", secret: false },
  namespace: { value: "t-acme", secret: false },
  databaseSchema: { value: "t_acme", secret: false },
  databaseRole: { value: "t_acme", secret: false },
  replicas: { value: 1, secret: false },
  details: { value: { deployment: "agent-runtime", dnsRecordId: "rec-1" }, secret: false },
  databaseUrl: { value: "postgres://t_acme:hunter2@db/websplat", secret: true },
};

/** A Pulumi backend in memory: stacks exist across operations, each operation opens its own workspace. */
class FakeWorkspaces implements StackWorkspaces {
  readonly stacks = new Set<string>();
  readonly calls: string[] = [];
  readonly workDirs: string[] = [];
  readonly configs: Record<string, unknown>[] = [];
  /** Scripted results of the next engine operations, by kind; default: succeed. */
  readonly script: Record<string, Step[]> = {};
  cli: () => Promise<string> = async () => "3.248.0";
  /** Called before createStack, to stage a race. */
  beforeCreate?: (request: StackRequest) => void;
  running = 0;
  maxRunning = 0;

  cliVersion() {
    return this.cli();
  }
  async installPlugins(plugins: { name: string; version: string }[]) {
    this.calls.push(`plugins ${plugins.map((plugin) => plugin.name).join(",")}`);
  }
  async createStack(request: StackRequest) {
    this.calls.push("create");
    this.beforeCreate?.(request);
    if (this.stacks.has(request.stackName)) {
      throw pulumiError("StackAlreadyExistsError", `error: stack '${request.stackName}' already exists`);
    }
    this.stacks.add(request.stackName);
    return this.#stack(request);
  }
  async selectStack(request: StackRequest) {
    this.calls.push("select");
    if (!this.stacks.has(request.stackName)) {
      throw pulumiError("StackNotFoundError", `error: no stack named '${request.stackName}' found`);
    }
    return this.#stack(request);
  }

  #stack(request: StackRequest): WorkspaceStack {
    this.workDirs.push(request.workDir);
    const engine = async <T>(kind: string, options: RunOptions, fallback: T): Promise<T> => {
      this.calls.push(kind);
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        const step = this.script[kind]?.shift();
        if (step) return (await step(options)) as T;
        options.onOutput(`${kind}: done\n`);
        return fallback;
      } finally {
        this.running--;
      }
    };
    return {
      setAllConfig: async (config) => {
        this.configs.push(config);
      },
      up: (options) => engine("up", options, { outputs: TENANT_OUTPUTS }),
      preview: (options) => engine("preview", options, { changeSummary: { create: 14, same: 0 } }),
      refresh: (options) =>
        engine(`refresh${options.clearPendingCreates ? " --clear-pending-creates" : ""}`, options, {}),
      destroy: async (options) => {
        await engine(`destroy${options.remove ? " --remove" : ""}`, options, {});
        this.stacks.delete(request.stackName);
      },
      cancel: async () => {
        this.calls.push("cancel");
      },
      outputs: async () => TENANT_OUTPUTS,
      exportStack: async () => ({ version: 3, deployment: { resources: [] } }),
    };
  }
}

function recordingContext(signal = new AbortController().signal) {
  const lines: string[] = [];
  const ctx: OperationContext = {
    signal,
    log: (message, level = "info") => lines.push(`${level}: ${message}`),
  };
  return { ctx, lines };
}

const spec: TenantSpec = tenantSpec(
  { slug: "acme", tier: "pro", desired: "active", generation: 2, ownerEmail: "owner@example.com" },
  PLACEHOLDER_PLATFORM,
);

let workRoot: string;
let workspaces: FakeWorkspaces;

function driver(options: Partial<PulumiDriverOptions> = {}) {
  return createPulumiDriver({
    backendUrl: "s3://websplat-state/tenants",
    passphrase: "correct horse",
    kubeconfig: "apiVersion: v1\nkind: Config\n",
    adminDatabaseUrl: "postgres://admin:secret@db.internal:5432/websplat",
    cloudflare: { apiToken: "token", zoneId: "0123456789abcdef0123456789abcdef" },
    workRoot,
    workspaces,
    retryDelayMs: 1,
    ...options,
  });
}

beforeEach(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "websplat-pulumi-test-"));
  workspaces = new FakeWorkspaces();
});

afterEach(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

describe("the Pulumi driver", () => {
  test("creates the tenant's stack, configures it from the spec and maps its outputs", async () => {
    const pulumi = driver({ modelApiKey: "sk-test" });
    await pulumi.start();
    const { ctx, lines } = recordingContext();
    const outputs = await pulumi.up(spec, ctx);
    expect(outputs).toEqual({
      url: "https://acme.websp.lat",
      namespace: "t-acme",
      databaseSchema: "t_acme",
      databaseRole: "t_acme",
      replicas: 1,
      details: { deployment: "agent-runtime", dnsRecordId: "rec-1" },
    });
    expect(workspaces.calls).toEqual([
      "plugins kubernetes,postgresql,cloudflare,random",
      "select",
      "create",
      "up",
    ]);
    const config = workspaces.configs[0] as Record<string, { value: string; secret?: boolean }>;
    expect(JSON.parse(config["websplat:spec"]?.value ?? "{}")).toMatchObject({ slug: "acme", tier: "pro" });
    expect(config["websplat:kubeconfig"]?.secret).toBe(true);
    expect(config["websplat:modelApiKey"]).toEqual({ value: "sk-test", secret: true });
    expect(lines).toContain("info: up: done");
    expect(await pulumi.outputs("acme")).toEqual(outputs);
    expect(await pulumi.outputs("nobody")).toBeNull();
  });

  test("selects a stack another control plane created at the same moment", async () => {
    workspaces.beforeCreate = (request) => workspaces.stacks.add(request.stackName);
    const { ctx, lines } = recordingContext();
    await expect(driver().up(spec, ctx)).resolves.toMatchObject({ url: "https://acme.websp.lat" });
    expect(workspaces.calls).toEqual(["select", "create", "select", "up"]);
    expect(lines).toContain("info: Stack acme was created meanwhile; selecting it.");
  });

  test("retries an update that found the stack busy, then succeeds", async () => {
    workspaces.script.up = [() => Promise.reject(conflict()), () => Promise.reject(conflict())];
    const { ctx, lines } = recordingContext();
    await driver({ concurrentUpdateAttempts: 3 }).up(spec, ctx);
    expect(workspaces.calls.filter((call) => call === "up")).toHaveLength(3);
    expect(lines.filter((line) => line.startsWith("warn: Another update holds stack acme"))).toHaveLength(2);
  });

  test("gives up on a stack that stays busy with a retryable concurrent_update", async () => {
    workspaces.script.up = [1, 2, 3].map(() => () => Promise.reject(conflict()));
    const failure = await driver({ concurrentUpdateAttempts: 3 })
      .up(spec, recordingContext().ctx)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StackError);
    expect(failure).toMatchObject({ code: "concurrent_update", retryable: true });
  });

  test("after a crash cancels the dead update, refreshes with pending creates cleared, then updates", async () => {
    workspaces.stacks.add("acme");
    await mkdir(join(workRoot, "acme.up.a1b2c3"), { recursive: true });
    const pulumi = driver();
    await pulumi.start();
    await pulumi.up(spec, recordingContext().ctx);
    expect(workspaces.calls.slice(1)).toEqual(["select", "cancel", "refresh --clear-pending-creates", "up"]);
    workspaces.calls.length = 0;
    await pulumi.up(spec, recordingContext().ctx);
    expect(workspaces.calls).toEqual(["select", "up"]);
  });

  test("recovers when the engine reports operations left pending", async () => {
    workspaces.script.up = [
      () =>
        Promise.reject(
          pulumiError(
            "CommandError",
            "error: the current deployment has 1 resource(s) with pending operations",
          ),
        ),
    ];
    await driver().up(spec, recordingContext().ctx);
    expect(workspaces.calls).toEqual([
      "select",
      "create",
      "up",
      "cancel",
      "refresh --clear-pending-creates",
      "up",
    ]);
  });

  test("aborts an operation that outlives its timeout, and recovers the stack next time", async () => {
    const hang: Step = (options) =>
      new Promise((_resolve, reject) =>
        options.signal.addEventListener("abort", () => reject(options.signal.reason)),
      );
    workspaces.script.up = [hang];
    const pulumi = driver({ operationTimeoutMs: 50 });
    const failure = await pulumi.up(spec, recordingContext().ctx).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "timeout", retryable: true });
    await pulumi.up(spec, recordingContext().ctx);
    expect(workspaces.calls.slice(-4)).toEqual(["select", "cancel", "refresh --clear-pending-creates", "up"]);
  });

  test("an operation aborted by its caller fails as aborted", async () => {
    const controller = new AbortController();
    workspaces.script.up = [
      (options) => {
        controller.abort();
        return Promise.reject(options.signal.reason);
      },
    ];
    const failure = await driver()
      .up(spec, recordingContext(controller.signal).ctx)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "aborted" });
  });

  test("runs one update per stack at a time and caps updates across tenants", async () => {
    const slow: Step = (options) =>
      new Promise((resolve) => setTimeout(() => resolve({ outputs: TENANT_OUTPUTS }), 20, options));
    workspaces.script.up = Array.from({ length: 6 }, () => slow);
    const pulumi = driver({ maxConcurrentUpdates: 2 });
    const other = (slug: string) => ({ ...spec, slug, stack: slug });
    await Promise.all([
      pulumi.up(spec, recordingContext().ctx),
      pulumi.up(spec, recordingContext().ctx),
      pulumi.up(other("beta"), recordingContext().ctx),
      pulumi.up(other("gamma"), recordingContext().ctx),
      pulumi.up(other("delta"), recordingContext().ctx),
    ]);
    expect(workspaces.maxRunning).toBe(2);
  });

  test("previews the planned changes without applying them", async () => {
    workspaces.script.preview = [
      async (options) => {
        options.onEvent({
          sequence: 1,
          timestamp: 0,
          resourcePreEvent: {
            metadata: {
              op: "create",
              urn: "urn:pulumi:acme::websplat-tenant::kubernetes:apps/v1:Deployment::acme-runtime",
              type: "kubernetes:apps/v1:Deployment",
              provider: "",
            },
          },
        });
        return { changeSummary: { create: 1, same: 0 } };
      },
    ];
    const preview = await driver().preview(spec, recordingContext().ctx);
    expect(preview).toEqual({
      changes: { create: 1 },
      steps: ["create kubernetes:apps/v1:Deployment acme-runtime"],
    });
    expect(workspaces.calls).not.toContain("up");
  });

  test("destroys everything of the tenant and removes its stack; a second destroy is harmless", async () => {
    workspaces.stacks.add("acme");
    const pulumi = driver();
    await pulumi.destroy("acme", recordingContext().ctx);
    expect(workspaces.calls).toEqual(["select", "destroy --remove"]);
    const { ctx, lines } = recordingContext();
    await pulumi.destroy("acme", ctx);
    expect(lines).toContain("info: Tenant acme has no stack: nothing to destroy.");
  });

  test("exports a stack's state and says so clearly when there is none", async () => {
    workspaces.stacks.add("acme");
    const pulumi = driver();
    await expect(pulumi.export("acme")).resolves.toMatchObject({ version: 3 });
    await expect(pulumi.export("nobody")).rejects.toMatchObject({ code: "not_found" });
    await expect(pulumi.refresh("nobody", recordingContext().ctx)).rejects.toMatchObject({
      code: "not_found",
    });
  });

  test("gives every operation a fresh work dir and removes it, even after a failure", async () => {
    workspaces.script.up = [
      () => Promise.reject(pulumiError("CommandError", "error: kubernetes unreachable")),
    ];
    const pulumi = driver();
    const failure = await pulumi.up(spec, recordingContext().ctx).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: "failed",
      message: expect.stringContaining("kubernetes unreachable"),
    });
    await pulumi.up(spec, recordingContext().ctx);
    await pulumi.outputs("acme");
    expect(new Set(workspaces.workDirs).size).toBe(workspaces.workDirs.length);
    expect(workspaces.workDirs.every((dir) => dir.startsWith(workRoot))).toBe(true);
    expect(await readdir(workRoot)).toEqual([]);
  });

  test("names the missing Pulumi CLI and how to install it", async () => {
    workspaces.cli = () =>
      Promise.reject(
        pulumiError("CommandError", "Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"),
      );
    const failure = await driver()
      .start()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "cli_missing", message: CLI_MISSING_MESSAGE, retryable: false });
    expect(CLI_MISSING_MESSAGE).toMatch(/pulumi.*get\.pulumi\.com/s);
  });

  test("with the real Automation API and no CLI on PATH, fails with the same cli_missing error", async () => {
    const path = process.env.PATH;
    process.env.PATH = workRoot;
    try {
      const failure = await driver({ workspaces: undefined })
        .start()
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: "cli_missing", message: CLI_MISSING_MESSAGE });
    } finally {
      process.env.PATH = path;
    }
  });
});
