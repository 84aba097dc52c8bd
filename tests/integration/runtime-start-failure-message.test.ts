import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RuntimeSupervisor } from "../../stacks/local/supervisor.ts";

const BROKEN = resolve(import.meta.dirname, "../fixtures/broken-import-runtime.ts");

describe("a runtime that fails to start", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("is reported with its error line, not the tail of a Node stack", async () => {
    const dir = await mkdtemp(join(tmpdir(), "websplat-broken-"));
    dirs.push(dir);
    const supervisor = new RuntimeSupervisor({
      dir,
      nodePath: process.execPath,
      entry: BROKEN,
      readyTimeoutMs: 20_000,
    });
    const failure = await supervisor
      .ensureRunning("sf-broken", { WEBSPLAT_TENANT: "sf-broken" }, () => {})
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(failure).toMatch(/exited \(code 1\) before it was ready/);
    expect(failure).toContain("Cannot find package 'websplat-package-that-is-not-installed'");
    expect(failure).not.toMatch(/^\s+at /m);
    await supervisor.stopAll();
  }, 30_000);
});
