import { expect, test } from "vitest";
import { renderPlatform } from "../support/platform-render.ts";

const CONTROL_PLANE = `sha256:${"c".repeat(64)}`;
const RUNTIME = `sha256:${"e".repeat(64)}`;

test("promoted digests pin the control plane and the tenant runtime image instead of their tags", async () => {
  const { declared } = await renderPlatform({
    "websplat:controlPlaneImageDigest": CONTROL_PLANE,
    "websplat:runtimeImageDigest": RUNTIME,
  });
  const deployment = declared.find(
    (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "websplat-control-plane-deployment",
  )!.inputs;
  const container = deployment.spec.template.spec.containers[0];
  expect(container.image).toBe(
    `123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/control-plane@${CONTROL_PLANE}`,
  );
  const runtime = container.env.find((e: { name: string }) => e.name === "WEBSPLAT_RUNTIME_IMAGE");
  expect(runtime.value).toBe(
    `123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/agent-runtime@${RUNTIME}`,
  );
}, 60_000);
