import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { RuntimeState } from "../driver.ts";
import { freePort } from "./ports.ts";

export interface RuntimeStatus {
  state: RuntimeState;
  pid: number | null;
  port: number | null;
  /** Restarts after unexpected exits since the runtime was last started on purpose. */
  restarts: number;
  /** Consecutive crashes: grows while the runtime crash-loops, reset once it stays up. */
  crashLoop: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  nextRestartAt: string | null;
  adopted: boolean;
}

interface Runtime {
  slug: string;
  env: Record<string, string>;
  envHash: string;
  status: RuntimeStatus;
  child: ChildProcess | null;
  /** Set while the runtime should be running; cleared by stop(). */
  wanted: boolean;
  ready: Promise<void> | null;
  restartTimer: NodeJS.Timeout | null;
  watchTimer: NodeJS.Timeout | null;
  startedAt: number;
  /** Last time a request reached it or left it. */
  lastActivity: number;
  /** Requests (and open streams) being served now. */
  inflight: number;
}

interface StateFile {
  /** Null while it is being started: the process, if one came up, is found by its launch id. */
  pid: number | null;
  /** Passed to the process as WEBSPLAT_LAUNCH: names it before its pid is known. */
  launch?: string;
  port: number;
  envHash: string;
  startedAt: number;
}

export interface SupervisorOptions {
  /** Folder for state files and logs. */
  dir: string;
  /** The Node binary and script of the agent runtime. */
  nodePath: string;
  entry: string;
  /** How long a runtime may take to answer /healthz. */
  readyTimeoutMs?: number;
  /**
   * What a runtime inherits from the machine (PATH, HOME, locale…), nothing of the control plane's own secrets.
   * @default nothing
   */
  machineEnv?: Record<string, string>;
  /** The OS user a tenant's runtime runs as (a control plane started as root); none: this process's user. */
  runtimeUser?: (slug: string) => Promise<{ uid: number; gid: number; home: string }>;
  onEvent?: (
    slug: string,
    event: "started" | "ready" | "crashed" | "restarted" | "stopped",
    detail?: string,
  ) => void;
}

const MAX_BACKOFF_MS = 30_000;
const HEALTHY_RESET_MS = 60_000;

/**
 * V8 flags for every runtime: a young generation of 1 MiB semi-spaces instead of V8's default (up to 16 MiB or
 * more each, kept resident once grown) takes tens of MiB off each runtime's RSS for a few more, short scavenges.
 */
export const RUNTIME_NODE_FLAGS = ["--max-semi-space-size=1"];

