import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledRuntime } from "../../stacks/local/runtime-bundle.ts";

/** A project shaped like this one: a runtime entry importing a module, and a migrations folder it reads. */
async function project(root: string, greeting: string) {
  await mkdir(join(root, "agent-runtime", "db"), { recursive: true });
  await mkdir(join(root, "agent-runtime", "drizzle"), { recursive: true });
  await writeFile(
    join(root, "agent-runtime", "greeting.ts"),
    `export const greeting: string = ${JSON.stringify(greeting)};\n`,
  );
  await writeFile(
    join(root, "agent-runtime", "db", "migrations.ts"),
    `import { readdirSync } from "node:fs";\nexport const migrations = () => readdirSync(new URL("../drizzle", import.meta.url)).sort();\n`,
  );
  await writeFile(
    join(root, "agent-runtime", "main.ts"),
    `import { greeting } from "./greeting.ts";\nconst { migrations } = await import("./db/migrations.ts");\nconsole.log(JSON.stringify({ greeting, migrations: migrations() }));\n`,
  );
  await writeFile(join(root, "agent-runtime", "drizzle", "0000_first.sql"), "select 1;\n");
}

const run = (entry: string) => JSON.parse(execFileSync(process.execPath, [entry], { encoding: "utf8" }));

describe("the bundled tenant runtime", () => {
  let root: string;
  let cacheDir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "websplat-bundle-"));
    cacheDir = join(root, "cache");
    await project(root, "hello");
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("runs from its bundle, its lazily imported chunks and its migrations beside them", async () => {
    const entry = await bundledRuntime({ root, cacheDir });
    expect(entry.startsWith(cacheDir)).toBe(true);
    expect(run(entry)).toEqual({ greeting: "hello", migrations: ["0000_first.sql"] });
    // Readable by runtimes running as users of their own, whatever the builder's umask.
    expect((await stat(entry)).mode & 0o777).toBe(0o644);
    expect((await stat(dirname(entry))).mode & 0o777).toBe(0o755);
  });

  it("is reused while no input changed, and rebuilt beside the old one when one did", async () => {
    const first = await bundledRuntime({ root, cacheDir });
    const builtAt = (await stat(first)).mtimeMs;
    expect(await bundledRuntime({ root, cacheDir })).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(builtAt);

    await writeFile(
      join(root, "agent-runtime", "greeting.ts"),
      `export const greeting: string = "changed";\n`,
    );
    const second = await bundledRuntime({ root, cacheDir });
    expect(second).not.toBe(first);
    expect(run(second).greeting).toBe("changed");
    // A runtime started from the first build may still load its chunks.
    expect(run(first).greeting).toBe("hello");
  });

  it("is rebuilt when a migration is added", async () => {
    const before = await bundledRuntime({ root, cacheDir });
    await writeFile(join(root, "agent-runtime", "drizzle", "0001_second.sql"), "select 2;\n");
    const after = await bundledRuntime({ root, cacheDir });
    expect(after).not.toBe(before);
    expect(run(after).migrations).toEqual(["0000_first.sql", "0001_second.sql"]);
  });

  it("keeps the newest builds and any used within a week, and prunes the rest", async () => {
    const builds: string[] = [];
    for (let i = 0; i < 6; i++) {
      await writeFile(
        join(root, "agent-runtime", "greeting.ts"),
        `export const greeting: string = "v${i}";\n`,
      );
      builds.push(dirname(dirname(await bundledRuntime({ root, cacheDir }))));
    }
    // Used recently: a control plane may still start runtimes from every one of them.
    for (const build of builds) expect(existsSync(build), build).toBe(true);
    const longAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    for (const build of builds.slice(0, 2)) await utimes(join(build, "inputs.json"), longAgo, longAgo);
    await writeFile(join(root, "agent-runtime", "greeting.ts"), `export const greeting: string = "v6";\n`);
    await bundledRuntime({ root, cacheDir });
    expect(builds.map((build) => existsSync(build))).toEqual([false, false, true, true, true, true]);
  });

  it("says what failed when the runtime's code does not build", async () => {
    await writeFile(
      join(root, "agent-runtime", "greeting.ts"),
      `export const greeting = import("./missing.ts");\n`,
    );
    await expect(bundledRuntime({ root, cacheDir })).rejects.toThrow(
      /could not bundle the tenant runtime: .*missing/,
    );
  });
});
