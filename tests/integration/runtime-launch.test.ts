import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RuntimeProcess, startRuntimeProcess } from "../support/runtime/process.ts";
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

let tenant: TestTenant;
let runtime: RuntimeProcess;

beforeAll(async () => {
  tenant = await createTestTenant("launch-co");
  runtime = await startRuntimeProcess(tenant.env);
});
afterAll(() => {
  if (runtime.child.exitCode === null) runtime.child.kill("SIGKILL");
});

describe("launch contract", () => {
  test("healthz answers ok with the tenant's slug once migrations are applied", async () => {
    const response = await fetch(`${runtime.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", tenant: "launch-co" });
  });

  test("migrations run under the tenant role and keep their bookkeeping in the tenant schema", async () => {
    const admin = postgres(tenant.adminUrl, { max: 1, onnotice: () => {} });
    const tables = await admin<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema')`;
    await admin.end();
    expect(new Set(tables.map((t) => t.schema))).toEqual(new Set(["t_launch_co"]));
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["__drizzle_migrations", "runs", "checkpoints"]),
    );
  });

  test("a bad variable stops start with one line naming it", () => {
    const result = spawnSync(process.execPath, ["agent-runtime/main.ts"], {
      env: { PATH: process.env.PATH ?? "", ...tenant.env, WEBSPLAT_TIER: "platinum" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("WEBSPLAT_TIER");
  });

  test("a one-time link signs the owner in once; the session opens the builder", async () => {
    const token = tenant.signInToken();
    const first = await fetch(`${runtime.url}/auth/callback?token=${token}`, { redirect: "manual" });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/");
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const session = cookie.split(";")[0]!;
    const api = await fetch(`${runtime.url}/api/projects`, { headers: { cookie: session } });
    expect(api.status).toBe(200);

    const again = await fetch(`${runtime.url}/auth/callback?token=${token}`, { redirect: "manual" });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain("already used");
  });

  test("a link for another tenant, or an expired one, is refused", async () => {
    const other = await fetch(
      `${runtime.url}/auth/callback?token=${tenant.signInToken({ slug: "other-co" })}`,
    );
    expect(other.status).toBe(401);
    expect(await other.text()).toContain("another site");
    const expired = await fetch(
      `${runtime.url}/auth/callback?token=${tenant.signInToken({ ttlSeconds: -5 })}`,
    );
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain("expired");
  });

  test("an unknown project is a 404 with a code", async () => {
    const token = tenant.signInToken();
    const signedIn = await fetch(`${runtime.url}/auth/callback?token=${token}`, { redirect: "manual" });
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    const response = await fetch(`${runtime.url}/api/projects/not-a-project`, { headers: { cookie } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "project_not_found" } });
  });

  test("without a session, pages explain how to sign in and APIs answer 401 JSON", async () => {
    const page = await fetch(`${runtime.url}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain("websplat tenants owner-link launch-co");
    const api = await fetch(`${runtime.url}/api/projects`);
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: { code: "not_signed_in" } });
  });

  test("SIGTERM exits 0 within a few seconds", async () => {
    runtime.child.kill("SIGTERM");
    const { code } = await runtime.exited;
    expect(code).toBe(0);
  });
});
