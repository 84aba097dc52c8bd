import { beforeAll, describe, expect, test } from "vitest";
import { type Declared, renderPlatform, stackConfig } from "../support/platform-render.ts";

// biome-ignore lint/suspicious/noExplicitAny: rendered inputs are compared by shape.
type Loose = any;

/** Leaf paths where two values differ, e.g. `aws:rds/instance:Instance websplat-db .instanceClass`. */
function differences(a: Loose, b: Loose, path = ""): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return Object.is(a, b) ? [] : [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => differences(a[key], b[key], `${path}.${key}`));
}

const STACK = "pulumi:pulumi:Stack";
let prod: Declared[];
let staging: Declared[];
let stagingConfig: Record<string, string>;
let prodConfig: Record<string, string>;

beforeAll(async () => {
  prodConfig = await stackConfig("prod");
  stagingConfig = await stackConfig("staging");
  ({ declared: prod } = await renderPlatform({}, prodConfig, "prod"));
  ({ declared: staging } = await renderPlatform({}, stagingConfig, "staging"));
}, 60_000);

describe("the staging platform stack", () => {
  test("declares the same resources as production, by type and name", () => {
    const names = (declared: Declared[]) =>
      declared
        .filter((r) => r.type !== STACK)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
    expect(names(staging)).toEqual(names(prod));
    expect(staging.length).toBeGreaterThan(20);
  });

  test("differs from production only in its size and its domains", () => {
    // Staging's own names written as production's: what remains different is size alone.
    const asProd = (declared: Declared[]) =>
      JSON.parse(
        JSON.stringify(declared)
          .replaceAll(stagingConfig["websplat:sitesZoneId"]!, prodConfig["websplat:sitesZoneId"]!)
          .replaceAll(stagingConfig["websplat:cloudflareZoneId"]!, prodConfig["websplat:cloudflareZoneId"]!)
          .replaceAll(stagingConfig["websplat:sitesDomain"]!, prodConfig["websplat:sitesDomain"]!)
          .replaceAll(stagingConfig["websplat:domain"]!, prodConfig["websplat:domain"]!),
      ) as Declared[];
    const byName = new Map(prod.map((r) => [`${r.type} ${r.name}`, r.inputs]));
    const found = asProd(staging.filter((r) => r.type !== STACK)).flatMap((r) =>
      differences(byName.get(`${r.type} ${r.name}`), r.inputs).map((path) => `${r.type} ${r.name} ${path}`),
    );
    expect(found.sort()).toEqual(
      [
        "aws:eks/nodeGroup:NodeGroup websplat-nodes .instanceTypes.0",
        "aws:eks/nodeGroup:NodeGroup websplat-nodes .scalingConfig.desiredSize",
        "aws:eks/nodeGroup:NodeGroup websplat-nodes .scalingConfig.maxSize",
        "aws:eks/nodeGroup:NodeGroup websplat-nodes .scalingConfig.minSize",
        "aws:rds/instance:Instance websplat-postgres .allocatedStorage",
        "aws:rds/instance:Instance websplat-postgres .maxAllocatedStorage",
        "aws:rds/instance:Instance websplat-postgres .instanceClass",
        "aws:rds/instance:Instance websplat-postgres .multiAz",
        "kubernetes:apps/v1:Deployment websplat-control-plane-deployment .spec.replicas",
      ].sort(),
    );
  });

  test("is smaller than production in each of those", () => {
    const inputs = (declared: Declared[], type: string) => declared.find((r) => r.type === type)!.inputs;
    const nodes = (d: Declared[]) => inputs(d, "aws:eks/nodeGroup:NodeGroup").scalingConfig;
    expect(nodes(staging).maxSize).toBeLessThan(nodes(prod).maxSize);
    expect(nodes(staging).desiredSize).toBeLessThan(nodes(prod).desiredSize);
    expect(inputs(staging, "aws:rds/instance:Instance").allocatedStorage).toBeLessThan(
      inputs(prod, "aws:rds/instance:Instance").allocatedStorage,
    );
    expect(inputs(staging, "aws:rds/instance:Instance").multiAz).toBe(false);
    expect(inputs(prod, "aws:rds/instance:Instance").multiAz).toBe(true);
    const replicas = (d: Declared[]) =>
      d.find(
        (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "websplat-control-plane-deployment",
      )!.inputs.spec.replicas;
    expect(replicas(staging)).toBeLessThan(replicas(prod));
  });

  test("has its own domain and sites domain, neither inside production's", () => {
    const own = (key: string) => stagingConfig[key]!;
    expect(own("websplat:domain")).not.toBe(prodConfig["websplat:domain"]);
    expect(own("websplat:sitesDomain")).not.toContain(own("websplat:domain"));
    for (const key of ["websplat:domain", "websplat:sitesDomain"])
      expect(own(key).endsWith(`.${prodConfig["websplat:domain"]}`)).toBe(false);
    // Every name the world reaches staging by is under one of its own two domains.
    const hostnames = [
      ...staging
        .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")
        // The sites Ingress's host-less rule serves customers' own domains (custom hostnames), not staging's names.
        .flatMap((r) => r.inputs.spec.rules.flatMap((rule: { host?: string }) => rule.host ?? [])),
      ...staging
        .filter((r) => r.type === "kubernetes:cert-manager.io/v1:Certificate")
        .flatMap((r) => r.inputs.spec.dnsNames),
      ...staging.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord").map((r) => r.inputs.name),
    ];
    expect(hostnames.length).toBeGreaterThan(3);
    for (const host of hostnames) expect(host).toMatch(/(^|\.)websplat-staging(-sites)?\.net$/);
    expect(hostnames.some((host) => host.endsWith(".websplat-staging-sites.net"))).toBe(true);
  });
});
