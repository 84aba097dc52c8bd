import { createHash } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.ts";
import { blobs, trees } from "../db/schema.ts";

export type Files = Record<string, string>;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Stores the files as content-addressed blobs and a tree; returns the tree's hash. */
export async function saveTree(tx: Transaction | Database, files: Files): Promise<string> {
  const entries = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((path) => [path, sha256(files[path]!)]),
  );
  const rows = Object.entries(files).map(([path, content]) => ({
    hash: entries[path]!,
    content,
    size: Buffer.byteLength(content),
  }));
  if (rows.length) await tx.insert(blobs).values(rows).onConflictDoNothing();
  const hash = sha256(JSON.stringify(entries));
  await tx.insert(trees).values({ hash, entries }).onConflictDoNothing();
  return hash;
}

export async function loadTree(db: Database | Transaction, hash: string): Promise<Files> {
  const [tree] = await db.select().from(trees).where(eq(trees.hash, hash));
  if (!tree) return {};
  const hashes = Object.values(tree.entries);
  if (hashes.length === 0) return {};
  const contents = await db.select().from(blobs).where(inArray(blobs.hash, hashes));
  const byHash = new Map(contents.map((b) => [b.hash, b.content]));
  return Object.fromEntries(Object.entries(tree.entries).map(([path, h]) => [path, byHash.get(h) ?? ""]));
}

export const EMPTY_TREE_FILES: Files = {};
