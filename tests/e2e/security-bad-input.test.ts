import { beforeAll, expect, it } from "vitest";
import { createActiveTenants, fetchTenant, signInOwner, useControlPlane } from "../support/control-plane.ts";

/**
 * Input meant to break the server rather than the rules: NULs, lone surrogates, broken %-escapes, hop-by-hop
 * headers. Each is the caller's mistake, answered with a 4xx that says so, and changes nothing. Slugs "bad-".
 */
const plane = useControlPlane();
let cookie: string;
const slug = "bad-input";

beforeAll(async () => {
  await createActiveTenants(plane(), [slug], { tier: "studio" });
  cookie = await signInOwner(plane(), slug);
}, 60_000);

const owner = (
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) =>
  fetchTenant(plane(), slug, path, {
    ...init,
    headers: { cookie, "content-type": "application/json", accept: "application/json", ...init.headers },
  });

it("a NUL in a signup's slug or email is a 400 that reserves nothing", async () => {
  for (const body of [
    { email: "nul@example.com", slug: "nul\u0000shop", tier: "starter" },
    { email: "nul\u0000@example.com", slug: "nul-shop", tier: "starter" },
  ]) {
    const response = await fetch(`${plane().url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toMatch(/^(invalid_text|slug_malformed|invalid_email)$/);
  }
  expect((await (await fetch(`${plane().url}/api/slugs/nul-shop`)).json()).available).toBe(true);
});

it("NULs and broken escapes in control-plane paths are answered, never a 5xx", async () => {
  const admin = { authorization: `Bearer ${plane().adminToken}` };
  for (const path of ["/admin/tenants/bad%00input", "/api/slugs/a%00b", "/checkout/local/%E0%A4%A"]) {
    const response = await fetch(`${plane().url}${path}`, { headers: admin });
    expect(response.status, path).toBeLessThan(500);
  }
});

it("a malformed %-escape in a preview path is a 400, not a URIError", async () => {
  const { project } = (await (
    await owner("/api/projects", { method: "POST", body: '{"name":"Escapes"}' })
  ).json()) as {
    project: { id: string };
  };
  const response = await owner(`/preview/${project.id}/%E0%A4%A`);
  expect(response.status).toBe(400);
  expect((await response.json()).error.code).toBe("malformed_path");
});

it("prompts and names with a NUL or a lone surrogate are refused with 400 and store nothing", async () => {
  const { project } = (await (
    await owner("/api/projects", { method: "POST", body: '{"name":"Texts"}' })
  ).json()) as {
    project: { id: string };
  };
  // What the tenant's database holds, read before and after: a refused request leaves it as it was.
  const stored = async () => ({
    projects: await (await owner("/api/projects")).json(),
    texts: await (await owner(`/api/projects/${project.id}`)).json(),
  });
  const before = await stored();
  expect(before.projects.projects.map((p: { name: string }) => p.name)).toContain("Texts");
  for (const prompt of ["A bakery\u0000site", "A café \ud800 site", "A \udc00 site"]) {
    const response = await owner(`/api/projects/${project.id}/runs`, {
      method: "POST",
      body: JSON.stringify({ prompt, autonomy: 1, creativity: 1 }),
    });
    expect(response.status, JSON.stringify(prompt)).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_text");
  }
  for (const name of ["N\u0000", "N \ud800"]) {
    const named = await owner("/api/projects", { method: "POST", body: JSON.stringify({ name }) });
    expect(named.status, JSON.stringify(name)).toBe(400);
  }
  expect(await stored()).toEqual(before);
});

it("Expect: 100-continue on a tenant request is handled at the gateway, never forwarded into a 503", async () => {
  const response = await owner("/api/projects", {
    method: "POST",
    body: '{"name":"Continued"}',
    headers: { expect: "100-continue" },
  });
  expect(response.status, await response.clone().text()).toBe(201);
});
