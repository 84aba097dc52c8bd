import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

describe("`npx websplat`, as the README documents it", () => {
  it("prints only what the CLI means: no npm engine warning on the system Node", async () => {
    // A user's shell: the system's npm and Node (which may be older than the pinned Node 24), not the
    // project's `node_modules/.bin` that the test runner puts first on PATH.
    const path = (process.env.PATH ?? "")
      .split(delimiter)
      .filter((entry) => !entry.includes("node_modules"))
      .join(delimiter);
    // A fresh npm cache: npx installs the project into it on the first call, which is when npm checks engines.
    const cache = await mkdtemp(join(tmpdir(), "npm-cache-"));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, NO_COLOR: "1" };
    for (const key of Object.keys(env)) if (key.startsWith("npm_")) delete env[key];
    env.npm_config_cache = cache;
    const { stdout, stderr } = await run("npx", ["websplat", "--version"], {
      cwd: ROOT,
      env,
      timeout: 60_000,
    });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(stderr).toBe("");
    await rm(cache, { recursive: true, force: true });
  }, 90_000);
});
