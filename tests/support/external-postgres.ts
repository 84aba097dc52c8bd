import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../stacks/index.ts";

const run = promisify(execFile);

export interface ExternalPostgres {
  /** The installed server's major version and where its binaries are. */
  version: number;
  /** Superuser URL (`postgres` database), for the test's own setup only. */
  superuserUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest PostgreSQL installed by the distribution (`/usr/lib/postgresql/<major>/bin`), or null. */
export function installedPostgres(): { version: number; bin: string } | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .map(Number)
    .filter((major) => major > 0 && existsSync(join(root, String(major), "bin", "initdb")))
    .sort((a, b) => b - a);
  return versions[0] ? { version: versions[0], bin: join(root, String(versions[0]), "bin") } : null;
}

/**
 * A throwaway PostgreSQL cluster of the distribution's packages: initdb in a temporary directory, started on
 * a free loopback port with password logins only. As root, the server runs as the `postgres` user.
 */
export async function startExternalPostgres(): Promise<ExternalPostgres | null> {
  const installed = installedPostgres();
  if (!installed) return null;
  const base = await mkdtemp(join(tmpdir(), "websplat-ext-pg-"));
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? await postgresUser() : null;
  if (owner) {
    await chown(base, owner.uid, owner.gid);
    await chmod(base, 0o700);
  }
  const as = (command: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(installed.bin, command), ...args])
      : run(join(installed.bin, command), args);
  const password = randomBytes(12).toString("hex");
  const passwordFile = join(base, "password");
  await writeFile(passwordFile, password, { mode: 0o600 });
  if (owner) await chown(passwordFile, owner.uid, owner.gid);
  const data = join(base, "data");
  await as("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${passwordFile}`,
    "-E",
    "UTF8",
  ]);
  const port = await freePort();
  await as("pg_ctl", [
    "-D",
    data,
    "-l",
    join(base, "server.log"),
    "-w",
    "-o",
    `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`,
    "start",
  ]);
  return {
    version: installed.version,
    superuserUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      await as("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => {});
      await rm(base, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
