import { describe, expect, it } from "vitest";
import { tenantHost } from "../../control-plane/http/tenant-host.ts";
import { tenantUrl as platformTenantUrl, type Services } from "../../control-plane/platform-services.ts";
import { PLACEHOLDER_PLATFORM as base } from "../../stacks/pulumi/render.ts";
import { type PlatformInput, tenantSpec, tenantUrl } from "../../tenant-template/index.ts";

const tenant = {
  slug: "acme-co",
  tier: "pro" as const,
  desired: "active" as const,
  generation: 1,
  ownerEmail: "o@a.test",
};

describe("a tenant's builder address", () => {
  const platforms: Array<[PlatformInput, string]> = [
    [base, "https://acme-co.websp.lat"],
    [{ ...base, publicPort: 443 }, "https://acme-co.websp.lat"],
    [{ ...base, publicPort: 8443 }, "https://acme-co.websp.lat:8443"],
    [{ ...base, scheme: "http", baseDomain: "localhost", publicPort: 8080 }, "http://acme-co.localhost:8080"],
    [{ ...base, scheme: "http", baseDomain: "localhost", publicPort: 80 }, "http://acme-co.localhost"],
  ];

  it("is the same in the tenant's spec, in the control plane's links and emails, and on its own", () => {
    for (const [platform, expected] of platforms) {
      expect(tenantUrl("acme-co", platform)).toBe(expected);
      expect(tenantSpec(tenant, platform).url).toBe(expected);
      expect(platformTenantUrl({ platform } as Services, "acme-co")).toBe(expected);
    }
  });

  it("is read back from a Host header by the gateway and the request log alike", () => {
    expect(tenantHost("Acme-Co.localhost:8080", "localhost")).toEqual({
      host: "acme-co.localhost",
      slug: "acme-co",
    });
    expect(tenantHost("acme-co.websp.lat", "websp.lat")).toEqual({
      host: "acme-co.websp.lat",
      slug: "acme-co",
    });
    expect(tenantHost("a.b.localhost", "localhost")).toEqual({ host: "a.b.localhost", slug: null });
    expect(tenantHost("localhost:8080", "localhost")).toBeUndefined();
    expect(tenantHost("evil-localhost", "localhost")).toBeUndefined();
    expect(tenantHost(undefined, "localhost")).toBeUndefined();
  });
});
