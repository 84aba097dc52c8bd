import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../errors.ts";

/** The platform stacks' config and outputs, as the Automation API sees them: the seam tests replace. */
export interface PlatformStacks {
  outputs(stack: string): Promise<Record<string, unknown>>;
  getConfig(stack: string, key: string): Promise<string | undefined>;
  setConfig(stack: string, key: string, value: string): Promise<void>;
}

/** The images a platform stack runs, each `<repository>@sha256:…`. */
export interface Images {
  controlPlane: string;
  runtime: string;
}

/** A journey check's outcome against a stack, kept in its config (`websplat:journeyCheck`). */
export interface JourneyRecord {
  passed: boolean;
  at: string;
  url: string;
  failedStep: string | null;
  /** What the stack ran while the check ran. */
  images: Images | null;
}

/** One move of a stack's images, newest last in `websplat:releases`. */
export interface Release {
  kind: "promote" | "rollback";
  at: string;
  /** The stack the digests came from (promote), or the stack itself (rollback). */
  from: string;
  controlPlaneDigest: string;
  runtimeDigest: string;
  /** When the journey check that cleared it passed (promote only). */
  journeyCheckAt: string | null;
}

export const CONFIG = {
  controlPlaneDigest: "websplat:controlPlaneImageDigest",
  runtimeDigest: "websplat:runtimeImageDigest",
  releases: "websplat:releases",
  journeyCheck: "websplat:journeyCheck",
} as const;

/** Releases kept in a stack's config: enough to roll back several times. */
const KEPT_RELEASES = 20;
const DIGEST = /@(sha256:[0-9a-f]{64})$/;

/** What a stack runs now, from its outputs; null when it has not been deployed. */
export async function runningImages(stacks: PlatformStacks, stack: string): Promise<Images | null> {
  const outputs = await stacks.outputs(stack);
  const controlPlane = outputs.controlPlaneImage;
  const runtime = outputs.runtimeImage;
  if (typeof controlPlane !== "string" || typeof runtime !== "string") return null;
  return { controlPlane, runtime };
}

/** `websplat check journey --record-stack <stack>`: the outcome and what the stack ran meanwhile. */
export async function recordJourney(
  stacks: PlatformStacks,
  stack: string,
  outcome: Omit<JourneyRecord, "images">,
  imagesBefore: Images | null,
): Promise<JourneyRecord> {
  const imagesAfter = await runningImages(stacks, stack);
  // A deploy during the check makes it a check of neither version: it clears nothing.
  const steady = JSON.stringify(imagesBefore) === JSON.stringify(imagesAfter);
  const record: JourneyRecord = { ...outcome, passed: outcome.passed && steady, images: imagesAfter };
  await stacks.setConfig(stack, CONFIG.journeyCheck, JSON.stringify(record));
  return record;
}

/**
 * `websplat platform promote --from staging --to prod`: the digests `from` runs, which its last journey check
 * passed on, become the digests `to` runs; the move is appended to `to`'s releases. `platform up` applies it.
 */
export async function promote(
  stacks: PlatformStacks,
  from: string,
  to: string,
  now = new Date(),
): Promise<Release> {
  if (from === to)
    throw new CliError("usage", "promote from one stack to another (--from staging --to prod)", 2);
  const images = await runningImages(stacks, from);
  if (!images)
    throw new CliError(
      "not_deployed",
      `${from} has no image outputs: run \`websplat platform up --stack ${from}\` first`,
    );
  const controlPlaneDigest = digestOf(images.controlPlane, from);
  const runtimeDigest = digestOf(images.runtime, from);
  const check = parseJson<JourneyRecord>(await stacks.getConfig(from, CONFIG.journeyCheck));
  const rerun = `run \`websplat check journey --url <${from} URL> --record-stack ${from}\``;
  if (!check)
    throw new CliError("no_journey_check", `${from} has no recorded journey check: ${rerun}, then promote`);
  if (!check.passed)
    throw new CliError(
      "journey_check_failed",
      `the last journey check of ${from} (${check.at}) failed${check.failedStep ? ` at ${check.failedStep}` : ""}: fix it, ${rerun}, then promote`,
    );
  if (JSON.stringify(check.images) !== JSON.stringify(images))
    throw new CliError(
      "journey_check_stale",
      `the last journey check of ${from} (${check.at}) ran on other images than ${from} runs now: ${rerun}, then promote`,
    );
  const release: Release = {
    kind: "promote",
    at: now.toISOString(),
    from,
    controlPlaneDigest,
    runtimeDigest,
    journeyCheckAt: check.at,
  };
  await pin(stacks, to, release);
  return release;
}

/**
 * `websplat platform rollback --stack prod`: the digests of the release before the current one are pinned
 * again, recorded as a release of its own; `platform up` applies it.
 */
export async function rollback(stacks: PlatformStacks, stack: string, now = new Date()): Promise<Release> {
  const history = await releases(stacks, stack);
  if (history.length === 0)
    throw new CliError(
      "no_release",
      `${stack} has no recorded release to roll back from: promote to it first`,
    );
  // Promotions stack up and each rollback takes the top one off: two rollbacks go two releases back.
  const line: Release[] = [];
  for (const release of history) {
    if (release.kind === "promote") line.push(release);
    else line.pop();
  }
  const previous = line.at(-2);
  if (!previous)
    throw new CliError("no_previous_release", `${stack} has no earlier release recorded to roll back to`);
  const release: Release = {
    kind: "rollback",
    at: now.toISOString(),
    from: stack,
    controlPlaneDigest: previous.controlPlaneDigest,
    runtimeDigest: previous.runtimeDigest,
    journeyCheckAt: null,
  };
  await pin(stacks, stack, release);
  return release;
}

/** A stack's recorded releases, oldest first. */
export async function releases(stacks: PlatformStacks, stack: string): Promise<Release[]> {
  return parseJson<Release[]>(await stacks.getConfig(stack, CONFIG.releases)) ?? [];
}

async function pin(stacks: PlatformStacks, stack: string, release: Release): Promise<void> {
  const history = [...(await releases(stacks, stack)), release].slice(-KEPT_RELEASES);
  await stacks.setConfig(stack, CONFIG.controlPlaneDigest, release.controlPlaneDigest);
  await stacks.setConfig(stack, CONFIG.runtimeDigest, release.runtimeDigest);
  await stacks.setConfig(stack, CONFIG.releases, JSON.stringify(history));
}

function digestOf(image: string, stack: string): string {
  const digest = DIGEST.exec(image)?.[1];
  if (!digest)
    throw new CliError(
      "not_a_digest",
      `${stack} runs ${image}, a tag: a tag can be pushed again, so only a digest is promoted — set websplat:controlPlaneImageDigest and websplat:runtimeImageDigest on ${stack} (docs/release.md), deploy and check it, then promote`,
    );
  return digest;
}

function parseJson<T>(text: string | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** The real stacks: the root project's, through Pulumi's LocalWorkspace (config lands in `Pulumi.<stack>.yaml`). */
export async function automationPlatformStacks(): Promise<PlatformStacks> {
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation/index.js");
  const workDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
  const open = (stackName: string) => LocalWorkspace.selectStack({ stackName, workDir });
  return {
    outputs: async (stack) =>
      Object.fromEntries(
        Object.entries(await (await open(stack)).outputs()).map(([key, output]) => [key, output.value]),
      ),
    getConfig: async (stack, key) => {
      const config = await (await open(stack)).getAllConfig();
      return config[key]?.value;
    },
    setConfig: async (stack, key, value) => {
      await (await open(stack)).setConfig(key, { value });
    },
  };
}
