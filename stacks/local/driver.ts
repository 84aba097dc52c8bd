import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type postgres from "postgres";
import { databaseName, namespaceName, type TenantSpec } from "../../tenant-template/index.ts";
import {
  type LocalRuntimes,
  type OperationContext,
  type StackDriver,
  StackError,
  type StackOutputs,
  type StackPreview,
} from "../driver.ts";
import {
  dropTenantDatabase,
  ensureTenantDatabase,
  tenantDatabaseExists,
  tenantPassword,
} from "./database.ts";
import { canReach, runningAsRoot, sharedStateDir } from "./os-user.ts";
import { bundledRuntime } from "./runtime-bundle.ts";
import { publishNode, publishRuntimeCode } from "./runtime-code.ts";
import { RuntimeUsers } from "./runtime-users.ts";
import { type RuntimeStatus, RuntimeSupervisor } from "./supervisor.ts";

export interface LocalDriverOptions {
  /** Superuser (or CREATEROLE) connection to the database tenants live in. */
  sql: postgres.Sql;
  databaseName: string;
  /** Host and port tenants' runtimes connect to. */
  databaseHost: string;
  databasePort: number;
  /** Root of the driver's files: `stacks/` (last outputs) and `runtimes/` (state files and logs). */
  dataDir: string;
  /** Derives each tenant's database password. */
  secret: string;
  nodePath: string;
  runtimeEntry: string;
  /** What runtimes inherit from the machine (PATH, HOME, locale…). */
  machineEnv?: Record<string, string>;
  readyTimeoutMs?: number;
  /**
   * Scale to zero: a runtime that served nothing for this long is stopped, and the next request wakes it.
   * 0 keeps every active runtime running.
   */
  idleSeconds?: number;
  /** Whether the tenant has work in progress that must not be cut short by an idle stop. */
  isBusy?: (slug: string) => Promise<boolean>;
  onRuntimeEvent?: (slug: string, event: string, detail?: string) => void;
  /** Further secrets of a tenant's runtime (its publishing credential and where to publish). */
  runtimeSecrets?: (slug: string) => Record<string, string>;
  /** Secret environment a runtime gets from the platform (its tenant API URL and credential). */
  platformEnv?: (slug: string) => Record<string, string>;
}

interface StackRecord {
  spec: TenantSpec;
  outputs: StackOutputs;
  updatedAt: string;
}

/** DESIGN §5 "Locally": the TenantSpec made real on this machine. */
export class LocalDriver implements StackDriver {
  readonly kind = "local" as const;
  readonly runtimes: LocalRuntimes;
  readonly #supervisor: RuntimeSupervisor;
  readonly #options: LocalDriverOptions;
  readonly #inFlight = new Map<string, AbortController>();
  #idleTimer: NodeJS.Timeout | null = null;
  #starting: Promise<void> = Promise.resolve();
  readonly #users: RuntimeUsers | null;
  readonly #notes: string[] = [];

