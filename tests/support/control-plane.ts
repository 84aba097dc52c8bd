import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase } from "./db.ts";
import { waitFor } from "./wait.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface ControlPlaneOptions {
  /** Extra environment (e.g. WEBSPLAT_RETENTION_DAYS, WEBSPLAT_RUNTIME_ENTRY). */
  env?: Record<string, string>;
  /** Reuse a data dir and database (a restart); fresh ones otherwise. */
  dataDir?: string;
  databaseUrl?: string;
  port?: number;
}

export interface RunningControlPlane {
  url: string;
  port: number;
  adminToken: string;
  webhookSecret: string;
  dataDir: string;
  databaseUrl: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM and wait for a clean exit (stops runtimes too). */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. Runtimes it started keep running. */
  kill(): Promise<void>;
  /** Removes the data dir (after stop). */
  cleanup(): Promise<void>;
}

/**
 * A stand-in tenant runtime (`WEBSPLAT_RUNTIME_ENTRY`) written to a folder of its own. A control plane started
 * as root runs each runtime as a user of its own, so the folder must be readable by others (mkdtemp makes it
 * 0700). Remove `dir` when done.
 */
export async function writeRuntimeEntry(source: string): Promise<{ dir: string; entry: string }> {
  const dir = await mkdtemp(join(tmpdir(), "websplat-runtime-entry-"));
  await chmod(dir, 0o755);
  const entry = join(dir, "runtime.mjs");
  await writeFile(entry, source, { mode: 0o644 });
  return { dir, entry };
}

/**
 * A real control plane as a child process (`node control-plane/main.ts`), with its own data dir and its own
 * database on the test run's PostgreSQL. Tenant roles are cluster-wide: use slugs unique to the test file.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<RunningControlPlane> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "websplat-cp-")));
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase("control_plane"));
  const adminToken = options.env?.WEBSPLAT_ADMIN_TOKEN ?? `test-admin-${randomBytes(16).toString("hex")}`;
  const webhookSecret = options.env?.STRIPE_WEBHOOK_SECRET ?? `whsec_${randomBytes(24).toString("base64")}`;
  const child = spawn(process.execPath, [join(ROOT, "control-plane/main.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: String(options.port ?? 0),
      WEBSPLAT_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      WEBSPLAT_ADMIN_TOKEN: adminToken,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the control plane did not start in 30 s:\n${output}`)),
      30_000,
    );
    const onData = () => {
      // A sites-only process (WEBSPLAT_ROLE=sites) has no signup page: it names where it listens.
      const match = /(?:Signup|Listening):\s+(http:\/\/\S+?)\/\s/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the control plane exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    adminToken,
    webhookSecret,
    dataDir,
    databaseUrl,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return await exited;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
    cleanup: async () => {
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One control plane for the tests of a file (or of a `describe`): started before them, stopped and its data
 * dir removed after them. Answers the running plane; read it inside hooks and tests, not at import time.
 * `options` may be a function, for settings made by an earlier `beforeAll` (a runtime entry written there).
 */
export function useControlPlane(
  options: ControlPlaneOptions | (() => ControlPlaneOptions) = {},
): () => RunningControlPlane {
  let plane: RunningControlPlane | undefined;
  beforeAll(async () => {
    plane = await startControlPlane(typeof options === "function" ? options() : options);
  });
  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });
  return () => {
    if (!plane) throw new Error("the control plane is not started: read it inside a test or a hook");
    return plane;
  };
}

/** Fetches `path` on a tenant's host through the control plane's gateway (Host header, loopback only). */
export async function fetchTenant(
  plane: Pick<RunningControlPlane, "port">,
  slug: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const { request } = await import("node:http");
  return await new Promise((resolveResponse, reject) => {
    const headers = {
      ...(init.headers as Record<string, string> | undefined),
      host: `${slug}.localhost:${plane.port}`,
    };
    const req = request(
      { host: "127.0.0.1", port: plane.port, path, method: init.method ?? "GET", headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const item of Array.isArray(value) ? value : [value])
              if (item !== undefined) responseHeaders.append(name, item);
          }
          resolveResponse(
            new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
              status: res.statusCode,
              headers: responseHeaders,
            }),
          );
        });
      },
    );
    req.on("error", reject);
    if (init.body) req.write(init.body as string);
    req.end();
  });
}

/**
 * Signs the tenant's owner in through the gateway (an admin-issued one-time link, then `/auth/callback`) and
 * returns the `cookie` header an owner's browser would send from then on (session and gateway pass).
 */
export async function signInOwner(
  plane: Pick<RunningControlPlane, "url" | "port" | "adminToken">,
  slug: string,
): Promise<string> {
  const link = await fetch(`${plane.url}/admin/tenants/${slug}/owner-link`, {
    method: "POST",
    headers: { authorization: `Bearer ${plane.adminToken}` },
  });
  if (link.status !== 200) throw new Error(`owner-link answered ${link.status}: ${await link.text()}`);
  const url = new URL(((await link.json()) as { url: string }).url);
  const callback = await fetchTenant(plane, slug, `${url.pathname}${url.search}`);
  if (callback.status !== 302)
    throw new Error(`the sign-in callback answered ${callback.status}: ${await callback.text()}`);
  return callback.headers
    .getSetCookie()
    .map((line) => line.split(";")[0]!)
    .join("; ");
}

/**
 * Comped tenants created through the admin API, resolved once every one of them is active (provisioned, its
 * runtime answered). Slugs must be unique to the test file.
 */
export async function createActiveTenants(
  plane: Pick<RunningControlPlane, "url" | "adminToken">,
  slugs: string[],
  options: { tier?: "starter" | "pro" | "studio"; timeoutMs?: number } = {},
): Promise<void> {
  const headers = { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" };
  for (const slug of slugs) {
    const created = await fetch(`${plane.url}/admin/tenants`, {
      method: "POST",
      headers,
      body: JSON.stringify({ slug, email: `owner@${slug}.test`, tier: options.tier ?? "starter" }),
    });
    if (created.status !== 201)
      throw new Error(`creating ${slug}: ${created.status} ${await created.text()}`);
  }
  for (const slug of slugs) {
    await waitFor(
      async () =>
        (
          (await (await fetch(`${plane.url}/admin/tenants/${slug}`, { headers })).json()) as {
            status: string;
          }
        ).status === "active",
      { what: `${slug} active`, timeoutMs: options.timeoutMs ?? 40_000 },
    );
  }
}
