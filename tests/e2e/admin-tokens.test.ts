import { createHash } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin } from "../support/stripe-events.ts";

/** Named admin tokens: created once, stored hashed, used, listed, revoked; the bootstrap token stays. */
describe("admin tokens", () => {
  let plane: RunningControlPlane;
  let sql: postgres.Sql;

  beforeAll(async () => {
    plane = await startControlPlane({ env: { LOG_LEVEL: "info" } });
    sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a created token works at once, is listed with its last use but never its value, and stops working when revoked", async () => {
    const created = await admin(plane, "/admin/tokens", { method: "POST", body: { name: "ci deploy" } });
    expect(created.status).toBe(201);
    const { id, token, name, createdBy } = (await created.json()) as {
      id: string;
      token: string;
      name: string;
      createdBy: string;
    };
    expect(token).toMatch(/^wsa_[\w-]{40,}$/);
    expect({ name, createdBy }).toEqual({ name: "ci deploy", createdBy: "admin:bootstrap" });

    expect((await admin(plane, "/admin/tenants", { token })).status).toBe(200);

    const listed = await admin(plane, "/admin/tokens", { token });
    const listText = await listed.text();
    expect(listText).not.toContain(token);
    const { tokens } = JSON.parse(listText) as { tokens: Array<Record<string, unknown>> };
    const entry = tokens.find((t) => t.id === id)!;
    expect(entry).toMatchObject({ name: "ci deploy", revokedAt: null, lastUsedAt: expect.any(String) });
    expect(Object.keys(entry).sort()).toEqual([
      "createdAt",
      "createdBy",
      "id",
      "lastUsedAt",
      "name",
      "revokedAt",
    ]);

    // Only the SHA-256 is kept.
    const rows = await sql`select * from control_plane.admin_tokens where id = ${id}`;
    expect(rows[0]!.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(token);

    const revoked = await admin(plane, `/admin/tokens/${id}`, { method: "DELETE", token });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id, revokedAt: expect.any(String) });
    const refused = await admin(plane, "/admin/tenants", { token });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("unauthorized");

    // The bootstrap token is not in the table and keeps working.
    expect((await admin(plane, "/admin/tenants")).status).toBe(200);
    // Revoking again changes nothing; an unknown id is a 404.
    const firstRevoke = (await (await admin(plane, "/admin/tokens")).json()).tokens.find(
      (t: { id: string }) => t.id === id,
    ).revokedAt;
    const again = await admin(plane, `/admin/tokens/${id}`, { method: "DELETE" });
    expect((await again.json()).revokedAt).toBe(firstRevoke);
    expect(
      (await admin(plane, "/admin/tokens/00000000-0000-4000-8000-000000000000", { method: "DELETE" })).status,
    ).toBe(404);
  });

  it("creating and revoking are audited under the caller's name, and no log line holds a token", async () => {
    const first = (await (
      await admin(plane, "/admin/tokens", { method: "POST", body: { name: "ops laptop" } })
    ).json()) as {
      id: string;
      token: string;
    };
    const second = await admin(plane, "/admin/tokens", {
      method: "POST",
      body: { name: "rotation" },
      token: first.token,
    });
    const rotated = (await second.json()) as { id: string; token: string; createdBy: string };
    expect(rotated.createdBy).toBe("admin:token:ops laptop");
    expect(
      (await admin(plane, `/admin/tokens/${first.id}`, { method: "DELETE", token: rotated.token })).status,
    ).toBe(200);

    const { entries } = (await (await admin(plane, "/admin/audit?limit=50")).json()) as {
      entries: Array<{ actor: string; action: string; details: { id: string } }>;
    };
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: "admin:bootstrap",
          action: "admin_token.create",
          details: expect.objectContaining({ id: first.id }),
        }),
        expect.objectContaining({
          actor: "admin:token:ops laptop",
          action: "admin_token.create",
          details: expect.objectContaining({ id: rotated.id }),
        }),
        expect.objectContaining({
          actor: "admin:token:rotation",
          action: "admin_token.revoke",
          details: expect.objectContaining({ id: first.id }),
        }),
      ]),
    );
    const output = plane.output();
    expect(output).toContain("admin_token.revoke");
    expect(output).not.toContain(first.token);
    expect(output).not.toContain(rotated.token);
  });

  it("websplat tokens create, list and revoke manage them from the command line", async () => {
    const target = { url: plane.url, adminToken: plane.adminToken };
    const created = await websplat(["tokens", "create", "on call", "--json"], target);
    expect(created.code).toBe(0);
    const { id, token } = json<{ id: string; token: string }>(created);

    const listed = await websplat(["tokens", "list"], { url: plane.url, adminToken: token });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("on call");
    expect(listed.stdout).not.toContain(token);

    const revoked = await websplat(["tokens", "revoke", id], target);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain("revoked on call");
    const refused = await websplat(["tokens", "list"], { url: plane.url, adminToken: token });
    expect(refused.code).toBe(1);
  });

  it("websplat audit reads the audit log, filtered by action, as a table or as JSON", async () => {
    const target = { url: plane.url, adminToken: plane.adminToken };
    const created = await websplat(["tokens", "create", "audited", "--json"], target);
    expect(created.code).toBe(0);
    const table = await websplat(["audit", "--action", "admin_token.create"], target);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("admin_token.create");
    const asJson = json<{ entries: Array<{ action: string }> }>(
      await websplat(["audit", "--action", "admin_token.create", "--json"], target),
    );
    expect(asJson.entries.length).toBeGreaterThan(0);
    expect(asJson.entries.every((entry) => entry.action === "admin_token.create")).toBe(true);
    expect(
      (await websplat(["audit"], { url: plane.url, adminToken: "wrong-token-wrong-token-wrong" })).code,
    ).toBe(1);
  });

  it("a token name is required and plain", async () => {
    expect((await admin(plane, "/admin/tokens", { method: "POST", body: {} })).status).toBe(400);
    expect((await admin(plane, "/admin/tokens", { method: "POST", body: { name: "<script>" } })).status).toBe(
      400,
    );
    expect(
      (await admin(plane, "/admin/tokens", { method: "POST", body: { name: "x" }, token: null })).status,
    ).toBe(401);
  });
});
