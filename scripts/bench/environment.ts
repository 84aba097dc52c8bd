import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureDatabase } from "../../control-plane/db/client.ts";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../control-plane/db/embedded.ts";
import { childrenMatching, RUNTIME_COMMAND, stillRunning, terminateAll } from "./processes.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

/** The Node flags `npm start` gives the control plane (package.json's start script), defaults filled in. */
export function startFlags(): string[] {
  const script = (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }
  ).scripts.start;
  return script
    .split(/\s+/)
    .filter((word) => word.startsWith("--"))
    .map((flag) => flag.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1"));
}

/** Things to undo at the end, newest first, even when a figure failed. */
export class Teardown {
  readonly #steps: Array<{ name: string; run: () => Promise<unknown> }> = [];

  add(name: string, run: () => Promise<unknown>): void {
    this.#steps.push({ name, run });
  }

  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) {
      await step
        .run()
        .catch((error) => process.stderr.write(`bench: cleanup "${step.name}" failed: ${String(error)}\n`));
    }
    this.#steps.length = 0;
  }
}

export interface BenchDatabase {
  /** Superuser URL of the `websplat` database (control plane and tenants). */
  url: string;
  server: EmbeddedDatabase;
}

/** A PostgreSQL of the bench's own in a temp dir, so rows can be inserted and roles created directly. */
export async function startDatabase(teardown: Teardown): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "websplat-bench-pg-"));
  teardown.add("remove the database dir", () => rm(dir, { recursive: true, force: true }));
  // As root, PostgreSQL runs as an unprivileged user that must reach the (0700 by default) temp dir.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dir: join(dir, "data"),
    password: randomBytes(12).toString("hex"),
  });
  teardown.add("stop PostgreSQL", () => server.stop());
  return { url: await ensureDatabase(server.url, "websplat"), server };
}

export interface ControlPlane {
  url: string;
  port: number;
  adminToken: string;
  webhookSecret: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
}

/** `node control-plane/main.ts` as a child process on port 0 with a temp data dir; stopped by `teardown`. */
export async function startControlPlane(
  teardown: Teardown,
  options: {
    databaseUrl?: string;
    env?: Record<string, string>;
    /** Runs on the empty data dir before the control plane starts (files a figure needs in place). */
    prepare?: (dataDir: string) => Promise<void>;
  } = {},
): Promise<ControlPlane> {
  const dataDir = await mkdtemp(join(tmpdir(), "websplat-bench-cp-"));
  teardown.add("remove the control plane's data dir", () => rm(dataDir, { recursive: true, force: true }));
  await options.prepare?.(dataDir);
  const adminToken = `bench-admin-${randomBytes(16).toString("hex")}`;
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
  const child = spawn(process.execPath, [...startFlags(), join(ROOT, "control-plane/main.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: "0",
      WEBSPLAT_DATA_DIR: dataDir,
      WEBSPLAT_ADMIN_TOKEN: adminToken,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      LOG_LEVEL: "warn",
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  teardown.add("stop the control plane", async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Runtimes run in their own process groups: note them now, so none outlives the bench.
    const runtimes = await childrenMatching(child.pid!, RUNTIME_COMMAND);
    const started = Date.now();
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    await exited;
    clearTimeout(timer);
    const seconds = (Date.now() - started) / 1000;
    const left = await stillRunning(runtimes, RUNTIME_COMMAND);
    if (seconds > 20 || child.exitCode !== 0 || left.length > 0) {
      process.stderr.write(
        `bench: the control plane took ${seconds.toFixed(1)} s to stop (exit ${child.exitCode ?? child.signalCode}) ` +
          `and left ${left.length} runtimes running; its last output:\n${output.slice(-1500)}\n`,
      );
    }
    await terminateAll(left);
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the control plane did not start in 60 s:\n${output}`)),
      60_000,
    );
    const onData = () => {
      const match = /Signup:\s+(http:\/\/\S+?)\/\s/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolveUrl(match[1]!);
    };
    child.stdout.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the control plane exited before it was ready:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    adminToken,
    webhookSecret,
    dataDir,
    process: child,
    output: () => output,
  };
}
