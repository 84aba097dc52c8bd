import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signOwnerToken } from "../../control-plane/auth/owner-token.ts";
import { type RuntimeProcess, startRuntimeProcess } from "../support/runtime/process.ts";
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

/** Issue 18, finding 10: a session an attacker copied must stop working when the owner acts. */
let tenant: TestTenant;
let runtime: RuntimeProcess;

beforeAll(async () => {
  tenant = await createTestTenant("revoke-co");
  runtime = await startRuntimeProcess(tenant.env);
});

afterAll(() => {
  if (runtime.child.exitCode === null) runtime.child.kill("SIGKILL");
});

async function signIn(url: string, token: string): Promise<string> {
  const response = await fetch(`${url}/auth/callback?token=${token}`, { redirect: "manual" });
  expect(response.status).toBe(302);
  return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
}

const projects = (url: string, cookie: string) =>
  fetch(`${url}/api/projects`, { headers: { cookie } }).then((response) => response.status);

describe("owner sessions can be ended", () => {
  test("a copied session cookie stops working once the owner signs out", async () => {
    const cookie = await signIn(runtime.url, tenant.signInToken());
    const copied = cookie;
    expect(await projects(runtime.url, copied)).toBe(200);

    const signOut = await fetch(`${runtime.url}/auth/signout`, {
      method: "POST",
      headers: { cookie, "sec-fetch-site": "same-origin" },
    });
    expect(signOut.status).toBe(200);
    expect(signOut.headers.get("set-cookie")).toMatch(/websplat_session=;/);
    expect(await signOut.text()).toContain("Email me a sign-in link");
    expect(await projects(runtime.url, copied)).toBe(401);
  });

  test("a cross-site form cannot sign the owner out", async () => {
    const cookie = await signIn(runtime.url, tenant.signInToken());
    const forged = await fetch(`${runtime.url}/auth/signout`, {
      method: "POST",
      headers: { cookie, "sec-fetch-site": "cross-site" },
    });
    expect(forged.status).toBe(403);
    expect(await projects(runtime.url, cookie)).toBe(200);
  });

  test("a link minted with a lifetime far beyond 15 minutes is refused, even though its signature is good", async () => {
    const { token } = signOwnerToken(tenant.privateKeyPem, {
      slug: tenant.slug,
      email: tenant.email,
      ttlSeconds: 30 * 86_400,
    });
    const response = await fetch(`${runtime.url}/auth/callback?token=${token}`, { redirect: "manual" });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("lifetime is longer than allowed");
  });

  test("changing the owner email revokes the sessions and unused links of the old email", async () => {
    const cookie = await signIn(runtime.url, tenant.signInToken());
    const unused = tenant.signInToken();
    expect(await projects(runtime.url, cookie)).toBe(200);

    // The platform restarts the runtime with the new owner email (a new WEBSPLAT_OWNER_EMAIL).
    runtime.child.kill("SIGTERM");
    await runtime.exited;
    runtime = await startRuntimeProcess({
      ...tenant.env,
      WEBSPLAT_OWNER_EMAIL: "new-owner@revoke-co.example",
    });

    expect(await projects(runtime.url, cookie)).toBe(401);
    const old = await fetch(`${runtime.url}/auth/callback?token=${unused}`, { redirect: "manual" });
    expect(old.status).toBe(401);
    const fresh = signOwnerToken(tenant.privateKeyPem, {
      slug: tenant.slug,
      email: "new-owner@revoke-co.example",
    }).token;
    expect(await projects(runtime.url, await signIn(runtime.url, fresh))).toBe(200);
  });
});