export class RuntimeSupervisor {
  #options: SupervisorOptions;
  readonly #runtimes = new Map<string, Runtime>();
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = { ...options };
  }

  /** Runs runtimes started from now on from this copy of Node and the runtime's code. */
  useCode(code: { nodePath: string; entry: string }): void {
    this.#options.nodePath = code.nodePath;
    this.#options.entry = code.entry;
  }

  logFile(slug: string): string {
    return join(this.#options.dir, `${slug}.log`);
  }

  status(slug: string): RuntimeStatus | null {
    return this.#runtimes.get(slug)?.status ?? null;
  }

  /** The loopback port serving `slug`, when its runtime is up. */
  route(slug: string): number | null {
    const runtime = this.#runtimes.get(slug);
    return runtime?.status.state === "running" ? runtime.status.port : null;
  }

  /** Resolves when `slug` is running (waiting through a start or restart); false when it is not wanted. */
  async whenReady(slug: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const runtime = this.#runtimes.get(slug);
      if (!runtime?.wanted) return false;
      if (runtime.status.state === "running") return true;
      if (runtime.ready)
        await Promise.race([runtime.ready.catch(() => {}), delay(Math.max(0, deadline - Date.now()))]);
      else await delay(50);
    }
    return this.#runtimes.get(slug)?.status.state === "running";
  }

  /** Starts the runtime unless it already runs with this environment; resolves once it answers /healthz. */
  async ensureRunning(
    slug: string,
    env: Record<string, string>,
    log: (line: string) => void,
  ): Promise<RuntimeStatus> {
    const envHash = hashEnv(env);
    let runtime = this.#runtimes.get(slug);
    if (runtime && runtime.envHash !== envHash && runtime.wanted) {
      log("Runtime configuration changed: restarting it");
      this.#replace(runtime, env, envHash);
    }
    if (!runtime) {
      runtime = newRuntime(slug, env, envHash);
      this.#runtimes.set(slug, runtime);
    }
    runtime.wanted = true;
    runtime.env = env;
    runtime.envHash = envHash;
    if (runtime.status.state === "running") return runtime.status;
    if (!runtime.ready) {
      if (runtime.restartTimer) clearTimeout(runtime.restartTimer);
      runtime.restartTimer = null;
      log("Starting the agent runtime");
      runtime.ready = this.#start(runtime);
    }
    await runtime.ready;
    return runtime.status;
  }

  /** Whether `slug` runs now with exactly this environment. */
  runsWith(slug: string, env: Record<string, string>): boolean {
    const runtime = this.#runtimes.get(slug);
    return runtime?.status.state === "running" && runtime.envHash === hashEnv(env);
  }

  /** Stops the runtime and forgets it (its log is kept). */
  async stop(slug: string): Promise<void> {
    const runtime = this.#runtimes.get(slug);
    if (!runtime) {
      await this.#killFromStateFile(slug);
      return;
    }
    runtime.wanted = false;
    if (runtime.restartTimer) clearTimeout(runtime.restartTimer);
    if (runtime.watchTimer) clearInterval(runtime.watchTimer);
    const pid = runtime.status.pid;
    if (pid) await terminate(pid);
    runtime.status = { ...runtime.status, state: "stopped", pid: null, port: null, nextRestartAt: null };
    this.#runtimes.delete(slug);
    await rm(this.#stateFile(slug), { force: true });
    this.#options.onEvent?.(slug, "stopped");
  }

  async removeLogs(slug: string): Promise<void> {
    await rm(this.logFile(slug), { force: true });
  }

  /** Re-attaches runtimes left running by a previous control plane; stale state files are removed. */
  async adopt(isWanted: (slug: string) => Promise<Record<string, string> | null>): Promise<string[]> {
    await mkdir(this.#options.dir, { recursive: true });
    const adopted: string[] = [];
    for (const file of await readdir(this.#options.dir)) {
      // State files are named by slug; anything else in the folder is not a runtime's.
      if (!/^[a-z][a-z0-9-]*\.json$/.test(file)) continue;
      const slug = file.slice(0, -5);
      const state = await this.#readState(slug);
      // A control plane killed while spawning leaves a record without a pid: stop what it started, if anything.
      if (state && state.pid === null) {
        const orphan = state.launch ? findLaunch(state.launch) : null;
        if (orphan !== null) {
          await terminate(orphan);
          this.#options.onEvent?.(slug, "stopped", "left starting by an earlier start");
        }
        await rm(this.#stateFile(slug), { force: true });
        continue;
      }
      const env = await isWanted(slug);
      // Kept only when it runs with the configuration it would get now (a new Postgres port changes it).
      const current = env !== null && state !== null && hashEnv(env) === state.envHash;
      // Kept only when it runs as the tenant's own user: a runtime started under another uid may share it with
      // another tenant's, and so read that one's environment.
      const ownUser =
        state?.pid && this.#options.runtimeUser
          ? processUid(state.pid) === (await this.#options.runtimeUser(slug)).uid
          : true;
      if (
        !state?.pid ||
        !env ||
        !current ||
        !ownUser ||
        !isAlive(state.pid) ||
        !(await healthy(state.port, slug))
      ) {
        if (state?.pid && isAlive(state.pid)) {
          await terminate(state.pid);
          this.#options.onEvent?.(
            slug,
            "stopped",
            env && !current
              ? "left by an earlier start with an outdated configuration"
              : !ownUser
                ? "left by an earlier start running as another user"
                : "left by an earlier start",
          );
        }
        await rm(this.#stateFile(slug), { force: true });
        continue;
      }
      const runtime = newRuntime(slug, env, state.envHash);
      runtime.wanted = true;
      runtime.startedAt = state.startedAt;
      runtime.status = {
        ...runtime.status,
        state: "running",
        pid: state.pid,
        port: state.port,
        adopted: true,
      };
      this.#runtimes.set(slug, runtime);
      this.#watchAdopted(runtime);
      adopted.push(slug);
    }
    return adopted;
  }

  /** Stops every runtime (shutdown). */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#runtimes.keys()].map((slug) => this.stop(slug)));
  }

  /** Marks a request to `slug` as started; call the returned function once it is done (idempotent). */
  activity(slug: string): () => void {
    const runtime = this.#runtimes.get(slug);
    if (!runtime) return () => {};
    runtime.inflight += 1;
    runtime.lastActivity = Date.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      runtime.inflight = Math.max(0, runtime.inflight - 1);
      runtime.lastActivity = Date.now();
    };
  }

  /** Running runtimes that served nothing for `idleMs` and serve nothing now. */
  idle(idleMs: number): string[] {
    const cutoff = Date.now() - idleMs;
    return [...this.#runtimes.values()]
      .filter((r) => r.status.state === "running" && r.inflight === 0 && r.lastActivity < cutoff)
      .map((r) => r.slug);
  }

  /** Whether `slug` is still idle since `idleMs` (checked again right before stopping it). */
  stillIdle(slug: string, idleMs: number): boolean {
    return this.idle(idleMs).includes(slug);
  }

  /** Every runtime looked after, whatever its state (running, backing off after a crash, starting). */
  known(): string[] {
    return [...this.#runtimes.keys()];
  }

  running(): string[] {
    return [...this.#runtimes.values()].filter((r) => r.status.state === "running").map((r) => r.slug);
  }

  /**
   * Restarts a runtime with a new environment as one step: it leaves the routes at once (no request meets the
   * old process while it stops) and requests wait for the new one, as for any start.
   */
  #replace(runtime: Runtime, env: Record<string, string>, envHash: string): void {
    if (runtime.restartTimer) clearTimeout(runtime.restartTimer);
    if (runtime.watchTimer) clearInterval(runtime.watchTimer);
    runtime.restartTimer = null;
    runtime.watchTimer = null;
    const pid = runtime.status.pid;
    const previous = runtime.ready;
    // Its exit is ours, not a crash.
    runtime.child = null;
    runtime.env = env;
    runtime.envHash = envHash;
    runtime.status = { ...runtime.status, state: "starting", pid: null, port: null, adopted: false };
    const replaced = (async () => {
      await previous?.catch(() => {});
      if (pid) await terminate(pid);
      if (runtime.wanted && this.#runtimes.get(runtime.slug) === runtime) await this.#start(runtime);
    })();
    runtime.ready = replaced;
    void replaced.then(
      () => {
        if (runtime.ready === replaced) runtime.ready = null;
      },
      () => {
        if (runtime.ready === replaced) runtime.ready = null;
      },
    );
  }

  async #start(runtime: Runtime): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#spawn(runtime);
          return;
        } catch (error) {
          // A port taken between choosing and binding is the one failure worth an immediate second try.
          if (attempt >= 2 || !String(error).includes("EADDRINUSE")) throw error;
        }
      }
    } finally {
      runtime.ready = null;
    }
  }

  async #spawn(runtime: Runtime): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true });
    const port = await freePort();
    // Opened here and handed over: the runtime writes its log without being able to open (or read) any other.
    const logFd = openSync(this.logFile(runtime.slug), "a", 0o600);
    const user = (await this.#options.runtimeUser?.(runtime.slug)) ?? null;
    const launch = randomUUID();
    const env: Record<string, string> = { ...this.#options.machineEnv, WEBSPLAT_LAUNCH: launch };
    // A compile cache makes the second start onwards skip compiling (and type-stripping): one shared by every
    // runtime of this process's user, or each runtime's own when runtimes run as users of their own.
    Object.assign(env, runtime.env, {
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_COMPILE_CACHE: user
        ? join(user.home, ".compile-cache")
        : join(this.#options.dir, ".compile-cache"),
      ...(user ? { HOME: user.home } : {}),
    });
    // Recorded before the process exists and again, synchronously, once its pid is known: a control plane killed at
    // any moment of a start leaves a record from which the next one finds (and stops) what it started.
    runtime.startedAt = Date.now();
    const record = (pid: number | null) =>
      writeFileSync(
        this.#stateFile(runtime.slug),
        JSON.stringify({
          pid,
          launch,
          port,
          envHash: runtime.envHash,
          startedAt: runtime.startedAt,
        } satisfies StateFile),
      );
    record(null);
    const child = spawn(this.#options.nodePath, [...RUNTIME_NODE_FLAGS, this.#options.entry], {
      ...(user ? { uid: user.uid, gid: user.gid, cwd: user.home } : {}),
      env,
      stdio: ["ignore", logFd, logFd],
      // Own process group: a terminal's Ctrl-C reaches the control plane, which then stops runtimes in order.
      detached: true,
    });
    if (child.pid) record(child.pid);
    closeSync(logFd);
    runtime.child = child;
    runtime.status = { ...runtime.status, state: "starting", pid: child.pid ?? null, port, adopted: false };
    this.#options.onEvent?.(runtime.slug, "started", `pid ${child.pid}, port ${port}`);

    const exited = new Promise<never>((_, reject) => {
      child.once("exit", (code, signal) => {
        reject(new Error(`the runtime exited (${signal ?? `code ${code}`}) before it was ready`));
      });
      child.once("error", reject);
    });
    exited.catch(() => {});
    try {
      await Promise.race([waitHealthy(port, runtime.slug, this.#options.readyTimeoutMs ?? 30_000), exited]);
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) await terminate(child.pid!);
      runtime.child = null;
      runtime.status = { ...runtime.status, state: "stopped", pid: null, port: null };
      await rm(this.#stateFile(runtime.slug), { force: true });
      const tail = await logTail(this.logFile(runtime.slug));
      throw new Error(`${(error as Error).message}${tail ? `; last log lines:\n${tail}` : ""}`);
    }
    child.on("exit", (code, signal) => this.#exited(runtime, child, code, signal));
    runtime.status = { ...runtime.status, state: "running" };
    this.#options.onEvent?.(runtime.slug, "ready", `port ${port}`);
  }

  #exited(runtime: Runtime, child: ChildProcess, code: number | null, signal: string | null): void {
    if (runtime.child !== child) return;
    runtime.child = null;
    this.#crashed(runtime, code, signal);
  }

  #crashed(runtime: Runtime, code: number | null, signal: string | null): void {
    if (!runtime.wanted || this.#stopping || this.#runtimes.get(runtime.slug) !== runtime) return;
    const ranFor = Date.now() - runtime.startedAt;
    const crashLoop = ranFor > HEALTHY_RESET_MS ? 1 : runtime.status.crashLoop + 1;
    const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (crashLoop - 1));
    runtime.status = {
      ...runtime.status,
      state: "backoff",
      pid: null,
      port: null,
      crashLoop,
      lastExit: { code, signal, at: new Date().toISOString() },
      nextRestartAt: new Date(Date.now() + backoff).toISOString(),
    };
    this.#options.onEvent?.(
      runtime.slug,
      "crashed",
      `exit ${signal ?? code}; restart ${crashLoop} in ${Math.round(backoff / 100) / 10} s`,
    );
    runtime.restartTimer = setTimeout(() => {
      runtime.restartTimer = null;
      if (!runtime.wanted || this.#stopping) return;
      runtime.status.restarts += 1;
      runtime.ready = this.#start(runtime);
      runtime.ready.then(
        () => this.#options.onEvent?.(runtime.slug, "restarted"),
        (error: Error) => {
          this.#options.onEvent?.(runtime.slug, "crashed", error.message.split("\n")[0]);
          this.#crashed(runtime, null, null);
        },
      );
    }, backoff);
    runtime.restartTimer.unref();
  }

  /** An adopted runtime is not our child: watch its pid instead of waiting for an exit event. */
  #watchAdopted(runtime: Runtime): void {
    runtime.watchTimer = setInterval(() => {
      const pid = runtime.status.pid;
      if (runtime.status.state !== "running" || !pid || isAlive(pid)) return;
      if (runtime.watchTimer) clearInterval(runtime.watchTimer);
      runtime.watchTimer = null;
      this.#crashed(runtime, null, null);
    }, 1000);
    runtime.watchTimer.unref();
  }

  #stateFile(slug: string): string {
    return join(this.#options.dir, `${slug}.json`);
  }

  async #readState(slug: string): Promise<StateFile | null> {
    try {
      return JSON.parse(await readFile(this.#stateFile(slug), "utf8")) as StateFile;
    } catch {
      return null;
    }
  }

  async #killFromStateFile(slug: string): Promise<void> {
    const state = await this.#readState(slug);
    if (state?.pid && isAlive(state.pid) && (await healthy(state.port, slug))) await terminate(state.pid);
    else if (state && state.pid === null && state.launch) {
      const orphan = findLaunch(state.launch);
      if (orphan !== null) await terminate(orphan);
    }
    await rm(this.#stateFile(slug), { force: true });
  }
}

function newRuntime(slug: string, env: Record<string, string>, envHash: string): Runtime {
  return {
    slug,
    env,
    envHash,
    wanted: false,
    child: null,
    ready: null,
    restartTimer: null,
    watchTimer: null,
    startedAt: Date.now(),
    lastActivity: Date.now(),
    inflight: 0,
    status: {
      state: "stopped",
      pid: null,
      port: null,
      restarts: 0,
      crashLoop: 0,
      lastExit: null,
      nextRestartAt: null,
      adopted: false,
    },
  };
}

function hashEnv(env: Record<string, string>): string {
  const sorted = Object.keys(env)
    .sort()
    .map((key) => [key, env[key]]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
}

/**
 * The live process started with `WEBSPLAT_LAUNCH=<launch>`, read from /proc (Linux; a control plane as root reads
 * every runtime's, otherwise runtimes are its own user's). Null when none is, or where there is no /proc.
 */
function findLaunch(launch: string): number | null {
  const needle = `WEBSPLAT_LAUNCH=${launch}`;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(needle)) return Number(entry);
    } catch {
      // Gone, or another user's.
    }
  }
  return null;
}

/** The real uid process `pid` runs as (from /proc), or null when it is gone or unreadable. */
function processUid(pid: number): number | null {
  try {
    const line = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return line ? Number(line[1]) : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SIGTERM, then SIGKILL after a grace period. */
async function terminate(pid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await delay(25);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

async function healthy(port: number, slug: string): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    if (!response.ok) return false;
    const body = (await response.json()) as { tenant?: string };
    return body.tenant === slug;
  } catch {
    return false;
  }
}

async function waitHealthy(port: number, slug: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await healthy(port, slug)) return;
    await delay(20);
  }
  throw new Error(`the runtime did not answer /healthz within ${Math.round(timeoutMs / 1000)} s`);
}

/**
 * The last lines of a runtime's log that say something: a Node stack's `at …` frames are dropped, so a failed
 * start shows the error line (`Error [ERR_MODULE_NOT_FOUND]: Cannot find package …`), not `at wrapModuleLoad`.
 */
async function logTail(file: string, lines = 8): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    return text
      .trimEnd()
      .split("\n")
      .filter((line) => !/^\s+at\s/.test(line) && !/^Node\.js v\d/.test(line) && line.trim() !== "")
      .slice(-lines)
      .join("\n");
  } catch {
    return "";
  }
}
