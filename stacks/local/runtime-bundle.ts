import { createHash, randomBytes } from "node:crypto";
import { chmod, cp, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

/**
 * The tenant runtime as one bundled program: `agent-runtime/main.ts` and everything it imports, built by esbuild
 * into a few ES modules (`dist/main.mjs` and the chunks it loads on demand), with the runtime's migrations beside
 * them (`drizzle/`, found as `../drizzle` from `dist/`, as from `agent-runtime/db/`).
 *
 * Loading the builder from node_modules and TypeScript sources resolves and compiles ~1,500 modules (~600 ms of
 * each start); the bundle is a handful of files, so a runtime is ready, and woken, several times sooner.
 *
 * Builds are kept by content: `<cacheDir>/<hash of every input>/`. A kept build is reused when none of its
 * inputs changed (checked by content, ~20 ms), so a control plane builds once per change of the runtime's code
 * or packages; older builds stay for runtimes still running from them and are pruned once beyond the newest few and unused
 * for a week.
 */
export interface BundleOptions {
  /** The project root (where `agent-runtime/` and `node_modules/` are). */
  root: string;
  /** Where builds are kept; every file in it is made readable by all (runtimes may run as users of their own). */
  cacheDir: string;
}

const ENTRY = "agent-runtime/main.ts";
const MIGRATIONS = "agent-runtime/drizzle";
const MANIFEST = "inputs.json";
/**
 * Builds kept: the newest few, and any used (built or reused by a start) within the last week, which a control plane
 * still running may start runtimes from and runtimes may still load chunks from.
 */
const KEEP = 4;
const KEEP_USED_WITHIN_MS = 7 * 24 * 3600 * 1000;

interface Manifest {
  /** esbuild's version and these options: a change of either is a change of the build. */
  builder: string;
  /** Every file the build read, relative to the root, with the sha-256 of its content. */
  inputs: Record<string, string>;
}

/** The bundled runtime's entry, built now unless the newest build's inputs are all unchanged. */
export async function bundledRuntime(options: BundleOptions): Promise<string> {
  const esbuild = await import("esbuild");
  const builder = `esbuild ${esbuild.version}; ${JSON.stringify(buildOptions(""))}`;
  await mkdir(options.cacheDir, { recursive: true });
  await chmod(options.cacheDir, 0o755);
  const current = await matchingBuild(options.root, options.cacheDir, builder);
  if (current) {
    // Touched: the build in use stays among the newest and is never pruned.
    const now = new Date();
    await utimes(join(current, MANIFEST), now, now);
    return join(current, "dist", "main.mjs");
  }

  const staging = join(options.cacheDir, `.building-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const result = await esbuild.build({
      ...buildOptions(join(staging, "dist")),
      absWorkingDir: options.root,
      entryPoints: [ENTRY],
      metafile: true,
    });
    await cp(join(options.root, MIGRATIONS), join(staging, "drizzle"), { recursive: true });
    const files = [...Object.keys(result.metafile.inputs), ...(await filesUnder(options.root, MIGRATIONS))];
    const manifest: Manifest = { builder, inputs: {} };
    for (const file of files.sort()) manifest.inputs[file] = await contentHash(join(options.root, file));
    await writeFile(join(staging, MANIFEST), JSON.stringify(manifest));
    await readableByAll(staging);
    const id = createHash("sha256").update(JSON.stringify(manifest)).digest("hex").slice(0, 16);
    const dir = join(options.cacheDir, id);
    // Another control plane may have built the same inputs meanwhile: the same content either way.
    await rename(staging, dir).catch(async () => {
      await rm(staging, { recursive: true, force: true });
      const now = new Date();
      await utimes(join(dir, MANIFEST), now, now);
    });
    await prune(options.cacheDir);
    return join(dir, "dist", "main.mjs");
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`could not bundle the tenant runtime: ${buildError(error)}`);
  }
}

/** esbuild's first error with where it is (`agent-runtime/x.ts:3: Could not resolve "y"`), or the error's line. */
function buildError(error: unknown): string {
  const first = (error as { errors?: { text: string; location: { file: string; line: number } | null }[] })
    .errors?.[0];
  if (!first) return String((error as Error).message ?? error).split("\n")[0]!;
  return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text;
}

/** The same options every time: they are part of what a build's identity records. */
function buildOptions(outdir: string) {
  return {
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    // The runtime's own dynamic imports (the builder, OpenTelemetry, the migrator) stay separate chunks, loaded
    // only when needed, as from the sources.
    splitting: true,
    outdir,
    outExtension: { ".js": ".mjs" },
    // Names stay in stack traces and in `err.name`-based logic.
    keepNames: true,
    // CommonJS packages inside an ES module bundle still call `require` for Node's built-ins.
    banner: {
      js: "import { createRequire as __websplatRequire } from 'node:module'; const require = __websplatRequire(import.meta.url);",
    },
    logLevel: "silent",
  } as const;
}

/** A kept build (newest first) none of whose inputs changed: other clones' builds may be kept beside it. */
async function matchingBuild(root: string, cacheDir: string, builder: string): Promise<string | null> {
  // Read once for every candidate: builds share most of their inputs.
  const migrations = await filesUnder(root, MIGRATIONS);
  const hashes = new Map<string, Promise<string | null>>();
  const hashOf = (file: string) => {
    if (!hashes.has(file))
      hashes.set(
        file,
        contentHash(join(root, file)).catch(() => null),
      );
    return hashes.get(file)!;
  };
  for (const dir of await buildsByAge(cacheDir)) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as Manifest;
      if (await unchanged(manifest, builder, migrations, hashOf)) return dir;
    } catch {}
  }
  return null;
}

/** Finished builds, newest first (by when their manifest was last written or reused). */
async function buildsByAge(cacheDir: string): Promise<string[]> {
  const builds: { dir: string; at: number }[] = [];
  for (const name of await readdir(cacheDir)) {
    if (name.startsWith(".")) continue;
    const dir = join(cacheDir, name);
    const at = await stat(join(dir, MANIFEST)).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (at !== null) builds.push({ dir, at });
  }
  return builds.sort((a, b) => b.at - a.at).map((build) => build.dir);
}

async function unchanged(
  manifest: Manifest,
  builder: string,
  migrations: string[],
  hashOf: (file: string) => Promise<string | null>,
): Promise<boolean> {
  if (manifest.builder !== builder) return false;
  // A migration added since is not among the inputs: the folder's listing must match too.
  if (migrations.some((file) => !(file in manifest.inputs))) return false;
  for (const [file, hash] of Object.entries(manifest.inputs)) if ((await hashOf(file)) !== hash) return false;
  return true;
}

async function prune(cacheDir: string): Promise<void> {
  const before = Date.now() - KEEP_USED_WITHIN_MS;
  for (const dir of (await buildsByAge(cacheDir)).slice(KEEP)) {
    const usedAt = await stat(join(dir, MANIFEST)).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (usedAt < before) await rm(dir, { recursive: true, force: true });
  }
}

async function contentHash(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

async function filesUnder(root: string, folder: string): Promise<string[]> {
  const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Folders 0755 and files 0644: esbuild writes with the control plane's umask, which may be 0077. */
async function readableByAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await readableByAll(path);
    else await chmod(path, 0o644);
  }
}
