import { performance } from "node:perf_hooks";
import type { ControlPlane } from "./environment.ts";
import { loopback } from "./http.ts";
import { median } from "./stats.ts";
import { ownerCookies } from "./wake.ts";

export type BuilderFigures =
  | { measured: false; reason: string }
  | {
      measured: true;
      /** POST runs → status completed (offline model). */
      runMs: number;
      runStatus: string;
      /** POST stop → the run reads `stopped`. */
      stopMs: number;
      stopStatus: string;
      rollbackSmall: { checkpoints: number; medianMs: number };
      rollbackLarge: { checkpoints: number; medianMs: number } | null;
    };

const FINAL = new Set(["completed", "stopped", "failed", "interrupted", "awaiting_input"]);

/** A tenant-host API client holding the owner's session cookie. */
function tenantClient(plane: ControlPlane, slug: string, cookie: string) {
  const host = `${slug}.localhost:${plane.port}`;
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const send = () =>
      loopback(plane.port, path, {
        method,
        host,
        headers: { cookie, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        timeoutMs: 30_000,
      });
    let response = await send();
    // The tenant's host is rate limited by its tier: back off as the answer says, as any client should.
    for (let retries = 0; response.status === 429 && retries < 120; retries++) {
      await new Promise((resolve) =>
        setTimeout(resolve, Number(response.headers["retry-after"] ?? 1) * 1000),
      );
      response = await send();
    }
    if (response.status >= 300)
      throw new Error(`${method} ${path} answered ${response.status}: ${response.body.slice(0, 200)}`);
    return JSON.parse(response.body) as T;
  };
}

interface RunView {
  id: string;
  status: string;
}

async function waitForRun(
  api: ReturnType<typeof tenantClient>,
  id: string,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { run } = await api<{ run: RunView }>("GET", `/api/runs/${id}`);
    if (FINAL.has(run.status)) return run.status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return "timeout";
}

/** B4 on an active tenant: an offline-model run, a stop, and rollbacks with few and many checkpoints. */
export async function measureBuilder(
  plane: ControlPlane,
  slug: string,
  options: { largeCheckpoints: number; budgetMs: number },
): Promise<BuilderFigures> {
  let api: ReturnType<typeof tenantClient>;
  let projectId: string;
  try {
    api = tenantClient(plane, slug, await ownerCookies(plane, slug));
    ({
      project: { id: projectId },
    } = await api<{ project: { id: string } }>("POST", "/api/projects", { name: "Bench site" }));
  } catch (error) {
    return { measured: false, reason: `the builder API is not usable yet: ${String(error).split("\n")[0]}` };
  }
  const prompt = "A one-page site for a neighbourhood bakery: opening hours, three breads, a contact form.";

  const runStarted = performance.now();
  const { run } = await api<{ run: RunView }>("POST", `/api/projects/${projectId}/runs`, {
    prompt,
    autonomy: 4,
    creativity: 2,
  });
  const runStatus = await waitForRun(api, run.id, 120_000);
  const runMs = performance.now() - runStarted;

  const { run: second } = await api<{ run: RunView }>("POST", `/api/projects/${projectId}/runs`, {
    prompt: "Add a page with the story of the bakery.",
    autonomy: 4,
    creativity: 2,
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stopStarted = performance.now();
  await api("POST", `/api/runs/${second.id}/stop`);
  const stopStatus = await waitForRun(api, second.id, 30_000);
  const stopMs = performance.now() - stopStarted;

  type Checkpoints = { checkpoints: Array<{ id: string }> };
  const rollbackMedian = async (samples: number): Promise<{ checkpoints: number; medianMs: number }> => {
    const { checkpoints } = await api<Checkpoints>("GET", `/api/projects/${projectId}/checkpoints`);
    const oldest = checkpoints.at(-1)!.id;
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await api("POST", `/api/projects/${projectId}/rollback`, { checkpointId: oldest, scope: "both" });
      times.push(performance.now() - started);
    }
    return { checkpoints: checkpoints.length, medianMs: median(times) };
  };
  const rollbackSmall = await rollbackMedian(5);

  // Each rollback adds a `restore` checkpoint: the cheapest way to grow a long history.
  const deadline = Date.now() + options.budgetMs;
  let count = rollbackSmall.checkpoints + 5;
  let oldest: string | undefined;
  while (count < options.largeCheckpoints && Date.now() < deadline) {
    if (!oldest) {
      const { checkpoints } = await api<Checkpoints>("GET", `/api/projects/${projectId}/checkpoints`);
      oldest = checkpoints.at(-1)!.id;
    }
    await api("POST", `/api/projects/${projectId}/rollback`, { checkpointId: oldest, scope: "both" });
    count++;
  }
  const rollbackLarge = count >= options.largeCheckpoints ? await rollbackMedian(5) : null;
  return { measured: true, runMs, runStatus, stopMs, stopStatus, rollbackSmall, rollbackLarge };
}
