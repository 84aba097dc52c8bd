import { beforeAll, expect, test } from "vitest";
import { type PlatformRender, renderPlatform } from "../support/platform-render.ts";

let full: PlatformRender;
beforeAll(async () => {
  full = await renderPlatform();
});

test("the full platform keeps the registries the bootstrap `up` created: same component, names and types, so nothing is replaced", () => {
  const registries = full.declared.filter(
    (resource) =>
      resource.type.startsWith("aws:ecr/") || resource.type === "websplat:platform:ImageRegistries",
  );
  expect(registries.map((resource) => `${resource.type} ${resource.name}`).sort()).toEqual([
    "aws:ecr/lifecyclePolicy:LifecyclePolicy websplat-agent-runtime",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy websplat-control-plane",
    "aws:ecr/repository:Repository websplat-agent-runtime",
    "aws:ecr/repository:Repository websplat-control-plane",
    "websplat:platform:ImageRegistries websplat",
  ]);
  // Parented by the registries component in both phases: the URNs are the same.
  const parent = full.options.get("websplat-agent-runtime")?.parent as { __pulumiType?: string } | undefined;
  expect(parent?.__pulumiType).toBe("websplat:platform:ImageRegistries");
});