  constructor(options: LocalDriverOptions) {
    this.#options = options;
    const runtimesDir = join(options.dataDir, "runtimes");
    this.#users = runningAsRoot()
      ? new RuntimeUsers({ dataDir: options.dataDir, runtimesDir, key: this.#stateKey })
      : null;
    this.#supervisor = new RuntimeSupervisor({
      dir: runtimesDir,
      nodePath: options.nodePath,
      entry: options.runtimeEntry,
      readyTimeoutMs: options.readyTimeoutMs,
      machineEnv: options.machineEnv,
      onEvent: options.onRuntimeEvent,
      ...(this.#users ? { runtimeUser: (slug: string) => this.#users!.for(slug) } : {}),
    });
    const supervisor = this.#supervisor;
    this.runtimes = {
      wakeOnDemand: this.#wakesOnDemand,
      notes: this.#notes,
      route: (slug) => supervisor.route(slug),
      wake: (slug, timeoutMs) => this.#wake(slug, timeoutMs),
      activity: (slug) => supervisor.activity(slug),
      state: (slug) => {
        const status = supervisor.status(slug);
        return status ? { ...status } : null;
      },
      stop: (slug) => supervisor.stop(slug),
      crashLooping: (withinMs) => {
        const since = Date.now() - withinMs;
        return supervisor.known().filter((slug) => {
          const status = supervisor.status(slug);
          const lastExit = status?.lastExit ? Date.parse(status.lastExit.at) : 0;
          return status !== null && status.crashLoop >= 3 && lastExit > since;
        }).length;
      },
    };
  }

  async start(): Promise<void> {
    this.#starting = this.#adoptAndRestart();
    await this.#starting;
    const idleMs = (this.#options.idleSeconds ?? 0) * 1000;
    if (idleMs > 0) {
      this.#idleTimer = setInterval(
        () => void this.#stopIdle(idleMs),
        Math.min(15_000, Math.max(250, idleMs / 4)),
      );
      this.#idleTimer.unref();
    }
  }

  /** Folder name under the shared state dir for this data dir's runtimes (homes, code copy). */
  get #stateKey(): string {
    return createHash("sha256").update(resolve(this.#options.dataDir)).digest("hex").slice(0, 16);
  }

  /**
   * What runtimes execute. The project's own runtime runs as a bundle (runtime-bundle.ts) built into a folder
   * they can read; another entry (`WEBSPLAT_RUNTIME_ENTRY`) runs as given. Runtimes running as users of their own
   * must also reach Node and any other entry: when the clone sits in a private tree, those come from copies in
   * the shared state dir (said in `notes`).
   */
  async #prepareRuntimeCode(): Promise<void> {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
    const { nodePath, runtimeEntry } = this.#options;
    const probe = this.#users ? await this.#users.for(".probe") : null;
    const reachable = (path: string, test: "-x" | "-r") => !probe || canReach(path, probe, test);
    if (resolve(runtimeEntry) === join(root, "agent-runtime", "main.ts")) {
      const entry = await bundledRuntime({ root, cacheDir: await this.#bundleCache(root) });
      if (reachable(nodePath, "-x")) {
        this.#supervisor.useCode({ nodePath, entry });
        return;
      }
      const shared = await sharedStateDir("runtime-code", this.#stateKey);
      this.#supervisor.useCode({ nodePath: await publishNode(nodePath, shared), entry });
      this.#notes.push(
        `Tenant runtimes run as users of their own, which cannot reach this private folder: they run Node from ${join(shared, "bin")}.`,
      );
      return;
    }
    if (reachable(nodePath, "-x") && reachable(runtimeEntry, "-r")) return;
    const code = await publishRuntimeCode({ root, nodePath, entry: runtimeEntry, key: this.#stateKey });
    this.#supervisor.useCode(code);
    this.#notes.push(
      `Tenant runtimes run as users of their own, which cannot reach this private folder: they run from a copy of their code in ${dirname(code.nodePath).replace(/\/bin$/, "")}.`,
    );
  }

  /**
   * Where runtime bundles are kept: the shared state dir when runtimes run as users of their own (a clone may be
   * private), else beside the packages they are built from, shared by every data dir of this clone.
   */
  async #bundleCache(root: string): Promise<string> {
    if (this.#users) return await sharedStateDir("runtime-build");
    const beside = join(root, "node_modules", ".cache", "websplat-runtime");
    try {
      await mkdir(beside, { recursive: true });
      return beside;
    } catch {
      return join(this.#options.dataDir, "runtime-build");
    }
  }

  async #adoptAndRestart(): Promise<void> {
    await mkdir(this.#stacksDir, { recursive: true });
    await this.#prepareRuntimeCode();
    const adopted = await this.#supervisor.adopt(async (slug) => {
      const record = await this.#read(slug);
      return record && !record.spec.suspended ? this.#runtimeEnv(record.spec) : null;
    });
    // In the background: a request meanwhile waits for its own runtime's start (wake shares it), not for all.
    if (!this.#wakesOnDemand) void this.#restartNotAdopted(new Set(adopted));
  }

  /**
   * Without scale to zero every provisioned, unsuspended tenant serves after a restart: runtimes that could not be
   * kept (gone, or configured differently now) are started again at once.
   */
  async #restartNotAdopted(adopted: Set<string>): Promise<void> {
    const slugs = (await readdir(this.#stacksDir))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
    await Promise.all(
      slugs
        .filter((slug) => !adopted.has(slug))
        .map(async (slug) => {
          const record = await this.#read(slug);
          if (!record || record.spec.suspended) return;
          await this.#supervisor
            .ensureRunning(slug, this.#runtimeEnv(record.spec), () => {})
            .catch((error: Error) =>
              this.#options.onRuntimeEvent?.(
                slug,
                "crashed",
                `start after restart failed: ${error.message.split("\n")[0]}`,
              ),
            );
        }),
    );
  }

  /** True when an active tenant's runtime may be absent and is started by its next request. */
  get #wakesOnDemand(): boolean {
    return (this.#options.idleSeconds ?? 0) > 0;
  }

  /** `runtimes.wake`: the runtime may be idle, or not yet started since a restart. */
  async #wake(slug: string, timeoutMs: number): Promise<number | null> {
    // A request during start waits for adoption: starting a runtime now would orphan the one left running.
    await this.#starting;
    const port = this.#supervisor.route(slug);
    if (port !== null) return port;
    if (this.#supervisor.status(slug)) {
      return (await this.#supervisor.whenReady(slug, timeoutMs)) ? this.#supervisor.route(slug) : null;
    }
    const record = await this.#read(slug);
    if (!record || record.spec.suspended) return null;
    await this.#supervisor.ensureRunning(slug, this.#runtimeEnv(record.spec), () => {});
    this.#options.onRuntimeEvent?.(slug, "woken");
    return this.#supervisor.route(slug);
  }

  async #stopIdle(idleMs: number): Promise<void> {
    for (const slug of this.#supervisor.idle(idleMs)) {
      try {
        if (await this.#options.isBusy?.(slug)) {
          this.#supervisor.activity(slug)();
          continue;
        }
        if (!this.#supervisor.stillIdle(slug, idleMs)) continue;
        await this.#supervisor.stop(slug);
        this.#options.onRuntimeEvent?.(slug, "idle", `no request for ${Math.round(idleMs / 1000)} s`);
      } catch (error) {
        this.#options.onRuntimeEvent?.(slug, "crashed", `idle stop failed: ${(error as Error).message}`);
      }
    }
  }

  async up(spec: TenantSpec, ctx: OperationContext): Promise<StackOutputs> {
    return await this.#track(spec.slug, ctx, async (signal) => {
      ctx.log(`Ensuring database role and schema ${spec.database.schema}`);
      const { created } = await ensureTenantDatabase(this.#options.sql, spec, {
        password: this.#password(spec.slug),
        databaseName: this.#options.databaseName,
      });
      ctx.log(created ? "Database role and schema created" : "Database role and schema verified");
      signal.throwIfAborted();
      let runtime: RuntimeStatus | null = null;
      if (spec.suspended) {
        ctx.log("Suspended: stopping the agent runtime (data kept)");
        await this.#supervisor.stop(spec.slug);
      } else {
        const start = () =>
          this.#supervisor.ensureRunning(spec.slug, this.#runtimeEnv(spec), (line) => ctx.log(line));
        runtime = await (ctx.trace ? ctx.trace("runtime.start", start) : start());
        ctx.log(`Agent runtime serving on 127.0.0.1:${runtime.port}`);
        ctx.log(`Route ${spec.hostname} → 127.0.0.1:${runtime.port}`);
      }
      const outputs = this.#outputs(spec, runtime);
      await this.#write(spec.slug, { spec, outputs, updatedAt: new Date().toISOString() });
      return outputs;
    });
  }

  async destroy(slug: string, ctx: OperationContext): Promise<void> {
    await this.#track(slug, ctx, async () => {
      ctx.log("Stopping the agent runtime");
      await this.#supervisor.stop(slug);
      ctx.log("Dropping database schema and role");
      const name = databaseName(slug);
      await dropTenantDatabase(
        this.#options.sql,
        { slug, role: name, schema: name },
        this.#options.databaseName,
      );
      await this.#supervisor.removeLogs(slug);
      await rm(this.#stackFile(slug), { force: true });
      ctx.log("Removed the route and the stack record");
    });
  }

  async outputs(slug: string): Promise<StackOutputs | null> {
    const record = await this.#read(slug);
    if (!record) return null;
    return this.#outputs(record.spec, this.#supervisor.status(slug));
  }

  async preview(spec: TenantSpec, ctx: OperationContext): Promise<StackPreview> {
    const name = spec.database.schema;
    const exists = await tenantDatabaseExists(this.#options.sql, { role: name, schema: name });
    const running = this.#supervisor.route(spec.slug) !== null;
    const steps: string[] = [];
    const changes: Record<string, number> = { create: 0, update: 0, delete: 0, same: 0 };
    const plan = (kind: "create" | "update" | "delete" | "same", line: string) => {
      changes[kind] = (changes[kind] ?? 0) + 1;
      steps.push(`${kind} ${line}`);
    };
    plan(exists.role ? "same" : "create", `postgres role ${name}`);
    plan(exists.schema ? "same" : "create", `postgres schema ${name}`);
    if (spec.suspended) plan(running ? "delete" : "same", "agent runtime process (suspended)");
    else if (!running) plan("create", "agent runtime process");
    // Compared with what the process runs with, not with the last record: an adopted runtime may be outdated.
    else if (!this.#supervisor.runsWith(spec.slug, this.#runtimeEnv(spec)))
      plan("update", "agent runtime process (restart with new configuration)");
    else plan("same", "agent runtime process");
    plan(
      spec.suspended ? (running ? "delete" : "same") : running ? "same" : "create",
      `route ${spec.hostname}`,
    );
    for (const step of steps) ctx.log(step);
    return { changes, steps };
  }

  async refresh(slug: string, ctx: OperationContext): Promise<void> {
    const record = await this.#read(slug);
    const name = databaseName(slug);
    const exists = await tenantDatabaseExists(this.#options.sql, { role: name, schema: name });
    ctx.log(
      `role ${name}: ${exists.role ? "present" : "missing"}; schema ${name}: ${exists.schema ? "present" : "missing"}`,
    );
    const runtime = this.#supervisor.status(slug);
    ctx.log(
      `agent runtime: ${runtime ? `${runtime.state}${runtime.port ? ` on port ${runtime.port}` : ""}` : "not running"}`,
    );
    if (record) {
      await this.#write(slug, {
        ...record,
        outputs: this.#outputs(record.spec, runtime),
        updatedAt: new Date().toISOString(),
      });
    }
  }

  async cancel(slug: string, ctx: OperationContext): Promise<void> {
    const controller = this.#inFlight.get(slug);
    if (!controller) {
      ctx.log("No operation in progress for this tenant");
      return;
    }
    controller.abort(new StackError("aborted", "Cancelled by an operator."));
    ctx.log("Cancelled the operation in progress");
  }

  async export(slug: string): Promise<unknown> {
    const record = await this.#read(slug);
    if (!record)
      throw new StackError("not_found", `No stack for tenant "${slug}": it was never provisioned.`);
    const name = databaseName(slug);
    return {
      driver: "local",
      stack: record.spec.stack,
      updatedAt: record.updatedAt,
      spec: record.spec,
      outputs: record.outputs,
      database: await tenantDatabaseExists(this.#options.sql, { role: name, schema: name }),
      runtime: this.#supervisor.status(slug),
    };
  }

  async stop(): Promise<void> {
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    for (const controller of this.#inFlight.values())
      controller.abort(new StackError("aborted", "Shutting down."));
    await this.#supervisor.stopAll();
  }

  get #stacksDir(): string {
    return join(this.#options.dataDir, "stacks");
  }

  #stackFile(slug: string): string {
    return join(this.#stacksDir, `${slug}.json`);
  }

  async #read(slug: string): Promise<StackRecord | null> {
    try {
      return JSON.parse(await readFile(this.#stackFile(slug), "utf8")) as StackRecord;
    } catch {
      return null;
    }
  }

  async #write(slug: string, record: StackRecord): Promise<void> {
    await mkdir(this.#stacksDir, { recursive: true });
    const file = this.#stackFile(slug);
    await writeFile(`${file}.tmp`, JSON.stringify(record, null, 2));
    await rename(`${file}.tmp`, file);
  }

  #password(slug: string): string {
    return tenantPassword(this.#options.secret, slug);
  }

  #runtimeEnv(spec: TenantSpec): Record<string, string> {
    const url = new URL(`postgres://${this.#options.databaseHost}:${this.#options.databasePort}`);
    url.username = spec.database.role;
    url.password = this.#password(spec.slug);
    url.pathname = `/${this.#options.databaseName}`;
    const env: Record<string, string> = { ...spec.runtime.env, DATABASE_URL: url.toString() };
    Object.assign(env, this.#options.runtimeSecrets?.(spec.slug));
    Object.assign(env, this.#options.platformEnv?.(spec.slug));
    return env;
  }

  #outputs(spec: TenantSpec, runtime: RuntimeStatus | null): StackOutputs {
    return {
      url: spec.url,
      namespace: namespaceName(spec.slug),
      databaseSchema: spec.database.schema,
      databaseRole: spec.database.role,
      replicas: runtime?.state === "running" ? 1 : 0,
      details: {
        driver: "local",
        port: runtime?.port ?? null,
        pid: runtime?.pid ?? null,
        runtime: runtime ?? { state: !spec.suspended && this.#wakesOnDemand ? "idle" : "stopped" },
        logFile: `runtimes/${spec.slug}.log`,
      },
    };
  }

  /** One operation per tenant at a time, abortable by `cancel` and by the caller's signal. */
  async #track<T>(
    slug: string,
    ctx: OperationContext,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, ctx.signal]);
    this.#inFlight.set(slug, controller);
    try {
      signal.throwIfAborted();
      return await work(signal);
    } finally {
      if (this.#inFlight.get(slug) === controller) this.#inFlight.delete(slug);
    }
  }
}
