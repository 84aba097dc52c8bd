import { performance } from "node:perf_hooks";
import type { ControlPlane } from "./environment.ts";
import { admin, loopback } from "./http.ts";
import { type MemoryFigures, memory, memoryOnceIdle } from "./scale.ts";
import { type Summary, summarize } from "./stats.ts";

export interface WakeFigures {
  /** Tenants the platform had when this was measured. */
  tenants: number;
  /** Owner request to a scaled-to-zero tenant → 200, one tenant after another. */
  summary: Summary;
  failures: string[];
  /** During the wakes (largest seen): the woken runtimes are active, every other tenant idle. */
  memory: MemoryFigures;
  /** Largest RSS among the woken runtimes. */
  maxRuntimeRss: number;
}

/**
 * The cookies an owner's browser holds after following an owner link: the runtime's session and the owner pass
 * (only an owner's traffic keeps a runtime from being stopped for idleness).
 */
export async function ownerCookies(plane: ControlPlane, slug: string): Promise<string> {
  const link = await admin<{ url: string }>(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" });
  const url = new URL(link.url);
  const response = await loopback(plane.port, `${url.pathname}${url.search}`, {
    host: `${slug}.localhost:${plane.port}`,
  });
  const setCookie = response.headers["set-cookie"] ?? [];
  const pairs = (Array.isArray(setCookie) ? setCookie : [setCookie]).map((line) => line.split(";")[0]!);
  if (pairs.length < 2)
    throw new Error(`sign-in for ${slug} answered ${response.status} without owner cookies`);
  return pairs.join("; ");
}

/**
 * Signs the owner of each of `slugs` in, waits until every runtime has been stopped for idleness, then sends
 * each owner's first request (`GET /api/projects`, which needs the builder) one tenant after another.
 */
export async function measureWake(
  plane: ControlPlane,
  slugs: string[],
  tenants: number,
  idleTimeoutMs: number,
): Promise<WakeFigures> {
  const cookies = new Map<string, string>();
  for (const slug of slugs) cookies.set(slug, await ownerCookies(plane, slug));
  const idle = await memoryOnceIdle(plane, idleTimeoutMs);
  if (idle.runtimes > 0)
    throw new Error(`${idle.runtimes} runtimes were still running after the idle period`);
  const samples: number[] = [];
  const failures: string[] = [];
  // Read after each wake: on a slow machine the first woken runtimes may idle out before the last wakes.
  const woken = new Map<number, number>();
  let controlPlaneRss = 0;
  for (const slug of slugs) {
    const started = performance.now();
    const response = await loopback(plane.port, "/api/projects", {
      host: `${slug}.localhost:${plane.port}`,
      headers: { cookie: cookies.get(slug)! },
      timeoutMs: 30_000,
    }).catch((error) => ({ status: 0, body: String(error) }));
    if (response.status === 200) samples.push(performance.now() - started);
    else failures.push(`${slug}: ${response.status} ${response.body.slice(0, 120)}`);
    const now = await memory(plane);
    controlPlaneRss = Math.max(controlPlaneRss, now.controlPlaneRss);
    for (const [i, pid] of now.runtimePids.entries())
      woken.set(pid, Math.max(woken.get(pid) ?? 0, now.runtimeSizes[i]!));
  }
  const sizes = [...woken.values()];
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return {
    tenants,
    summary: summarize(samples),
    failures,
    memory: {
      controlPlaneRss,
      runtimes: sizes.length,
      runtimesRss: total,
      perRuntimeRss: sizes.length ? total / sizes.length : Number.NaN,
      runtimeSizes: sizes,
      runtimePids: [...woken.keys()],
    },
    maxRuntimeRss: Math.max(...sizes),
  };
}
