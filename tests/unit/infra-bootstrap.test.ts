import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, test } from "vitest";
import { type PlatformRender, renderPlatform } from "../support/platform-render.ts";

const deployGuide = () => readFile(new URL("../../docs/deploy.md", import.meta.url), "utf8");

/** `pulumi …` command lines of the guide's shell blocks, continuation lines joined. */
async function pulumiCommands(): Promise<string[]> {
  const blocks = [...(await deployGuide()).matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line.startsWith("pulumi "));
}

/**
 * The engine's rule for `--target` (pulumi/pulumi, pkg/resource/deploy/step_generator.go): a targeted resource
 * whose parent is neither in the state nor targeted is refused. On the first `up` nothing is in the state, so
 * every component in a target's type chain (`Parent$Child`) must be targeted as well.
 */
function untargetedParents(targets: string[]): string[] {
  const targetedTypes = new Set(targets.map((urn) => urn.split("::")[2] ?? ""));
  return targets.flatMap((urn) => {
    const chain = (urn.split("::")[2] ?? "").split("$");
    return chain.slice(0, -1).flatMap((_, index) => {
      const parentType = chain.slice(0, index + 1).join("$");
      return targetedTypes.has(parentType) ? [] : [`${urn} (parent ${parentType} not targeted)`];
    });
  });
}

describe("the first `pulumi up` of a new account", () => {
  let bootstrap: PlatformRender;
  beforeAll(async () => {
    // Only the AWS region and the bootstrap switch: no Cloudflare, Stripe or database secret is needed yet.
    bootstrap = await renderPlatform(
      { "websplat:bootstrap": "registries" },
      { "aws:region": "eu-central-1" },
    );
  });

  test("no step of the guide targets a resource whose parent component the engine would have to create untargeted", async () => {
    const targets = (await pulumiCommands()).flatMap((line) =>
      [...line.matchAll(/--target\s+'?([^'\s]+)'?/g)].map((match) => match[1] ?? ""),
    );
    expect(untargetedParents(targets)).toEqual([]);
  });

  test("the guide creates the registries with the bootstrap switch, and turns it off before the full `up`", async () => {
    const commands = await pulumiCommands();
    const on = commands.findIndex((line) => /pulumi config set websplat:bootstrap registries\b/.test(line));
    const off = commands.findIndex((line) => /pulumi config rm websplat:bootstrap\b/.test(line));
    expect(on).toBeGreaterThanOrEqual(0);
    expect(commands.slice(on + 1, off).some((line) => /^pulumi up -s prod\b/.test(line))).toBe(true);
    expect(off).toBeGreaterThan(on);
    expect(commands.slice(off + 1).some((line) => /^pulumi up -s prod\b/.test(line))).toBe(true);
  });

  test("with the switch on, the program declares the two image repositories and nothing that runs an image", () => {
    const declared = bootstrap.declared.map((resource) => `${resource.type} ${resource.name}`).sort();
    expect(declared).toEqual([
      "aws:ecr/lifecyclePolicy:LifecyclePolicy websplat-agent-runtime",
      "aws:ecr/lifecyclePolicy:LifecyclePolicy websplat-control-plane",
      "aws:ecr/repository:Repository websplat-agent-runtime",
      "aws:ecr/repository:Repository websplat-control-plane",
      "pulumi:pulumi:Stack websplat-platform-prod",
      "websplat:platform:ImageRegistries websplat",
    ]);
    expect(bootstrap.outputs).toMatchObject({
      runtimeRepositoryUrl: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/agent-runtime",
      controlPlaneRepositoryUrl: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/control-plane",
    });
  });
});
