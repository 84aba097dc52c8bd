import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import journal from "../../agent-runtime/drizzle/meta/_journal.json" with { type: "json" };
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

/** Every migration the runtime ships: a cold start applies them all, a restart none. */
const MIGRATIONS = journal.entries.length;

/** A runtime process seen from its first line: the port it listens on, before it is ready. */
interface Launch {
  child: ChildProcess;
  url: string;
  /** Every log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<unknown>;
}

async function launch(env: Record<string, string>): Promise<Launch> {
  const child = spawn(process.execPath, ["agent-runtime/main.ts"], {
    env: { PATH: process.env.PATH ?? "", ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const logs: Array<Record<string, unknown>> = [];
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === "listening") resolve(entry.port as number);
    });
    void exited.then(() => reject(new Error(`runtime exited before listening: ${JSON.stringify(logs)}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, logs, exited };
}

async function stop(runtime: Launch) {
  if (runtime.child.exitCode !== null) return;
  runtime.child.kill("SIGTERM");
  await runtime.exited;
}

let tenant: TestTenant;
let admin: postgres.Sql;
const launched: Launch[] = [];

beforeAll(async () => {
  tenant = await createTestTenant("cold-co");
  admin = postgres(tenant.adminUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  for (const runtime of launched) runtime.child.kill("SIGKILL");
  await admin.end();
});

describe("cold start", () => {
  test("healthz is 503 while migrations wait, and a builder request made then is answered once they are applied", async () => {
    // Hold the lock the runtime migrates under, so the start stops just before applying anything.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const locked = new Promise<void>((resolveLocked, rejectLocked) => {
      admin
        .begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(hashtext(${`websplat-migrations:${tenant.schema}`}))`;
          resolveLocked();
          await released;
        })
        .catch(rejectLocked);
    });
    await locked;

    const runtime = await launch(tenant.env);
    launched.push(runtime);
    const starting = await fetch(`${runtime.url}/healthz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: "starting", tenant: "cold-co" });

    let settled = false;
    const early = fetch(`${runtime.url}/api/projects`).finally(() => {
      settled = true;
    });
    // A later request has made the round trip: the early one was received and is being held.
    expect((await fetch(`${runtime.url}/healthz`)).status).toBe(503);
    expect(settled).toBe(false);

    release();
    const answer = await early;
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: { code: "not_signed_in" } });
    const ready = await fetch(`${runtime.url}/healthz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", tenant: "cold-co" });
    expect(runtime.logs.find((entry) => entry.msg === "migrations applied")).toMatchObject({
      applied: MIGRATIONS,
    });
    await stop(runtime);
  });

  test("a restart on a migrated schema applies nothing, and its first request, sent before ready, signs the owner in", async () => {
    const runtime = await launch(tenant.env);
    launched.push(runtime);
    // No wait for /healthz: the owner's link is followed the moment the port answers.
    const signIn = await fetch(`${runtime.url}/auth/callback?token=${tenant.signInToken()}`, {
      redirect: "manual",
    });
    expect(signIn.status).toBe(302);
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    const projects = await fetch(`${runtime.url}/api/projects`, { headers: { cookie } });
    expect(projects.status).toBe(200);
    expect((await fetch(`${runtime.url}/healthz`)).status).toBe(200);

    expect(runtime.logs.find((entry) => entry.msg === "migrations applied")).toMatchObject({ applied: 0 });
    const bookkeeping = await admin.unsafe(`select hash from "${tenant.schema}"."__drizzle_migrations"`);
    expect(bookkeeping).toHaveLength(MIGRATIONS);
    await stop(runtime);
    expect(runtime.child.exitCode).toBe(0);
  });
});
