import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ownedDir, SHARED_STATE_DIR, sharedStateDir } from "./os-user.ts";

export interface RuntimeUser {
  uid: number;
  gid: number;
  /** Its own writable folder (HOME, compile cache), mode 0700. */
  home: string;
}

/** First uid handed to tenant runtimes: far above login and system users, so none is shared with them. */
const FIRST_UID = 200_000;
/** The highest uid handed out: below 2^31, which some tools take for a negative number. */
const LAST_UID = 2 ** 31 - 2;
/** The machine's register of runtime uids: one file per uid ever handed out, named by it. */
export const UID_REGISTER = join(SHARED_STATE_DIR, "runtime-uids");

interface Claim {
  /** The data dir whose control plane took the uid, resolved. */
  dataDir: string;
  slug: string;
}

/**
 * One OS user id per tenant runtime (a bare uid and gid, no passwd entry), for a control plane started as root:
 * a runtime cannot read another's /proc/<pid>/environ (its database password) nor the data dir's secrets.
 *
 * The uids are unique on the machine, not only in one data dir: several control planes on one host (several data
 * dirs, clones, test runs) share the register `/var/lib/websplat/runtime-uids`, where a uid is taken by creating
 * its file exclusively (the file system decides between two takers) and is never handed out again, even once its
 * tenant is gone (files it left may still be its own). A tenant keeps its uid across restarts.
 */
export class RuntimeUsers {
  readonly #dataDir: string;
  readonly #key: string;
  readonly #legacyFile: string;
  #uids: Promise<Map<string, number>> | null = null;
  #allocating: Promise<unknown> = Promise.resolve();

  constructor(options: { dataDir: string; runtimesDir: string; key: string }) {
    this.#dataDir = resolve(options.dataDir);
    this.#key = options.key;
    this.#legacyFile = join(options.runtimesDir, "uids.json");
  }

  async for(slug: string): Promise<RuntimeUser> {
    const uid = await this.uidOf(slug);
    const home = await ownedDir(join(await sharedStateDir("runtime-home", this.#key), slug), {
      uid,
      gid: uid,
    });
    return { uid, gid: uid, home };
  }

  /** The tenant's uid, taken from the register the first time it is asked for. */
  async uidOf(slug: string): Promise<number> {
    const uids = await this.#load();
    const known = uids.get(slug);
    if (known !== undefined) return known;
    const allocation = this.#allocating.then(async () => {
      const uid = uids.get(slug) ?? (await this.#claim(slug, null));
      uids.set(slug, uid);
      return uid;
    });
    this.#allocating = allocation.catch(() => {});
    return await allocation;
  }

  /** This data dir's uids, read from the register (and from the table older versions kept in the data dir). */
  #load(): Promise<Map<string, number>> {
    this.#uids ??= (async () => {
      const uids = new Map<string, number>();
      for (const [uid, claim] of await readRegister()) {
        if (claim?.dataDir === this.#dataDir) uids.set(claim.slug, uid);
      }
      const legacy = await readLegacy(this.#legacyFile);
      for (const [slug, uid] of Object.entries(legacy)) {
        if (!uids.has(slug)) uids.set(slug, await this.#claim(slug, uid));
      }
      await rm(this.#legacyFile, { force: true });
      return uids;
    })();
    const loading = this.#uids;
    loading.catch(() => {
      if (this.#uids === loading) this.#uids = null;
    });
    return loading;
  }

  /** Takes `preferred` when it is free, else the next uid above every one the machine handed out. */
  async #claim(slug: string, preferred: number | null): Promise<number> {
    const claim: Claim = { dataDir: this.#dataDir, slug };
    const running = liveUids();
    if (preferred !== null && !running.has(preferred) && (await takeUid(preferred, claim))) return preferred;
    for (;;) {
      const taken = [...(await readRegister()).keys()];
      const next = Math.max(FIRST_UID - 1, ...taken) + 1;
      if (next > LAST_UID) {
        throw new Error(
          `no runtime uid is left on this machine (${FIRST_UID}–${LAST_UID} are all taken; see ${UID_REGISTER})`,
        );
      }
      // A process running as it (left by a version without the register) makes it taken, never handed out.
      if (running.has(next)) {
        await takeUid(next, { dataDir: "", slug: "" });
        continue;
      }
      // Another control plane may take it between the listing and the claim: then the next one is tried.
      if (await takeUid(next, claim)) return next;
    }
  }
}

/** The uids live processes run as (their real uid, from /proc; empty where there is none). */
function liveUids(): Set<number> {
  const uids = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return uids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      if (line) uids.add(Number(line[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  return uids;
}

async function registerDir(): Promise<string> {
  await sharedStateDir();
  await mkdir(UID_REGISTER, { recursive: true });
  // Root's only: which tenants of which data dirs run here is nothing a runtime needs to know.
  await chmod(UID_REGISTER, 0o700);
  return UID_REGISTER;
}

/** Every uid handed out on this machine, with who took it (null where its file is unreadable or empty). */
async function readRegister(): Promise<Map<number, Claim | null>> {
  const dir = await registerDir();
  const claims = new Map<number, Claim | null>();
  for (const name of await readdir(dir)) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(join(dir, name), "utf8").catch(() => "");
    let claim: Claim | null = null;
    try {
      const parsed = JSON.parse(text) as Partial<Claim>;
      if (typeof parsed.dataDir === "string" && typeof parsed.slug === "string")
        claim = { dataDir: parsed.dataDir, slug: parsed.slug };
    } catch {
      // Taken by a control plane killed while writing its claim: taken all the same.
    }
    claims.set(Number(name), claim);
  }
  return claims;
}

/** Creates the uid's file exclusively: true when this call took it, false when it was taken before. */
async function takeUid(uid: number, claim: Claim): Promise<boolean> {
  const dir = await registerDir();
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(join(dir, String(uid)), "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await file.writeFile(JSON.stringify(claim));
    await file.sync();
  } finally {
    await file.close();
  }
  return true;
}

async function readLegacy(file: string): Promise<Record<string, number>> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, number] =>
          Number.isInteger(entry[1]) && (entry[1] as number) >= FIRST_UID && (entry[1] as number) <= LAST_UID,
      ),
    );
  } catch {
    return {};
  }
}
