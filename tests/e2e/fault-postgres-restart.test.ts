import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDatabase } from "../../control-plane/db/client.ts";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../control-plane/db/embedded.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { checkoutSession, sign, stripeEvent } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

/**
 * The control plane's own PostgreSQL goes away and comes back while Stripe keeps delivering: the webhook
 * answers 5xx while it cannot record (so Stripe retries), readiness follows the database, the process
 * survives, and no event it acknowledged is lost. This file runs its own PostgreSQL so it can stop it.
 * Slugs start with "fp-".
 */
describe("fault: PostgreSQL restarted under webhook load", () => {
  let dir: string;
  let password: string;
  let database: EmbeddedDatabase | null = null;
  let databaseUrl: string;
  let plane: RunningControlPlane;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "websplat-fault-pg-"));
    password = randomBytes(12).toString("hex");
    database = await startEmbeddedPostgres({ dir, password });
    databaseUrl = await ensureDatabase(database.url, "fault_pg");
    plane = await startControlPlane({
      databaseUrl,
      env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME, WEBSPLAT_IDLE_SECONDS: "0" },
    });
  }, 90_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await database?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const readyz = async () => {
    if (plane.process.exitCode !== null || plane.process.signalCode !== null)
      throw new Error(`the control plane exited:\n${plane.output().slice(-4000)}`);
    return (await fetch(`${plane.url}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  };

  it("answers 5xx while it cannot record, goes unready then ready, and loses no acknowledged event", async () => {
    expect(await readyz()).toBe(200);
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    let loading = true;
    let timeouts = 0;
    const failures: string[] = [];

    // A steady stream of distinct events, a few at a time, until told to stop (bounded in count and time).
    const deadline = Date.now() + 90_000;
    const sender = async (worker: number) => {
      for (let i = 0; loading && i < 50_000 && Date.now() < deadline; i++) {
        const slug = `fp-w${worker}-${i}`;
        const event = stripeEvent(
          "checkout.session.completed",
          checkoutSession({ slug, paymentStatus: "unpaid" }),
        );
        sent++;
        const body = JSON.stringify(event);
        try {
          // Like Stripe, give up on an answer after a while (and count it as not acknowledged).
          const response = await fetch(`${plane.url}/webhooks/stripe`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "stripe-signature": sign(body, plane.webhookSecret),
            },
            body,
            signal: AbortSignal.timeout(5000),
          });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          await response.text();
          if (response.status >= 200 && response.status < 300) acknowledged.push(event.id);
        } catch (error) {
          if ((error as Error).name === "TimeoutError") {
            timeouts++;
            continue;
          }
          failures.push(`the webhook did not answer (${(error as Error).message})`);
          return;
        }
      }
    };
    const senders = Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(sender));

    await waitFor(() => acknowledged.length >= 20, { timeoutMs: 10_000, what: "events to be acknowledged" });
    const port = database!.port;
    await database!.stop();
    database = null;

    // While the database is down: readiness is false and the webhook answers 5xx, never 2xx.
    await waitFor(async () => (await readyz()) === 503, { timeoutMs: 15_000, what: "/readyz to turn 503" });
    const downSince = statuses.get(503) ?? 0;
    await waitFor(() => (statuses.get(503) ?? 0) >= downSince + 20, {
      timeoutMs: 15_000,
      what: "the webhook to answer 503 while the database is down",
    });
    const acknowledgedWhileDown = acknowledged.length;
    await waitFor(() => (statuses.get(503) ?? 0) >= downSince + 40, { timeoutMs: 15_000, what: "more 503s" });
    expect(acknowledged.length).toBe(acknowledgedWhileDown);

    database = await startEmbeddedPostgres({ dir, password, port });
    await waitFor(async () => (await readyz()) === 200, {
      timeoutMs: 30_000,
      what: "/readyz to turn 200 after the database is back",
    });
    const afterRestart = acknowledged.length;
    await waitFor(
      () => {
        if (acknowledged.length >= afterRestart + 20) return true;
        throw new Error(
          `statuses ${JSON.stringify([...statuses])}, ${timeouts} timeouts, failures ${failures.slice(0, 3)}; ${plane.output().slice(-3000)}`,
        );
      },
      {
        // postgres.js can take tens of seconds to drop connections the restart broke; until then a
        // delivery is answered 503 (never a lost 200), which is what Stripe's retries are for.
        timeoutMs: 45_000,
        what: "events to be acknowledged again",
      },
    );
    loading = false;
    await senders;

    expect(failures, plane.output().slice(-4000)).toEqual([]);
    expect(plane.process.exitCode).toBeNull();
    expect(plane.process.signalCode).toBeNull();
    const codes = [...statuses.keys()].sort();
    expect(
      codes.every((code) => code === 200 || code === 503),
      `statuses: ${JSON.stringify([...statuses])}`,
    ).toBe(true);
    expect(statuses.get(503)).toBeGreaterThanOrEqual(40);

    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ id: string }[]>`select id from control_plane.stripe_events`;
      const recorded = new Set(rows.map((row) => row.id));
      const lost = acknowledged.filter((id) => !recorded.has(id));
      expect(lost, `${acknowledged.length} acknowledged of ${sent} sent`).toEqual([]);
      // And every recorded event is processed in the end (the sweep picks up what the outage cut short).
      await waitFor(
        async () => {
          const [row] =
            await sql`select count(*)::int as n from control_plane.stripe_events where processed_at is null`;
          return row?.n === 0;
        },
        { timeoutMs: 30_000, what: "every recorded event to be processed" },
      );
    } finally {
      await sql.end();
    }
  }, 120_000);
});
