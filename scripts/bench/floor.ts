import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { ensureTenantDatabase } from "../../stacks/local/database.ts";
import { bundledRuntime } from "../../stacks/local/runtime-bundle.ts";
import { RUNTIME_NODE_FLAGS } from "../../stacks/local/supervisor.ts";
import { tenantSpec } from "../../tenant-template/index.ts";
import { ROOT } from "./environment.ts";
import { loopback, pollUntil } from "./http.ts";

/** The least a purchase can cost on this machine: a role and schema, then a runtime from spawn to /healthz. */
export interface FloorSample {
  databaseMs: number;
  runtimeMs: number;
  totalMs: number;
}

/** A Node process that only answers HTTP: the least any runtime start can cost on this machine. */
const BARE_PROCESS = `require("node:http").createServer((_, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1")`;

/**
 * Spawn → first 200 of a bare Node HTTP server, `count` times, polled as a runtime's /healthz is: the
 * physical floor that payment → URL is measured against.
 */
export async function measureBareProcess(count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const spawned = performance.now();
    const child = spawn(process.execPath, ["-e", BARE_PROCESS], {
      env: { PATH: process.env.PATH ?? "", PORT: String(port) },
      stdio: "ignore",
    });
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    try {
      const ready = await pollUntil(
        async () =>
          child.exitCode === null && (await loopback(port, "/", { timeoutMs: 2000 })).status === 200,
        30_000,
        5,
      );
      if (!ready) throw new Error("the bare Node process did not answer in 30 s");
      samples.push(performance.now() - spawned);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }
  return samples;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Measures `count` floors against the bench's database (superuser `databaseUrl`), using the same
 * role+schema code as the local driver and the same launch contract (`tenantSpec(...).runtime.env`).
 */
export async function measureFloor(
  databaseUrl: string,
  count: number,
  prefix: string,
): Promise<FloorSample[]> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const url = new URL(databaseUrl);
  const { publicKey } = generateKeyPairSync("ed25519");
  const ownerPublicKey = publicKey.export({ type: "spki", format: "pem" }).toString();
  const samples: FloorSample[] = [];
  // What the local driver runs: the bundled runtime (built already, or now before the clock starts).
  const entry = await bundledRuntime({
    root: ROOT,
    cacheDir: join(ROOT, "node_modules", ".cache", "websplat-runtime"),
  });
  try {
    for (let i = 0; i < count; i++) {
      const slug = `${prefix}${i}`;
      const spec = tenantSpec(
        { slug, tier: "starter", desired: "active", generation: 1, ownerEmail: `${slug}@example.com` },
        {
          baseDomain: "localhost",
          scheme: "http",
          runtimeImage: "websplat/agent-runtime:bench",
          ingressNamespace: "ingress-nginx",
          ingressClassName: "nginx",
          ingressHostname: "localhost",
          postgres: { host: url.hostname, port: Number(url.port), database: "websplat" },
          ownerPublicKey,
          model: {},
        },
      );
      const password = randomBytes(16).toString("hex");
      const started = performance.now();
      await ensureTenantDatabase(sql, spec, { password, databaseName: "websplat" });
      const databaseMs = performance.now() - started;

      const port = await freePort();
      const tenantUrl = new URL(`postgres://127.0.0.1:${url.port}/websplat`);
      tenantUrl.hostname = url.hostname;
      tenantUrl.username = spec.database.role;
      tenantUrl.password = password;
      const spawned = performance.now();
      const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, entry], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          ...spec.runtime.env,
          DATABASE_URL: tenantUrl.toString(),
          PORT: String(port),
          HOST: "127.0.0.1",
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      try {
        const ready = await pollUntil(
          async () =>
            child.exitCode === null && (await loopback(port, "/healthz", { timeoutMs: 2000 })).status === 200,
          30_000,
          5,
        );
        const runtimeMs = performance.now() - spawned;
        if (!ready)
          throw new Error(`the bare runtime did not answer /healthz in 30 s: ${stderr.slice(-500)}`);
        samples.push({ databaseMs, runtimeMs, totalMs: databaseMs + runtimeMs });
      } finally {
        if (child.exitCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return samples;
}
