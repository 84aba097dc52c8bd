import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ownedDir, sharedStateDir } from "./os-user.ts";

export interface RuntimeUser {
  uid: number;
  gid: number;
  /** Its own writable folder (HOME, compile cache), mode 0700. */
  home: string;
}

/** First uid handed to tenant runtimes: far above login and system users, so none is shared with them. */
const FIRST_UID = 200_000;

/**
 * One OS user id per tenant runtime (a bare uid and gid, no passwd entry), for a control plane started as root:
 * a runtime cannot read another's /proc/<pid>/environ (its database password) nor the data dir's secrets.
 * Allocations are kept in `<runtimes>/uids.json`, so a tenant keeps its uid across restarts.
 */
export class RuntimeUsers {
  readonly #file: string;
  readonly #key: string;
  #uids: Record<string, number> | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(runtimesDir: string, key: string) {
    this.#file = join(runtimesDir, "uids.json");
    this.#key = key;
  }

  async for(slug: string): Promise<RuntimeUser> {
    const uids = await this.#load();
    let uid = uids[slug];
    if (uid === undefined) {
      uid = Math.max(FIRST_UID - 1, ...Object.values(uids)) + 1;
      uids[slug] = uid;
      const snapshot = JSON.stringify(uids);
      // Written aside and renamed: a control plane killed mid-write must not leave the next start an empty file.
      this.#writing = this.#writing.then(async () => {
        await writeFile(`${this.#file}.tmp`, snapshot, { mode: 0o600 });
        await rename(`${this.#file}.tmp`, this.#file);
      });
      await this.#writing;
    }
    const home = await ownedDir(join(await sharedStateDir("runtime-home", this.#key), slug), {
      uid,
      gid: uid,
    });
    return { uid, gid: uid, home };
  }

  async #load(): Promise<Record<string, number>> {
    if (this.#uids) return this.#uids;
    await mkdir(join(this.#file, ".."), { recursive: true });
    const text = await readFile(this.#file, "utf8").catch(() => "{}");
    this.#uids ??= JSON.parse(text) as Record<string, number>;
    return this.#uids;
  }
}
