import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Where backups live: keys are `/`-separated paths such as `acme/2025-03-01T12-00-00-000Z/manifest.json`. */
export interface BackupStore {
  /** Human-readable address of a key, for operators (`s3://bucket/…` or a directory). */
  location(key: string): string;
  put(key: string, body: Readable | Uint8Array): Promise<void>;
  /** The object's bytes as a stream; throws a `BackupError("backup_not_found")`-able error when absent. */
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Every key under `prefix` (recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object for good: in a versioned bucket every version of it and every delete marker. */
  delete(key: string): Promise<void>;
  /** Removes every object under `prefix` for good (erasure), also those only older versions still hold; how many keys. */
  purge(prefix: string): Promise<number>;
}

/** `purge` for stores that keep no versions: what is listed is all there is. */
async function purgeListed(store: Pick<BackupStore, "list" | "delete">, prefix: string): Promise<number> {
  const keys = await store.list(prefix);
  for (const key of keys) await store.delete(key);
  return keys.length;
}

/** Backups in a directory of this machine (`<data dir>/backups`). */
export function directoryStore(root: string): BackupStore {
  const path = (key: string) => join(root, ...key.split("/"));
  return {
    location: (key) => path(key),
    async put(key, body) {
      const file = path(key);
      await mkdir(dirname(file), { recursive: true });
      const partial = `${file}.partial`;
      const out = createWriteStream(partial);
      if (body instanceof Uint8Array) await pipeline([body], out);
      else await pipeline(body, out);
      await rename(partial, file);
    },
    async get(key) {
      await stat(path(key));
      return createReadStream(path(key));
    },
    exists: (key) =>
      stat(path(key)).then(
        () => true,
        () => false,
      ),
    async list(prefix) {
      const base = path(prefix.replace(/\/$/, ""));
      const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isFile() && !entry.name.endsWith(".partial"))
        .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"))
        .sort();
    },
    purge(prefix) {
      return purgeListed(this, prefix);
    },
    async delete(key) {
      await rm(path(key), { force: true });
      // Leave no empty backup directories behind.
      let dir = dirname(path(key));
      while (dir.startsWith(root) && dir !== root) {
        const left = await readdir(dir).catch(() => null);
        if (!left || left.length > 0) break;
        await rm(dir, { recursive: true, force: true });
        dir = dirname(dir);
      }
    },
  };
}

/** Reads a whole (small) object, such as a manifest. */
export async function readObject(store: BackupStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Backups held in memory: an export builds its archive from one. */
export function memoryStore(): BackupStore & { objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  return {
    objects,
    location: (key) => key,
    async put(key, body) {
      if (body instanceof Uint8Array) objects.set(key, Buffer.from(body));
      else {
        const parts: Buffer[] = [];
        for await (const chunk of body) parts.push(Buffer.from(chunk));
        objects.set(key, Buffer.concat(parts));
      }
    },
    async get(key) {
      const bytes = objects.get(key);
      if (!bytes) throw new Error(`No object ${key}.`);
      return Readable.from([bytes]);
    },
    exists: async (key) => objects.has(key),
    list: async (prefix) => [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(),
    delete: async (key) => void objects.delete(key),
    purge(prefix) {
      return purgeListed(this, prefix);
    },
  };
}
