import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { RunningControlPlane } from "./control-plane.ts";
import { admin } from "./stripe-events.ts";

export const SWITCHABLE_RUNTIME = resolve(import.meta.dirname, "../fixtures/switchable-runtime.ts");

/** Fast probes for tests: a round every 300 ms, an alert after 3 failures in a row. */
export const FAST_PROBES = {
  WEBSPLAT_PROBE_INTERVAL_SECONDS: "0.3",
  WEBSPLAT_PROBE_FAILURES: "3",
  WEBSPLAT_PROBE_TIMEOUT_MS: "2000",
};

/** A TMPDIR for the control plane (runtimes inherit it) in which a test switches tenants' runtimes off. */
export async function outageSwitch() {
  const dir = await mkdtemp(join(tmpdir(), "websplat-outages-"));
  // Runtimes started by root run as users of their own: they must be able to look for the flag.
  await chmod(dir, 0o755);
  const flag = (slug: string) => join(dir, `websplat-outage-${slug}`);
  return {
    env: { TMPDIR: dir },
    takeDown: (slug: string) => writeFile(flag(slug), "down"),
    bringBack: (slug: string) => rm(flag(slug), { force: true }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface ProbeTargetJson {
  kind: string;
  target: string;
  state: "up" | "down" | "idle";
  consecutiveFailures: number;
  alerting: boolean;
  lastCheckedAt: string;
  lastError: string | null;
}

export interface ProbesJson {
  targets: ProbeTargetJson[];
  incidents: Array<{ kind: string; target: string; startedAt: string; resolvedAt: string | null }>;
}

export async function probes(plane: Pick<RunningControlPlane, "url" | "adminToken">): Promise<ProbesJson> {
  const response = await admin(plane, "/admin/probes");
  if (response.status !== 200)
    throw new Error(`GET /admin/probes: ${response.status} ${await response.text()}`);
  return (await response.json()) as ProbesJson;
}

export async function probeOf(
  plane: Pick<RunningControlPlane, "url" | "adminToken">,
  slug: string,
): Promise<ProbeTargetJson | undefined> {
  return (await probes(plane)).targets.find((t) => t.kind === "tenant" && t.target === slug);
}
