import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { LocalRuntimes, StackDriver } from "../../stacks/index.ts";

/**
 * Marks the control plane's own probe requests to a tenant host. Random per process: nobody outside can
 * ask the gateway for the probe's answer (which neither wakes a runtime nor counts as its use).
 */
export const PROBE_TOKEN = randomBytes(18).toString("base64url");
export const PROBE_HEADER = "x-websplat-probe";
const RUNTIME_TIMEOUT_MS = 3000;

/**
 * The gateway's readiness for one tenant, answered to a probe: a running runtime is asked for `/healthz`;
 * one scaled to zero is reported idle without being woken; anything else (crashed, backing off, not started)
 * is down. Null when the request is not a probe, or the driver has no local gateway.
 */
export function probeAnswer(c: Context, driver: StackDriver, slug: string): Promise<Response> | null {
  if (c.req.header(PROBE_HEADER) !== PROBE_TOKEN || !driver.runtimes) return null;
  return answer(driver.runtimes, slug);
}

async function answer(runtimes: LocalRuntimes, slug: string): Promise<Response> {
  const port = runtimes.route(slug);
  if (port === null) {
    const state = runtimes.state(slug)?.state;
    if (!state && runtimes.wakeOnDemand) return reply(200, "idle");
    return reply(503, "down", state ? `runtime ${state}` : "runtime not running");
  }
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(RUNTIME_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok
      ? reply(200, "up")
      : reply(503, "down", `runtime /healthz answered ${response.status}`);
  } catch (error) {
    return reply(503, "down", `runtime did not answer: ${(error as Error).message}`);
  }
}

function reply(status: number, state: "up" | "idle" | "down", error?: string): Response {
  const headers: Record<string, string> = { "x-websplat-probe-state": state, "cache-control": "no-store" };
  if (error) headers["x-websplat-probe-error"] = error.replace(/[^\x20-\x7e]/g, " ").slice(0, 200);
  return new Response(JSON.stringify({ state, error: error ?? null }), {
    status,
    headers: { ...headers, "content-type": "application/json" },
  });
}
