import { resolve } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin, settledActive, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

/** A stack operation (preview, refresh, cancel) left running by a control plane that died. Slugs "so-". */
describe("stack operations after a crash", () => {
  const planes: RunningControlPlane[] = [];

  afterAll(async () => {
    for (const plane of planes.reverse()) await plane.stop();
    for (const plane of planes) await plane.cleanup();
  });

  it("a refresh records the instance that runs it, so the next instance marks it interrupted and the tenant is reconciled again", async () => {
    const env = { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME, WEBSPLAT_IDLE_SECONDS: "0" };
    const first = await startControlPlane({ env });
    planes.push(first);
    expect(
      (
        await admin(first, "/admin/tenants", {
          method: "POST",
          body: { slug: "so-alpha", email: "owner@example.com", tier: "starter" },
        })
      ).status,
    ).toBeLessThan(300);
    await waitForTenant(first, "so-alpha", settledActive, { what: "active" });
    const started = await admin(first, "/admin/tenants/so-alpha/stack/refresh", { method: "POST" });
    const { operationId } = (await started.json()) as { operationId: string };

    const sql = postgres(first.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await waitFor(
        async () => {
          const rows =
            await sql`select status, instance_key from control_plane.operations where id = ${operationId}`;
          return rows[0]?.status === "succeeded" ? rows : null;
        },
        { what: "the refresh to finish" },
      );
      expect(row!.instance_key).not.toBeNull();
      // The moment of a crash, held still: the operation is running when its control plane is killed.
      await sql`update control_plane.operations set status = 'running', finished_at = null where id = ${operationId}`;
      await first.kill();

      const second = await startControlPlane({
        env,
        dataDir: first.dataDir,
        databaseUrl: first.databaseUrl,
      });
      planes.push(second);
      const [after] = await waitFor(
        async () => {
          const rows = await sql`select status from control_plane.operations where id = ${operationId}`;
          return rows[0]?.status === "running" ? null : rows;
        },
        { what: "the refresh to be marked interrupted" },
      );
      expect(after!.status).toBe("interrupted");
      const reconciles = await waitFor(
        async () => {
          const rows = await sql`select id from control_plane.operations
            where slug = 'so-alpha' and kind = 'reconcile' and status = 'succeeded' and created_at > (
              select created_at from control_plane.operations where id = ${operationId})`;
          return rows.length > 0 ? rows : null;
        },
        { what: "a reconcile after the interruption" },
      );
      expect(reconciles.length).toBeGreaterThan(0);
      await waitForTenant(second, "so-alpha", settledActive, { what: "active again" });
    } finally {
      await sql.end();
    }
  }, 120_000);
});
