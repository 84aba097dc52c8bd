import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane.ts";
import { activeTenant, ownerOf } from "../support/site-tenant.ts";
import { formPost, hostRequest } from "../support/sites.ts";

/**
 * Limits per client behind the trusted proxy (here: this machine, as the ingress would be): every limiter keys
 * on the client the proxy names, never on the proxy itself, and a client cannot name itself. Slugs "cad-".
 */
const plane = useControlPlane({ env: { WEBSPLAT_TRUSTED_PROXY: "127.0.0.1,::1" } });

const signIn = (email: string, headers: Record<string, string>) =>
  fetch(`${plane().url}/signin`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ email }),
  });

describe("sign-in limits count each client behind the proxy, not the proxy", () => {
  it("thirty different visitors relayed by the proxy are all answered; none is locked out by the others", async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 30; n++) {
      const answer = await signIn(`visitor${n}@ca.example`, { "x-forwarded-for": `203.0.113.${n}` });
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it("visitors named by Cloudflare's CF-Connecting-IP are counted apart too", async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 30; n++) {
      const answer = await signIn(`cf${n}@ca.example`, {
        "cf-connecting-ip": `2001:db8::${n.toString(16)}`,
        "x-forwarded-for": "198.51.100.200",
      });
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it("one client is still limited, however it rewrites the left of X-Forwarded-For", async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 25; n++) {
      // The proxy appends the real client (198.51.100.7); whatever the client wrote before it is not believed.
      const answer = await signIn(`spoof${n}@ca.example`, { "x-forwarded-for": `10.9.9.${n}, 198.51.100.7` });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
  });
});

describe("wrong admin tokens lock out the guesser, not everyone behind the proxy", () => {
  it("after one client's burst of wrong tokens, another client with the right token is served", async () => {
    const guesser = { "cf-connecting-ip": "192.0.2.66" };
    let locked = 0;
    for (let n = 0; n < 25; n++) {
      const answer = await fetch(`${plane().url}/admin/tenants`, {
        headers: { ...guesser, authorization: `Bearer wrong-token-${n}` },
      });
      if (answer.status === 429) locked++;
    }
    expect(locked).toBeGreaterThan(0);
    const operator = await fetch(`${plane().url}/admin/tenants`, {
      headers: { "cf-connecting-ip": "192.0.2.10", authorization: `Bearer ${plane().adminToken}` },
    });
    expect(operator.status).toBe(200);
  });
});

describe("site form limits count each visitor behind the proxy", () => {
  it("forty visitors relayed by the proxy each submit the contact form; none is refused for the others", async () => {
    await activeTenant(plane(), "cad-forms", "starter");
    const owner = await ownerOf(plane(), "cad-forms");
    const project = (await owner.post("/api/projects", { name: "Studio" })).body.project.id;
    await owner.build(project, "A website for a pottery studio with about, classes and a contact form");
    expect((await owner.post(`/api/projects/${project}/publish`)).status).toBe(201);

    const statuses: number[] = [];
    for (let n = 1; n <= 40; n++) {
      const answer = await hostRequest(
        plane().port,
        "studio--cad-forms.sites.localhost",
        "/_forms/contact",
        formPost(
          { email: `visitor${n}@example.test`, message: `hello ${n}` },
          { accept: "application/json", "x-forwarded-for": `198.51.100.${n}` },
        ),
      );
      statuses.push(answer.status);
    }
    expect(statuses).toEqual(Array(40).fill(201));
  }, 120_000);
});
