import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { tenantViolations } from "../../stacks/pulumi/guardrails/rules.ts";
import { renderTenant } from "../../stacks/pulumi/render.ts";

test("`stack render --format json` lists every declared resource with its Pulumi type token", async () => {
  const resources = JSON.parse(await renderTenant({ slug: "acme", tier: "pro", format: "json" }));
  const types = resources.map((resource: { type: string }) => resource.type);
  expect(types).toEqual(
    expect.arrayContaining([
      "kubernetes:apps/v1:Deployment",
      "postgresql:index/role:Role",
      "cloudflare:index/dnsRecord:DnsRecord",
      "pulumi:providers:kubernetes",
    ]),
  );
  expect(JSON.stringify(resources)).not.toContain("placeholder-password");
});

test("the render script prints valid manifests with no network and no credentials", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["stacks/pulumi/render.ts", "acme", "--tier", "pro", "--format", "yaml"],
    { env: { PATH: "", HOME: "/nonexistent" }, timeout: 20_000 },
  );
  const documents = parseAllDocuments(stdout, { version: "1.1" }).map((document) => document.toJS());
  expect(documents.map((object) => object.kind)).toEqual([
    "Namespace",
    "RoleBinding",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "NetworkPolicy",
    "NetworkPolicy",
    "NetworkPolicy",
    "NetworkPolicy",
    "NetworkPolicy",
    "ServiceAccount",
    "Secret",
    "Service",
    "Deployment",
    "Ingress",
  ]);
  expect(tenantViolations(documents)).toEqual([]);
  expect(stdout).not.toMatch(/placeholder-(model-key|api-token|password)/);
});
