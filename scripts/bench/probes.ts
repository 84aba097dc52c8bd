import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import postgres from "postgres";
import { connect, ensureDatabase, migrateDatabase } from "../../control-plane/db/client.ts";
import { tenantSpec } from "../../tenant-template/index.ts";
import { startControlPlane, type Teardown } from "./environment.ts";

export interface ProbeFigures {
  tenants: number;
  /** Probe rounds during the measured window. */
  rounds: number;
  windowSeconds: number;
  /** CPU seconds the control plane used in the window, with probes every `intervalSeconds`, and with none. */
  cpuWithProbes: number;
  cpuWithout: number;
  intervalSeconds: number;
  /** CPU milliseconds one round over every tenant costs (difference of the two, per round). */
  msPerRound: number;
  /** Share of one core at the production schedule (a round a minute). */
  coreShareAtOneMinute: number;
  /** Share of one core measured directly at the accelerated schedule. */
  coreShareAccelerated: number;
}

/** CPU seconds (user + system) a process has used, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * B5: a control plane with `tenants` active tenants, all provisioned and scaled to zero (their stack
 * records in place, no runtime running), so every probe goes through the gateway's readiness and records
 * its result. The cost of probing is the CPU the control plane uses with probes every `intervalSeconds`
 * minus what the same control plane uses with probes off, over the same window.
 */
export async function measureProbes(
  serverUrl: string,
  teardown: Teardown,
  options: { tenants: number; windowSeconds: number; intervalSeconds: number },
): Promise<ProbeFigures> {
  const slugs = Array.from({ length: options.tenants }, (_, i) => `probe-${String(i + 1).padStart(4, "0")}`);
  const run = async (name: string, interval: number) => {
    const url = await ensureDatabase(serverUrl, name);
    const database = connect(url, { max: 2 });
    await migrateDatabase(database);
    await database.close();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`
      insert into control_plane.tenants (slug, email, tier, desired, generation, status, observed_generation, source)
      select s, s || '@bench.test', 'starter', 'active', 1, 'active', 1, 'admin' from unnest(${slugs}::text[]) as s`;
    await sql.end();
    const plane = await startControlPlane(teardown, {
      databaseUrl: url,
      env: {
        WEBSPLAT_IDLE_SECONDS: "600",
        WEBSPLAT_PROBE_INTERVAL_SECONDS: String(interval),
        WEBSPLAT_PROBE_TIMEOUT_MS: "5000",
      },
      prepare: (dataDir) => writeStackRecords(dataDir, slugs),
    });
    // Let start-up work (migrations, resync, the first rounds) settle before measuring.
    await delay(5000);
    const checksBefore = await tenantChecks(plane.url);
    const before = await cpuSeconds(plane.process.pid!);
    const started = performance.now();
    await delay(options.windowSeconds * 1000);
    const cpu = (await cpuSeconds(plane.process.pid!)) - before;
    const seconds = (performance.now() - started) / 1000;
    const checks = (await tenantChecks(plane.url)) - checksBefore;
    plane.process.kill("SIGTERM");
    return { cpu, seconds, rounds: checks / options.tenants };
  };
  const without = await run("websplat_probes_off", 0);
  const withProbes = await run("websplat_probes_on", options.intervalSeconds);
  const rounds = withProbes.rounds;
  const msPerRound = (Math.max(0, withProbes.cpu - without.cpu) / Math.max(1, rounds)) * 1000;
  return {
    tenants: options.tenants,
    rounds,
    windowSeconds: Math.round(withProbes.seconds),
    cpuWithProbes: withProbes.cpu,
    cpuWithout: without.cpu,
    intervalSeconds: options.intervalSeconds,
    msPerRound,
    coreShareAtOneMinute: msPerRound / 60_000,
    coreShareAccelerated: Math.max(0, withProbes.cpu - without.cpu) / withProbes.seconds,
  };
}

/** Tenant probes done so far, from the probe latency histogram's count (read outside the CPU window). */
async function tenantChecks(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(
    /^websplat_probe_duration_seconds_count\{[^}]*kind="tenant"[^}]*\} (\d+)/gm,
  ))
    total += Number(match[1]);
  return total;
}

/** The local driver's record of each tenant's provisioned stack, as `up` leaves it. */
async function writeStackRecords(dataDir: string, slugs: string[]): Promise<void> {
  const dir = join(dataDir, "stacks");
  await mkdir(dir, { recursive: true });
  for (const slug of slugs) {
    const spec = tenantSpec(
      { slug, tier: "starter", desired: "active", generation: 1, ownerEmail: `${slug}@bench.test` },
      {
        baseDomain: "localhost",
        scheme: "http",
        publicPort: undefined,
        runtimeImage: "websplat/agent-runtime:local",
        ingressNamespace: "ingress-nginx",
        ingressClassName: "nginx",
        ingressHostname: "localhost",
        postgres: { host: "127.0.0.1", port: 5432, database: "websplat" },
        ownerPublicKey: "-----BEGIN PUBLIC KEY-----\nbench\n-----END PUBLIC KEY-----",
        model: {},
      },
    );
    const outputs = {
      url: spec.url,
      namespace: `t-${slug}`,
      databaseSchema: spec.database.schema,
      databaseRole: spec.database.role,
      replicas: 0,
      details: { driver: "local" },
    };
    await writeFile(
      join(dir, `${slug}.json`),
      JSON.stringify({ spec, outputs, updatedAt: new Date().toISOString() }),
    );
  }
}
