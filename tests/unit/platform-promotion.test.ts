import { expect, test } from "vitest";
import { platformCommand } from "../../cli/commands/platform.ts";
import {
  CONFIG,
  type Images,
  type PlatformStacks,
  promote,
  recordJourney,
  releases,
  rollback,
} from "../../cli/commands/promotion.ts";

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const images = (n: number): Images => ({
  controlPlane: `1234.dkr.ecr.example/websplat/control-plane@${digest(n)}`,
  runtime: `1234.dkr.ecr.example/websplat/agent-runtime@${digest(n + 1)}`,
});

/** Pulumi stacks in memory: outputs as `up` left them, config as `Pulumi.<stack>.yaml` holds it. */
class FakeStacks implements PlatformStacks {
  readonly config: Record<string, Record<string, string>> = { staging: {}, prod: {} };
  readonly running: Record<string, Images | null> = { staging: null, prod: null };
  async outputs(stack: string) {
    const now = this.running[stack];
    return now ? { controlPlaneImage: now.controlPlane, runtimeImage: now.runtime } : {};
  }
  async getConfig(stack: string, key: string) {
    return this.config[stack]?.[key];
  }
  async setConfig(stack: string, key: string, value: string) {
    this.config[stack]![key] = value;
  }
}

const passedCheck = (stacks: FakeStacks, at = "2026-12-01T10:00:00.000Z") =>
  recordJourney(
    stacks,
    "staging",
    { passed: true, at, url: "https://websplat-staging.net", failedStep: null },
    stacks.running.staging ?? null,
  );

test("promotion pins in prod exactly the digests staging ran and passed, and records the move", async () => {
  const stacks = new FakeStacks();
  stacks.running.staging = images(1);
  await passedCheck(stacks);
  const release = await promote(stacks, "staging", "prod", new Date("2026-12-01T11:00:00Z"));
  expect(stacks.config.prod).toMatchObject({
    [CONFIG.controlPlaneDigest]: digest(1),
    [CONFIG.runtimeDigest]: digest(2),
  });
  expect(await releases(stacks, "prod")).toEqual([
    {
      kind: "promote",
      at: "2026-12-01T11:00:00.000Z",
      from: "staging",
      controlPlaneDigest: digest(1),
      runtimeDigest: digest(2),
      journeyCheckAt: "2026-12-01T10:00:00.000Z",
    },
  ]);
  expect(release.controlPlaneDigest).toBe(digest(1));
  // Staging's own config is not touched beyond its check.
  expect(Object.keys(stacks.config.staging!)).toEqual([CONFIG.journeyCheck]);
});

test("a staging with no check, a failed check, or a check of other images is refused, and prod is left as it was", async () => {
  const stacks = new FakeStacks();
  stacks.running.staging = images(1);
  await expect(promote(stacks, "staging", "prod")).rejects.toMatchObject({ code: "no_journey_check" });

  await recordJourney(
    stacks,
    "staging",
    { passed: false, at: "2026-12-01T10:00:00.000Z", url: "https://x", failedStep: "publish" },
    stacks.running.staging,
  );
  await expect(promote(stacks, "staging", "prod")).rejects.toMatchObject({
    code: "journey_check_failed",
    message: expect.stringContaining("failed at publish"),
  });

  await passedCheck(stacks);
  stacks.running.staging = images(5); // deployed again after the check
  await expect(promote(stacks, "staging", "prod")).rejects.toMatchObject({ code: "journey_check_stale" });
  expect(stacks.config.prod).toEqual({});
});

test("a check during which staging was deployed again clears nothing", async () => {
  const stacks = new FakeStacks();
  stacks.running.staging = images(1);
  const before = stacks.running.staging;
  stacks.running.staging = images(3);
  const record = await recordJourney(
    stacks,
    "staging",
    { passed: true, at: "2026-12-01T10:00:00.000Z", url: "https://x", failedStep: null },
    before,
  );
  expect(record.passed).toBe(false);
  await expect(promote(stacks, "staging", "prod")).rejects.toMatchObject({ code: "journey_check_failed" });
});

test("a staging running a tag is refused: only a digest is promoted", async () => {
  const stacks = new FakeStacks();
  stacks.running.staging = {
    controlPlane: "1234.dkr.ecr.example/websplat/control-plane:1.0.0",
    runtime: "1234.dkr.ecr.example/websplat/agent-runtime:1.0.0",
  };
  await passedCheck(stacks);
  await expect(promote(stacks, "staging", "prod")).rejects.toMatchObject({
    code: "not_a_digest",
    message: expect.stringContaining("websplat:controlPlaneImageDigest"),
  });
});

test("rollback pins the previously promoted digests; each rollback goes one release further back", async () => {
  const stacks = new FakeStacks();
  for (const n of [1, 3, 5]) {
    stacks.running.staging = images(n);
    await passedCheck(stacks, `2026-12-0${n}T10:00:00.000Z`);
    await promote(stacks, "staging", "prod");
  }
  expect(stacks.config.prod![CONFIG.controlPlaneDigest]).toBe(digest(5));
  await rollback(stacks, "prod");
  expect(stacks.config.prod![CONFIG.controlPlaneDigest]).toBe(digest(3));
  expect(stacks.config.prod![CONFIG.runtimeDigest]).toBe(digest(4));
  await rollback(stacks, "prod");
  expect(stacks.config.prod![CONFIG.controlPlaneDigest]).toBe(digest(1));
  await expect(rollback(stacks, "prod")).rejects.toMatchObject({ code: "no_previous_release" });
  expect((await releases(stacks, "prod")).map((r) => r.kind)).toEqual([
    "promote",
    "promote",
    "promote",
    "rollback",
    "rollback",
  ]);
});

test("`websplat platform promote|rollback|releases` drive the same stacks and print what moved", async () => {
  const stacks = new FakeStacks();
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const run = (...args: string[]) =>
      platformCommand(async () => stacks)
        .exitOverride()
        .parseAsync(args, { from: "user" });
    await expect(run("promote", "--from", "staging", "--to", "prod")).rejects.toMatchObject({
      code: "not_deployed",
    });
    for (const n of [1, 3]) {
      stacks.running.staging = images(n);
      await passedCheck(stacks);
      await run("promote", "--from", "staging", "--to", "prod", "--json");
    }
    await run("rollback", "--stack", "prod");
    await run("releases", "--stack", "prod", "--json");
  } finally {
    process.stdout.write = write;
  }
  expect(JSON.parse(lines[0]!)).toMatchObject({ kind: "promote", controlPlaneDigest: digest(1) });
  expect(lines.join("")).toContain("prod rolled back to:");
  const history = JSON.parse(lines.at(-1)!).releases;
  expect(history.map((r: { kind: string }) => r.kind)).toEqual(["rollback", "promote", "promote"]);
  expect(history[0].controlPlaneDigest).toBe(digest(1));
});
