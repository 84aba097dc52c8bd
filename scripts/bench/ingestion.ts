import { spawn } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import type { ControlPlane, Teardown } from "./environment.ts";
import { unknownInvoicePaid } from "./stripe-events.ts";

export interface LoadResult {
  target: string;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
}

/** Signed, distinct `invoice.paid` events (each request signs a new one) against `port`. */
async function load(target: string, port: number, secret: string, options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: "/webhooks/stripe",
        setupRequest: (request) => {
          const event = unknownInvoicePaid(secret);
          return {
            ...request,
            headers: { "content-type": "application/json", "stripe-signature": event.signature },
            body: event.body,
          };
        },
      },
    ],
  });
  return {
    target,
    eventsPerSecond: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Starts `bare-hono.ts` as its own process (as the control plane is), returns its port. */
async function startBareHono(teardown: Teardown): Promise<number> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "bare-hono.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  teardown.add("stop the bare Hono server", async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  });
  return await new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error("the bare Hono server did not start in 10 s")), 10_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
}

/** The control plane's webhook alone at light load (few connections): its latency, not its ceiling. */
export async function measureWebhookLatency(plane: ControlPlane, options: LoadOptions): Promise<LoadResult> {
  await load("warm-up", plane.port, plane.webhookSecret, {
    connections: options.connections,
    durationSeconds: 1,
  });
  return await load(
    `POST /webhooks/stripe, ${options.connections} connections`,
    plane.port,
    plane.webhookSecret,
    options,
  );
}

/** B2: the control plane's webhook and a bare Hono route under the same load, one after the other. */
export async function measureIngestion(
  plane: ControlPlane,
  teardown: Teardown,
  options: LoadOptions,
): Promise<{ webhook: LoadResult; bare: LoadResult }> {
  const barePort = await startBareHono(teardown);
  // A short warm-up of each, so JIT and connection pools are in their steady state.
  await load("warm-up", barePort, plane.webhookSecret, {
    connections: options.connections,
    durationSeconds: 1,
  });
  const bare = await load("bare Hono route", barePort, plane.webhookSecret, options);
  await load("warm-up", plane.port, plane.webhookSecret, {
    connections: options.connections,
    durationSeconds: 1,
  });
  const webhook = await load("POST /webhooks/stripe", plane.port, plane.webhookSecret, options);
  return { webhook, bare };
}
