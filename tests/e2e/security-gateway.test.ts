import { request } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import { createActiveTenants, fetchTenant, signInOwner, useControlPlane } from "../support/control-plane.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Attacks on tenant hosts through the gateway: locking the owner out with anonymous traffic, keeping idle
 * runtimes awake, oversized bodies, hop-by-hop headers. Slugs start with "gw-"; runtimes sleep after 2 s.
 */
const plane = useControlPlane({ env: { WEBSPLAT_IDLE_SECONDS: "2" } });
const cookies: Record<string, string> = {};
const admin = () => ({ authorization: `Bearer ${plane().adminToken}`, "content-type": "application/json" });

beforeAll(async () => {
  await createActiveTenants(plane(), ["gw-owner", "gw-sleepy"]);
  // Signed in once asleep: the sign-in wakes them (and no idle stop races the first request).
  for (const slug of ["gw-owner", "gw-sleepy"]) {
    await asleep(slug);
    cookies[slug] = await signInOwner(plane(), slug);
  }
}, 90_000);

async function tenant(slug: string) {
  return await (await fetch(`${plane().url}/admin/tenants/${slug}`, { headers: admin() })).json();
}
const runtimeOf = async (slug: string) => (await tenant(slug)).outputs?.details?.runtime ?? {};
const owner = (slug: string, path: string, init: RequestInit = {}) =>
  fetchTenant(plane(), slug, path, {
    ...init,
    headers: { cookie: cookies[slug]!, accept: "application/json", ...(init.headers as object) },
  });
const asleep = (slug: string) =>
  waitFor(async () => (await runtimeOf(slug)).state === "idle", {
    what: `${slug} to go idle`,
    timeoutMs: 20_000,
  });

describe("anonymous traffic cannot lock the owner out", () => {
  it("while a visitor floods the tenant's host into 429s, the signed-in owner is still served", async () => {
    expect(cookies["gw-owner"]).toContain("websplat_pass=");
    const flood = await Promise.all(
      Array.from({ length: 200 }, () => fetchTenant(plane(), "gw-owner", "/api/projects")),
    );
    expect(flood.filter((response) => response.status === 429).length).toBeGreaterThan(0);
    const answer = await owner("gw-owner", "/api/projects");
    expect(answer.status).toBe(200);
  });
});

describe("only an owner wakes a sleeping runtime", () => {
  it("a visitor gets a light page from the gateway and the runtime stays asleep; the owner's request wakes it", async () => {
    await asleep("gw-sleepy");
    const page = await fetchTenant(plane(), "gw-sleepy", "/", { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain("This WebSplat is private");
    const api = await fetchTenant(plane(), "gw-sleepy", "/api/projects");
    expect(api.status).toBe(401);
    expect((await api.json()).error.code).toBe("not_signed_in");
    // A forged or borrowed pass does not count: it is bound to its own session.
    const forged = await fetchTenant(plane(), "gw-sleepy", "/api/projects", {
      headers: { cookie: `${cookies["gw-owner"]!}` },
    });
    expect(forged.status).toBe(401);
    expect((await runtimeOf("gw-sleepy")).state).toBe("idle");

    const woken = await owner("gw-sleepy", "/api/projects");
    expect(woken.status).toBe(200);
    expect((await runtimeOf("gw-sleepy")).state).toBe("running");
  }, 60_000);

  it("the sign-in callback wakes it too (that is how an owner gets a session)", async () => {
    await asleep("gw-sleepy");
    cookies["gw-sleepy"] = await signInOwner(plane(), "gw-sleepy");
    expect((await runtimeOf("gw-sleepy")).state).toBe("running");
  }, 60_000);

  it("an anonymous sign-in callback with a made-up, tampered or other tenant's token neither wakes it nor keeps it awake", async () => {
    await asleep("gw-sleepy");
    const link = await fetch(`${plane().url}/admin/tenants/gw-owner/owner-link`, {
      method: "POST",
      headers: admin(),
    });
    const otherTenants = new URL(((await link.json()) as { url: string }).url).searchParams.get("token")!;
    const [head, claims] = otherTenants.split(".") as [string, string];
    const forgedClaims = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(claims, "base64url").toString()), aud: "gw-sleepy" }),
    ).toString("base64url");
    const tokens = ["junk", otherTenants, `${head}.${forgedClaims}.${otherTenants.split(".")[2]}`, ""];
    for (const token of tokens) {
      const answer = await fetchTenant(
        plane(),
        "gw-sleepy",
        `/auth/callback?token=${encodeURIComponent(token)}`,
      );
      expect(answer.status, token).toBe(401);
      expect(await answer.text()).toContain("sign-in link is not valid");
    }
    expect((await runtimeOf("gw-sleepy")).state).toBe("idle");

    // Running, it still goes to sleep however many junk callbacks arrive.
    expect((await owner("gw-sleepy", "/api/projects")).status).toBe(200);
    const until = Date.now() + 20_000;
    let state = "running";
    while (Date.now() < until && state !== "idle") {
      await fetchTenant(plane(), "gw-sleepy", "/auth/callback?token=junk");
      await new Promise((resolve) => setTimeout(resolve, 300));
      state = (await runtimeOf("gw-sleepy")).state;
    }
    expect(state).toBe("idle");
  }, 60_000);

  it("a visitor's steady requests do not keep a running runtime awake", async () => {
    expect((await owner("gw-sleepy", "/api/projects")).status).toBe(200);
    const until = Date.now() + 20_000;
    let state = "running";
    while (Date.now() < until && state !== "idle") {
      await fetchTenant(plane(), "gw-sleepy", "/healthz");
      await new Promise((resolve) => setTimeout(resolve, 300));
      state = (await runtimeOf("gw-sleepy")).state;
    }
    expect(state).toBe("idle");
  }, 40_000);
});

describe("tenant request bodies are limited by tier", () => {
  it("a body over the starter limit is refused with 413 before it reaches the runtime, with or without Content-Length", async () => {
    const big = "x".repeat(3 * 1024 * 1024);
    const declared = await owner("gw-owner", "/api/projects", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length + 11) },
      body: JSON.stringify({ name: big }),
    });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe("payload_too_large");

    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: plane().port,
          path: "/api/projects",
          method: "POST",
          headers: {
            host: `gw-owner.localhost:${plane().port}`,
            cookie: cookies["gw-owner"],
            "content-type": "application/json",
            "transfer-encoding": "chunked",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", (error) => ((error as NodeJS.ErrnoException).code === "EPIPE" ? null : reject(error)));
      for (let i = 0; i < 48; i++) req.write("x".repeat(64 * 1024));
      req.end();
    });
    expect(streamed).toBe(413);
    expect((await owner("gw-owner", "/api/projects")).status).toBe(200);
  }, 30_000);
});

describe("hop-by-hop headers stay at the gateway", () => {
  it("Expect: 100-continue on a tenant request is answered, not a 503", async () => {
    const health = await fetchTenant(plane(), "gw-owner", "/healthz", {
      headers: { expect: "100-continue" },
    });
    expect(health.status).toBe(200);
    const created = await owner("gw-owner", "/api/projects", {
      method: "POST",
      headers: { "content-type": "application/json", expect: "100-continue" },
      body: JSON.stringify({ name: "Continued" }),
    });
    expect(created.status).toBeLessThan(500);
    expect(created.status).toBe(201);
  });
});
