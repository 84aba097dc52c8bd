import { beforeAll, expect, it } from "vitest";
import { createActiveTenants, fetchTenant, signInOwner, useControlPlane } from "../support/control-plane.ts";

/**
 * Cross-site request forgery against a signed-in owner. Every `*.websp.lat` tenant is same-site with the
 * others, so SameSite=Lax lets another tenant's page send the owner's cookie along: the runtime itself must
 * refuse writes that do not come from its own pages. Slugs start with "csrf-".
 */
const plane = useControlPlane();
let cookie: string;
const slug = "csrf-victim";
let ownOrigin: string;

beforeAll(async () => {
  await createActiveTenants(plane(), [slug], { tier: "studio" });
  cookie = await signInOwner(plane(), slug);
  ownOrigin = `http://${slug}.localhost:${plane().port}`;
}, 60_000);

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetchTenant(plane(), slug, path, { method: "POST", body, headers: { cookie, ...headers } });

const projectNames = async () =>
  (
    (await (
      await fetchTenant(plane(), slug, "/api/projects", { headers: { cookie, accept: "application/json" } })
    ).json()) as { projects: { name: string }[] }
  ).projects.map((project) => project.name);

it("a cross-site form posting a JSON-looking text/plain body is refused and creates nothing", async () => {
  const forged = await post("/api/projects", '{"name":"Forged by a form"}', {
    "content-type": "text/plain",
    origin: `http://attacker.localhost:${plane().port}`,
    "sec-fetch-site": "same-site",
  });
  expect(forged.status).toBe(403);
  // Even without the browser's provenance headers, the API takes JSON only.
  const plain = await post("/api/projects", '{"name":"Forged as text"}', { "content-type": "text/plain" });
  expect(plain.status).toBe(415);
  expect(await projectNames()).not.toContain("Forged by a form");
  expect(await projectNames()).not.toContain("Forged as text");
});

it("another tenant's page (same site, other origin) cannot write, even with a JSON body", async () => {
  const byOrigin = await post("/api/projects", '{"name":"From a neighbour"}', {
    "content-type": "application/json",
    origin: `http://other-tenant.localhost:${plane().port}`,
  });
  expect(byOrigin.status).toBe(403);
  expect((await byOrigin.json()).error.code).toBe("cross_site_request");
  const bySite = await post("/api/projects", '{"name":"From a neighbour"}', {
    "content-type": "application/json",
    "sec-fetch-site": "cross-site",
  });
  expect(bySite.status).toBe(403);
  expect(await projectNames()).not.toContain("From a neighbour");
});

it("the builder's own requests (same origin) and non-browser clients still work", async () => {
  const own = await post("/api/projects", '{"name":"Own page"}', {
    "content-type": "application/json",
    origin: ownOrigin,
    "sec-fetch-site": "same-origin",
  });
  expect(own.status).toBe(201);
  const script = await post("/api/projects", '{"name":"Script"}', { "content-type": "application/json" });
  expect(script.status).toBe(201);
});

it("the builder page has a strict CSP, refuses framing, and nothing is content-sniffed", async () => {
  const page = await fetchTenant(plane(), slug, "/", { headers: { cookie, accept: "text/html" } });
  expect(page.status).toBe(200);
  const csp = page.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).not.toContain("unsafe-inline");
  expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  const api = await fetchTenant(plane(), slug, "/api/projects", { headers: { cookie } });
  expect(api.headers.get("x-content-type-options")).toBe("nosniff");
});
