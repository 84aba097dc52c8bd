import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** A second control plane on one data dir: it would start its own Postgres and runtimes over the first's. */
export class DataDirInUseError extends Error {
  readonly code = "data_dir_in_use";
  constructor(dataDir: string, pid: number) {
    super(
      `the data dir ${dataDir} is in use by another control plane (PID ${pid}): stop it first (kill ${pid}), or give this one its own WEBSPLAT_DATA_DIR`,
    );
  }
}

interface LockRecord {
  pid: number;
  /** Kernel start time of that process: a recycled PID after a crash is not mistaken for it. */
  startTime: string | null;
}

/**
 * Claims the data dir for this process (`<dataDir>/control-plane.pid`); a record left by a process that is gone
 * (a crash, a closed terminal) is taken over. Returns the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, "control-plane.pid");
  const mine: LockRecord = { pid: process.pid, startTime: startTimeOf(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(mine)}\n`, { flag: "wx", mode: 0o600 });
      return async () => {
        const current = await readRecord(file);
        if (current?.pid === process.pid) await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readRecord(file);
    if (holder && holder.pid !== process.pid && isSameProcess(holder))
      throw new DataDirInUseError(dataDir, holder.pid);
    await rm(file, { force: true });
  }
  throw new Error(`could not claim the data dir ${dataDir}: ${file} keeps reappearing`);
}

/**
 * The data dir, its backups and runtime logs are the control plane's alone (0700; files 0600): tenant runtimes run
 * as other users and must not read secrets, other tenants' backups or logs. Also tightens what older versions
 * left world-readable.
 */
export async function restrictDataDir(dataDir: string): Promise<void> {
  // A mounted volume (a container's /data) may belong to another user: its own mode is the mount's business.
  await chmod(dataDir, 0o700).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EPERM") throw error;
  });
  for (const folder of ["backups", "runtimes"]) {
    const dir = join(dataDir, folder);
    if (!existsSync(dir)) continue;
    await chmodTree(dir);
  }
}

async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chmodTree(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

async function readRecord(file: string): Promise<LockRecord | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as LockRecord;
  } catch {
    return null;
  }
}

function isSameProcess(record: LockRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = startTimeOf(record.pid);
  return record.startTime === null || now === null || now === record.startTime;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where /proc is absent. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
