import {
  type PlatformInput,
  type TenantSpec,
  type TierName,
  tenantSpec,
} from "../../tenant-template/index.ts";

/** The platform of a local test: tenants on localhost, their database in `database` (a postgres:// URL). */
export function testPlatform(database: URL): PlatformInput {
  return {
    baseDomain: "localhost",
    scheme: "http",
    runtimeImage: "websplat/agent-runtime:test",
    ingressNamespace: "ingress-nginx",
    ingressClassName: "nginx",
    ingressHostname: "localhost",
    postgres: { host: database.hostname, port: Number(database.port), database: database.pathname.slice(1) },
    ownerPublicKey: "unused",
    model: {},
  };
}

/** An active tenant's spec (generation 1) on that platform. */
export function testTenantSpec(slug: string, database: URL, tier: TierName = "starter"): TenantSpec {
  return tenantSpec(
    { slug, tier, desired: "active", generation: 1, ownerEmail: `${slug}@example.com` },
    testPlatform(database),
  );
}
