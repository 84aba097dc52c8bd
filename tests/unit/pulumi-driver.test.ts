import { mkdir, mkdtemp, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment, OutputMap } from "@pulumi/pulumi/automation/index.js";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { type OperationContext, StackError } from "../../stacks/driver.ts";
import {
  CLI_MISSING_MESSAGE,
  createPulumiDriver,
  type PulumiDriverOptions,
  type RunOptions,
  type StackRequest,
  type StackWorkspaces,
  type WorkspaceStack,
} from "../../stacks/pulumi/index.ts";
import { PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
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
  /** Plugins present in PULUMI_HOME (baked into the image): all of them unless a test says otherwise. */
  installed = ["kubernetes@4.34.2", "postgresql@3.18.1", "cloudflare@6.22.1", "random@4.21.2"];
  backend: () => Promise<string> = async () => "s3://websplat-state/tenants";
  /** Environment of the CLI runs at boot. */
  bootEnv: Record<string, string>[] = [];
  /** The stack's state as exported; recovery imports a new one. */
  state: Deployment = { version: 3, deployment: { resources: [] } };
  readonly imported: Deployment[] = [];
  readonly policyPacks: (string[] | undefined)[] = [];
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
  async installedPlugins(request: { envVars: Record<string, string> }) {
    this.calls.push("plugin ls");
    this.bootEnv.push(request.envVars);
    return this.installed;
  }
  async checkBackend(request: { envVars: Record<string, string> }) {
    this.calls.push("whoami");
    this.bootEnv.push(request.envVars);
    return this.backend();
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
      up: (options) => {
        this.policyPacks.push(options.policyPacks);
        return engine("up", options, { outputs: TENANT_OUTPUTS });
      },
      preview: (options) => {
        this.policyPacks.push(options.policyPacks);
        return engine("preview", options, { changeSummary: { create: 14, same: 0 } });
      },
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
      exportStack: async () => this.state,
      importStack: async (state) => {
        this.calls.push("import");
        this.imported.push(state);
        this.state = state;
      },
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
    const pulumi = driver();
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
    expect(workspaces.calls).toEqual(["plugin ls", "whoami", "select", "create", "up"]);
    const config = workspaces.configs[0] as Record<string, { value: string; secret?: boolean }>;
    expect(JSON.parse(config["websplat:spec"]?.value ?? "{}")).toMatchObject({ slug: "acme", tier: "pro" });
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
    const failure = await driver({ concurrentUpdateAttempts: 3, breakStaleLocks: false })
      .up(spec, recordingContext().ctx)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StackError);
    expect(failure).toMatchObject({ code: "concurrent_update", retryable: true });
  });

  test("after a crash in this pod cancels the dead update and refreshes before updating", async () => {
    workspaces.stacks.add("acme");
    await mkdir(join(workRoot, "acme.up.a1b2c3"), { recursive: true });
    const pulumi = driver();
    await pulumi.start();
    await pulumi.up(spec, recordingContext().ctx);
    expect(workspaces.calls.slice(2)).toEqual(["select", "cancel", "refresh", "up"]);
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
    expect(workspaces.calls).toEqual(["select", "create", "up", "cancel", "refresh", "up"]);
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
    expect(workspaces.calls.slice(-4)).toEqual(["select", "cancel", "refresh", "up"]);
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

/** A state left by an engine killed mid-update in another pod: creates half done. */
function interruptedState(): Deployment {
  const urn = (type: string, name: string) => `urn:pulumi:acme::websplat-tenant::${type}::${name}`;
  const pending = (type: string, name: string, inputs: Record<string, unknown>) => ({
    type: "creating",
    resource: { urn: urn(type, name), type, custom: true, inputs },
  });
  return {
    version: 3,
    deployment: {
      resources: [{ urn: urn("pulumi:pulumi:Stack", "websplat-tenant-acme"), type: "pulumi:pulumi:Stack" }],
      pending_operations: [
        pending("kubernetes:core/v1:Namespace", "acme-namespace", { metadata: { name: "t-acme" } }),
        pending("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "acme-manager", {
          metadata: { name: "websplat-tenant-manager", namespace: "t-acme" },
        }),
        pending("postgresql:index/role:Role", "acme-database-role", { name: "t_acme" }),
        pending("postgresql:index/schema:Schema", "acme-database-schema", {
          name: "t_acme",
          database: "websplat",
        }),
        pending("cloudflare:index/dnsRecord:DnsRecord", "acme-dns", {
          zoneId: "0123456789abcdef0123456789abcdef",
          name: "acme.websp.lat",
          type: "CNAME",
        }),
        pending("random:index/randomPassword:RandomPassword", "acme-database-password", { length: 40 }),
      ],
    },
  };
}

describe("the Pulumi driver in production conditions", () => {
  test("a tenant stack's config carries no secret, so no credential is passed on the CLI's command line", async () => {
    await driver().up(spec, recordingContext().ctx);
    const config = workspaces.configs[0] as Record<string, { value: string; secret?: boolean }>;
    expect(Object.values(config).filter((entry) => entry.secret)).toEqual([]);
    const values = JSON.stringify(config);
    for (const secret of ["secret@db.internal", "apiVersion: v1", '"token"']) {
      expect(values).not.toContain(secret);
    }
  });

  test("boot links the image's baked plugins into a writable PULUMI_HOME and downloads nothing", async () => {
    const home = join(workRoot, "home");
    const baked = join(workRoot, "baked-plugins");
    await mkdir(baked);
    await driver({ pulumiHome: home, bakedPluginDir: baked }).start();
    expect(workspaces.calls).toEqual(["plugin ls", "whoami"]);
    expect(await readlink(join(home, "plugins"))).toBe(baked);
    for (const env of workspaces.bootEnv) {
      expect(env).toMatchObject({ PULUMI_HOME: home, PULUMI_BACKEND_URL: "s3://websplat-state/tenants" });
    }
  });

  test("boot installs only the plugins the image lacks", async () => {
    workspaces.installed = ["kubernetes@4.34.2", "postgresql@3.18.1", "random@4.21.2"];
    await driver().start();
    expect(workspaces.calls).toEqual(["plugin ls", "plugins cloudflare", "whoami"]);
  });

  test("a state backend the pod cannot open stops boot with an error naming it, not at the first signup", async () => {
    workspaces.backend = () => Promise.reject(new Error("error: AccessDenied: s3://websplat-state"));
    const failure = await driver()
      .start()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StackError);
    expect(String((failure as Error).message)).toMatch(
      /state backend s3:\/\/websplat-state\/tenants.*PULUMI_BACKEND_URL/,
    );
  });

  test("every tenant update and preview runs the guardrails policy pack", async () => {
    const pulumi = driver({ policyPack: "/app/stacks/pulumi/guardrails" });
    await pulumi.up(spec, recordingContext().ctx);
    await pulumi.preview(spec, recordingContext().ctx);
    expect(workspaces.policyPacks).toEqual([
      ["/app/stacks/pulumi/guardrails"],
      ["/app/stacks/pulumi/guardrails"],
    ]);
  });

  test("a replaced pod finds the dead update in the stack's state and imports its creates instead of dropping them", async () => {
    workspaces.stacks.add("acme");
    workspaces.state = interruptedState();
    const lookups: string[] = [];
    const fakeCloudflare: typeof fetch = async (input, init) => {
      lookups.push(
        `${String(input)} ${(init?.headers as Record<string, string> | undefined)?.authorization}`,
      );
      return Response.json({ success: true, result: [{ id: "rec-123", name: "acme.websp.lat" }] });
    };
    const { ctx, lines } = recordingContext();
    await driver({ fetch: fakeCloudflare }).up(spec, ctx);
    expect(workspaces.calls).toEqual(["select", "cancel", "import", "refresh", "up"]);
    const imported = workspaces.imported[0]?.deployment;
    expect(imported.pending_operations).toEqual([]);
    const ids = Object.fromEntries(
      (imported.resources as Array<{ type: string; id?: string }>).map((resource) => [
        resource.type,
        resource.id,
      ]),
    );
    expect(ids).toEqual({
      "pulumi:pulumi:Stack": undefined,
      "kubernetes:core/v1:Namespace": "t-acme",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": "t-acme/websplat-tenant-manager",
      "postgresql:index/role:Role": "t_acme",
      "postgresql:index/schema:Schema": "websplat.t_acme",
      "cloudflare:index/dnsRecord:DnsRecord": "rec-123",
    });
    expect(lookups).toEqual([
      "https://api.cloudflare.com/client/v4/zones/0123456789abcdef0123456789abcdef/dns_records?name=acme.websp.lat&type=CNAME Bearer token",
    ]);
    expect(lines).toContain("info: Dropped the unfinished acme-database-password; it is created again.");
  });

  test("a stack lock left by a dead pod is cancelled after the retries instead of failing every reconcile with concurrent_update", async () => {
    workspaces.script.up = [1, 2, 3].map(() => () => Promise.reject(conflict()));
    const { ctx, lines } = recordingContext();
    await expect(driver({ concurrentUpdateAttempts: 3 }).up(spec, ctx)).resolves.toMatchObject({
      url: "https://acme.websp.lat",
    });
    expect(workspaces.calls.slice(-6)).toEqual(["up", "up", "up", "cancel", "refresh", "up"]);
    expect(lines.some((line) => line.includes("no live process runs; recovering it"))).toBe(true);
  });

  test("cancel waits for the tenant's lock, so it never cancels an update this pod is still running", async () => {
    let finish!: () => void;
    workspaces.stacks.add("acme");
    workspaces.script.up = [
      () =>
        new Promise((resolve) => {
          finish = () => resolve({ outputs: TENANT_OUTPUTS });
        }),
    ];
    const pulumi = driver();
    const update = pulumi.up(spec, recordingContext().ctx);
    // The update holds the lock once it has reached the engine, however long a busy machine takes to get there.
    await vi.waitFor(() => expect(finish).toBeTypeOf("function"));
    const cancel = pulumi.cancel("acme", recordingContext().ctx);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(workspaces.calls).not.toContain("cancel");
    finish();
    await update;
    await cancel;
    expect(workspaces.calls.slice(-2)).toEqual(["select", "cancel"]);
  });

  test("after a cluster rebuild every update refreshes first, with unreachable objects dropped, then recreates", async () => {
    workspaces.stacks.add("acme");
    await driver({ clusterRebuilt: true }).up(spec, recordingContext().ctx);
    expect(workspaces.calls).toEqual(["select", "refresh", "up"]);
    const config = workspaces.configs[0] as Record<string, { value: string }>;
    expect(config["websplat:deleteUnreachable"]?.value).toBe("true");
  });
});
