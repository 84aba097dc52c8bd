import { existsSync } from "node:fs";
import { chmod, copyFile, link, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { publishTree, sharedStateDir } from "./os-user.ts";

export interface RuntimeCode {
  nodePath: string;
  entry: string;
}

/**
 * A copy of what a tenant runtime executes (Node, `agent-runtime/`, the packages it imports), hard-linked where
 * possible, in a folder every user can read: for runtimes running as their own user when the clone sits in a
 * private tree. Only the runtime's own dependency closure is placed, not the whole node_modules.
 */
export async function publishRuntimeCode(input: {
  root: string;
  nodePath: string;
  entry: string;
  key: string;
}): Promise<RuntimeCode> {
  const target = await sharedStateDir("runtime-code", input.key);
  const entryDir = dirname(input.entry);
  const openDirs = async (dir: string) => {
    await mkdir(dir, { recursive: true });
    // Each level readable by all: the control plane's umask (0077) would make them private.
    for (let level = dir; level.startsWith(target) && level !== target; level = dirname(level))
      await chmod(level, 0o755);
  };
  const place = async (from: string) => {
    const to = join(target, relative(input.root, from));
    await openDirs(dirname(to));
    await publishTree(from, to, (name) => name !== ".git");
  };
  await place(entryDir);
  if (!entryDir.startsWith(join(input.root, "agent-runtime"))) await place(join(input.root, "agent-runtime"));
  await linkFile(join(input.root, "package.json"), join(target, "package.json"));
  for (const name of await dependencyClosure(input.root, join(input.root, "agent-runtime")))
    await place(join(input.root, "node_modules", name));
  return {
    nodePath: await publishNode(input.nodePath, target),
    entry: join(target, relative(input.root, input.entry)),
  };
}

/** A link to (or copy of) the Node binary at `<target>/bin/node`, for users who cannot reach the original. */
export async function publishNode(nodePath: string, target: string): Promise<string> {
  const published = join(target, "bin", "node");
  await mkdir(dirname(published), { recursive: true });
  await chmod(dirname(published), 0o755);
  await linkFile(nodePath, published);
  return published;
}

async function linkFile(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/** Packages the runtime's sources import, and everything they depend on (npm's flat node_modules). */
async function dependencyClosure(root: string, sources: string): Promise<string[]> {
  const seeds = new Set<string>();
  for (const file of await sourceFiles(sources)) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/(?:from|import\()\s*"((?:@[^"/]+\/)?[^"./][^"/]*)/g)) {
      if (!match[1]!.startsWith("node:")) seeds.add(match[1]!);
    }
  }
  const closure = new Set<string>();
  const visit = async (name: string) => {
    if (closure.has(name)) return;
    const manifest = join(root, "node_modules", name, "package.json");
    if (!existsSync(manifest)) return;
    closure.add(name);
    const pkg = JSON.parse(await readFile(manifest, "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"])
      for (const dependency of Object.keys(pkg[field] ?? {})) await visit(dependency);
  };
  for (const seed of seeds) await visit(seed);
  return [...closure];
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) files.push(path);
  }
  return files;
}
