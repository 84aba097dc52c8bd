import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant } from "../support/control-plane.ts";
import { alive } from "../support/processes.ts";
import { waitFor } from "../support/wait.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = `test-admin-${"r".repeat(32)}`;

interface Plane {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  url: string;
  port: number;
}

/** `node control-plane/main.ts` with the embedded PostgreSQL in `dataDir`, in its own process group (a terminal's). */
function launch(
  dataDir: string,
  port = "0",
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [join(ROOT, "control-plane/main.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: port,
      WEBSPLAT_DATA_DIR: dataDir,
      WEBSPLAT_ADMIN_TOKEN: TOKEN,
      WEBSPLAT_IDLE_SECONDS: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, output: () => output, exited };
}

async function start(dataDir: string, port?: string): Promise<Plane> {
  const launched = launch(dataDir, port);
  const url = await Promise.race([
    waitFor(() => /Signup:\s+(http:\/\/\S+?)\/\s/.exec(launched.output())?.[1], {
      timeoutMs: 60_000,
      what: "the signup URL",
    }),
    launched.exited.then((code) => {
      throw new Error(`exited ${code}: ${launched.output()}`);
    }),
  ]);
  return { ...launched, url, port: Number(new URL(url).port) };
}

const admin = (plane: Plane, path: string, init: RequestInit = {}) =>
  fetch(`${plane.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });

/** The pid of the tenant's runtime once it serves (a runtime still starting has a pid but answers nothing yet). */
async function runtimePid(plane: Plane, slug: string): Promise<number | null> {
  const tenant = (await (await admin(plane, `/admin/tenants/${slug}`)).json()) as {
    outputs?: { details?: { pid?: number | null; runtime?: { state?: string } } };
  };
  const details = tenant.outputs?.details;
  return details?.runtime?.state === "running" ? (details.pid ?? null) : null;
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, "postgres/postmaster.pid"), "utf8").split("\n")[0]);
}

function postgresPort(dataDir: string): number {
  return Number(readFileSync(join(dataDir, "postgres/postmaster.pid"), "utf8").split("\n")[3]);
}

/** The owner's sign-in link works (the runtime reaches its database): a redirect with a session, not a 500. */
async function ownerSignInWorks(plane: Plane, slug: string): Promise<boolean> {
  const link = (await (
    await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" })
  ).json()) as {
    url: string;
  };
  const { pathname, search } = new URL(link.url);
  const response = await fetchTenant(plane, slug, `${pathname}${search}`);
  return response.status === 302 && (response.headers.get("set-cookie") ?? "").length > 0;
}

/** Crash, restart, stop: `npm start` after `kill -9`, a second start on a data dir in use, signals. Slugs "rs-". */
describe("restart after a crash, and shutdown by signal", () => {
  let dataDir: string;
  let plane: Plane;
  const leftovers: number[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "websplat-restart-"));
    plane = await start(dataDir);
    expect(
      (
        await admin(plane, "/admin/tenants", {
          method: "POST",
          body: JSON.stringify({ slug: "rs-alpha", email: "owner@example.com", tier: "starter" }),
        })
      ).status,
    ).toBeLessThan(300);
    await waitFor(
      async () =>
        (await runtimePid(plane, "rs-alpha")) !== null && (await ownerSignInWorks(plane, "rs-alpha")),
      {
        timeoutMs: 60_000,
        what: "rs-alpha to serve",
      },
    );
  }, 120_000);

  afterAll(async () => {
    if (plane && plane.child.exitCode === null) {
      plane.child.kill("SIGTERM");
      await plane.exited;
    }
    for (const pid of leftovers) {
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it("a second start on a data dir in use says which PID holds it, and changes nothing", async () => {
    const second = launch(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`in use by another control plane (PID ${plane.child.pid})`);
    expect(second.output()).not.toContain("undefined");
    expect(await ownerSignInWorks(plane, "rs-alpha")).toBe(true);
  }, 60_000);

  it("after kill -9, the next start reuses the PostgreSQL left running and keeps the runtime whose configuration still matches", async () => {
    const postgresBefore = postmasterPid(dataDir);
    const runtimeBefore = (await runtimePid(plane, "rs-alpha"))!;
    plane.child.kill("SIGKILL");
    await plane.exited;
    expect(alive(postgresBefore)).toBe(true);
    expect(alive(runtimeBefore)).toBe(true);

    // Restarted as an operator would, on the same port: the runtime's platform address is unchanged.
    plane = await start(dataDir, String(plane.port));
    expect(plane.output()).toContain(`Reusing PostgreSQL PID ${postgresBefore}`);
    expect(plane.output()).not.toContain("could not start");
    expect(postmasterPid(dataDir)).toBe(postgresBefore);
    await waitFor(async () => (await runtimePid(plane, "rs-alpha")) === runtimeBefore, {
      timeoutMs: 30_000,
      what: "the runtime to be adopted",
    });
    expect(await ownerSignInWorks(plane, "rs-alpha")).toBe(true);
  }, 120_000);

  it("a runtime whose configuration changed meanwhile (PostgreSQL on a new port) is restarted, never adopted: sign-in works at once", async () => {
    const postgresBefore = postmasterPid(dataDir);
    const oldPort = postgresPort(dataDir);
    const runtimeBefore = (await runtimePid(plane, "rs-alpha"))!;
    plane.child.kill("SIGKILL");
    await plane.exited;
    process.kill(postgresBefore, "SIGKILL");
    await waitFor(() => !alive(postgresBefore), { what: "PostgreSQL to die" });
    // The old port is taken by someone else now, so the next PostgreSQL listens elsewhere.
    const squatter: Server = createServer();
    await new Promise<void>((done) => squatter.listen(oldPort, "127.0.0.1", () => done()));
    try {
      plane = await start(dataDir);
    } finally {
      squatter.close();
    }
    expect(postgresPort(dataDir)).not.toBe(oldPort);
    expect(alive(runtimeBefore)).toBe(false);
    await waitFor(async () => (await runtimePid(plane, "rs-alpha")) !== null, {
      timeoutMs: 60_000,
      what: "the runtime to be started again",
    });
    expect(await runtimePid(plane, "rs-alpha")).not.toBe(runtimeBefore);
    expect(await ownerSignInWorks(plane, "rs-alpha")).toBe(true);
  }, 120_000);

  it("the tenant's view never reports a dead runtime: after kill -9 of the control plane and its runtime, the next start shows the process it runs now", async () => {
    const runtimeBefore = (await runtimePid(plane, "rs-alpha"))!;
    plane.child.kill("SIGKILL");
    await plane.exited;
    process.kill(runtimeBefore, "SIGKILL");
    await waitFor(() => !alive(runtimeBefore), { what: "the runtime to die" });

    plane = await start(dataDir, String(plane.port));
    // From the first answer on, whatever the view says runs is a live process (or nothing runs yet).
    const seen: Array<{ state: unknown; pid: number | null; alive: boolean }> = [];
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const tenant = (await (await admin(plane, "/admin/tenants/rs-alpha")).json()) as {
        outputs: { details: { pid: number | null; runtime: { state: string } } };
      };
      const { pid, runtime } = tenant.outputs.details;
      seen.push({ state: runtime.state, pid, alive: pid !== null && alive(pid) });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.filter((s) => s.pid === runtimeBefore)).toEqual([]);
    expect(seen.filter((s) => s.state === "running" && !s.alive)).toEqual([]);
    await waitFor(async () => (await runtimePid(plane, "rs-alpha")) !== null, {
      timeoutMs: 60_000,
      what: "the runtime to be started again",
    });
    expect(await ownerSignInWorks(plane, "rs-alpha")).toBe(true);
  }, 120_000);

  for (const signal of ["SIGINT", "SIGHUP", "SIGTERM"] as const) {
    it(`${signal} to the whole process group (Ctrl-C, a closed terminal, kill) stops everything in order, quietly`, async () => {
      const postgres = postmasterPid(dataDir);
      const runtime = (await waitFor(() => runtimePid(plane, "rs-alpha"), { what: "the runtime" }))!;
      leftovers.push(postgres, runtime);
      // As a terminal does: every process of the foreground group gets the signal.
      process.kill(-plane.child.pid!, signal);
      expect(await plane.exited).toBe(0);
      const output = plane.output();
      expect(output).toContain(`Received ${signal}`);
      expect(output).toContain("Stopped.");
      expect(output).not.toMatch(/queue error|shutdown step failed|ECONNREFUSED|terminating connection/);
      expect(alive(postgres)).toBe(false);
      expect(alive(runtime)).toBe(false);
      plane = await start(dataDir);
      await waitFor(() => ownerSignInWorks(plane, "rs-alpha"), {
        timeoutMs: 60_000,
        what: "rs-alpha to serve",
      });
    }, 120_000);
  }
});
