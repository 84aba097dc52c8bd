import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type DatabaseHandle, migrateDatabase } from "../../control-plane/db/client.ts";
import { rollUp, uptime } from "../../control-plane/probes/index.ts";
import { createTestDatabase } from "../support/db.ts";

const DAY = 86_400_000;
let database: DatabaseHandle;

beforeAll(async () => {
  database = connect(await createTestDatabase("probe_history"), { max: 2 });
  await migrateDatabase(database);
});
afterAll(async () => {
  await database?.close();
});

async function minute(target: string, at: Date, checks: number, failures: number) {
  await database.sql`insert into control_plane.probe_minutes
    (kind, target, minute, checks, failures, latency_ms_sum, latency_ms_max)
    values ('component', ${target}, ${at.toISOString()}::timestamptz, ${checks}, ${failures}, ${checks * 10}, 10)`;
}

describe("probe history", () => {
  it("is kept per minute for 7 days, rolled up by hour until 90 days, then deleted; uptime reads both", async () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const hourAgo8d = new Date(now.getTime() - 8 * DAY);
    hourAgo8d.setUTCMinutes(0, 0, 0);
    // Two minutes of the same hour, 8 days ago: become one hourly row.
    await minute("database", new Date(hourAgo8d.getTime() + 60_000), 2, 1);
    await minute("database", new Date(hourAgo8d.getTime() + 120_000), 2, 0);
    await minute("database", new Date(now.getTime() - 3_600_000), 4, 0);
    await minute("database", new Date(now.getTime() - 100 * DAY), 5, 5);

    await rollUp(database.sql, now);
    await rollUp(database.sql, now); // idempotent

    const minutes = await database.sql`select minute from control_plane.probe_minutes`;
    expect(minutes).toHaveLength(1);
    const hours = await database.sql`select hour, checks, failures from control_plane.probe_hours`;
    expect(
      hours.map((h) => ({
        hour: new Date(h.hour as string).toISOString(),
        checks: h.checks,
        failures: h.failures,
      })),
    ).toEqual([{ hour: hourAgo8d.toISOString(), checks: 4, failures: 1 }]);
    const summary = await uptime(database.sql, { kind: "component", target: "database", days: 90, now });
    expect(summary.uptime).toBe(7 / 8);
    expect(summary.days).toHaveLength(90);
    expect(summary.days.at(-1)).toEqual({ day: "2026-06-15", uptime: 1 });
    expect(summary.days.find((d) => d.day === hourAgo8d.toISOString().slice(0, 10))?.uptime).toBe(3 / 4);
  });
});
