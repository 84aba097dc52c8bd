import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { PLATFORM_STACK, runPlatform } from "../../infra/automation.ts";
import { CLI_MISSING_MESSAGE } from "../../stacks/pulumi/index.ts";

test("`websplat platform preview` without the pulumi CLI fails with the same cli_missing message as tenants", async () => {
  const empty = await mkdtemp(join(tmpdir(), "websplat-no-cli-"));
  const path = process.env.PATH;
  process.env.PATH = empty;
  try {
    for (const action of ["preview", "up"] as const) {
      const failure = await runPlatform(action).catch((error: unknown) => error);
      expect(failure).toMatchObject({
        name: "PlatformError",
        code: "cli_missing",
        message: CLI_MISSING_MESSAGE,
      });
    }
  } finally {
    process.env.PATH = path;
    await rm(empty, { recursive: true, force: true });
  }
  expect(PLATFORM_STACK).toBe("prod");
});
