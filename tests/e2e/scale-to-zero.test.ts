import { beforeAll, expect, test } from "vitest";
import { createActiveTenants, fetchTenant, signInOwner, useControlPlane } from "../support/control-plane.ts";
import { alive } from "../support/processes.ts";
import { waitFor } from "../support/wait.ts";

const plane = useControlPlane({ env: { WEBSPLAT_IDLE_SECONDS: "2" } });
/** Only an owner's requests wake a runtime or keep it awake (a visitor's do not). */
const owners: Record<string, string> = {};
const ownerFetch = (slug: string, path: string) =>
  fetchTenant(plane(), slug, path, { headers: { cookie: owners[slug]! } });
const admin = () => ({ authorization: `Bearer ${plane().adminToken}`, "content-type": "application/json" });

beforeAll(async () => {
  await createActiveTenants(plane(), ["stz-quiet", "stz-busy"], { timeoutMs: 30_000 });
  // Signed in once asleep: the sign-in wakes the runtime, and no idle stop races the first request.
  for (const slug of ["stz-quiet", "stz-busy"]) {
    await waitFor(async () => (await runtimeOf(slug)).state === "idle", {
      what: `${slug} idle`,
      timeoutMs: 20_000,
    });
    owners[slug] = await signInOwner(plane(), slug);
  }
}, 90_000);

async function tenant(slug: string) {
  return await (await fetch(`${plane().url}/admin/tenants/${slug}`, { headers: admin() })).json();
}

const runtimeOf = async (slug: string) => (await tenant(slug)).outputs?.details?.runtime ?? {};

test("an idle tenant's runtime stops, costs no process, and its owner's next request wakes it and is answered", async () => {
  const before = await runtimeOf("stz-quiet");
  expect(before.state).toBe("running");
  const pid = before.pid as number;

  const idle = await waitFor(
    async () => {
      const runtime = await runtimeOf("stz-quiet");
      return runtime.state === "idle" ? runtime : null;
    },
    { what: "the quiet tenant to go idle", timeoutMs: 20_000 },
  );
  expect(idle.pid ?? null).toBeNull();
  expect(alive(pid)).toBe(false);

  // The request is held while the runtime starts, not failed.
  const response = await ownerFetch("stz-quiet", "/healthz");
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", tenant: "stz-quiet" });
  const woken = await runtimeOf("stz-quiet");
  expect(woken.state).toBe("running");
  expect(woken.pid).not.toBe(pid);
});

test("a tenant whose owner keeps sending requests is never stopped for idleness", async () => {
  expect((await ownerFetch("stz-busy", "/healthz")).status).toBe(200);
  const pid = (await runtimeOf("stz-busy")).pid as number;
  expect(pid).toBeGreaterThan(0);
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    expect((await ownerFetch("stz-busy", "/healthz")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  const runtime = await runtimeOf("stz-busy");
  expect(runtime.state).toBe("running");
  expect(runtime.pid).toBe(pid);
});
