import { execFileSync, spawnSync } from "node:child_process";
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
} from "node:fs/promises";
import { join } from "node:path";

/**
 * Where a control plane started as root keeps what its unprivileged processes (embedded PostgreSQL, tenant
 * runtimes) must reach when the data dir or the clone sits in a private tree (a mode-700 home or temp dir):
 * copies of their binaries and code, and their own writable folders.
 */
export const SHARED_STATE_DIR = "/var/lib/websplat";

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The uid and gid of `name`, creating it as a system user without a login shell when it does not exist. */
export function ensureSystemUser(name: string): OsUser {
  const lookup = () => {
    const result = spawnSync("id", ["-u", name], { encoding: "utf8" });
    if (result.status !== 0) return null;
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    return { name, uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync(
      "useradd",
      ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
      {
        stdio: "pipe",
      },
    );
  } catch (error) {
    throw new Error(
      `could not create the system user "${name}" (${(error as Error).message.split("\n")[0]}): create it yourself (useradd --system ${name}) and start again`,
    );
  }
  const created = lookup();
  if (!created) throw new Error(`the system user "${name}" was created but cannot be looked up`);
  return created;
}

/** Whether `user` can search directory `path` (and so every folder above it), tested as that user. */
export function canReach(path: string, user: Pick<OsUser, "uid" | "gid">, test: "-x" | "-r" = "-x"): boolean {
  const result = spawnSync("test", [test, path], { uid: user.uid, gid: user.gid });
  return result.status === 0;
}

/** Creates `dir` (and parents) owned by `user` with mode 0700. */
export async function ownedDir(
  dir: string,
  user: Pick<OsUser, "uid" | "gid">,
  mode = 0o700,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await chown(dir, user.uid, user.gid);
  await chmod(dir, mode);
  return dir;
}

/** The shared state folder, root-owned and searchable by all (its sub-folders carry their own modes). */
export async function sharedStateDir(...parts: string[]): Promise<string> {
  let dir = SHARED_STATE_DIR;
  for (const part of ["", ...parts]) {
    dir = join(dir, part);
    await mkdir(dir, { recursive: true });
    // Explicit: the control plane's umask (0077) would make it private.
    await chmod(dir, 0o755);
  }
  return dir;
}

/**
 * Places a copy of `source` at `target`, readable (not writable) by every user: hard links where the two sit on
 * one file system, copies elsewhere. Built beside the target and swapped in, so a process still reading the
 * previous copy by path finds complete files throughout.
 */
export async function publishTree(
  source: string,
  target: string,
  filter: (name: string) => boolean = () => true,
) {
  const next = `${target}.next-${process.pid}`;
  const previous = `${target}.previous-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  await mkdir(next, { recursive: true });
  await chmod(next, 0o755);
  await linkTree(source, next, filter);
  await rename(target, previous).catch(() => {});
  await rename(next, target);
  await rm(previous, { recursive: true, force: true });
}

async function linkTree(source: string, target: string, filter: (name: string) => boolean): Promise<void> {
  for (const entry of await readdir(source, { withFileTypes: true })) {
    if (!filter(entry.name)) continue;
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      await mkdir(to);
      await chmod(to, 0o755);
      await linkTree(from, to, filter);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else if (entry.isFile()) {
      const { mode } = await lstat(from);
      // Linked files keep their inode's mode: files of a clone are world-readable unless someone made them not.
      if ((mode & 0o004) !== 0) {
        try {
          await link(from, to);
          continue;
        } catch {}
      }
      await copyFile(from, to);
      await chmod(to, (mode & 0o111 ? 0o755 : 0o644) & 0o7777);
    }
  }
}
