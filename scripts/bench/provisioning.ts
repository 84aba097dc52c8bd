import { performance } from "node:perf_hooks";
import type { ControlPlane } from "./environment.ts";
import { admin, loopback, pollUntil } from "./http.ts";
import { checkoutCompleted } from "./stripe-events.ts";

/** One purchase, from the webhook leaving the customer's bank to the tenant URL answering 200. */
export interface Purchase {
  slug: string;
  ok: boolean;
  error?: string;
  /** Webhook sent → tenant `/healthz` 200, measured by the client. */
  totalMs: number;
  /** Webhook sent → 200 from `/webhooks/stripe`. */
  ackMs: number;
  /** From the operation log (server clocks). */
  breakdown?: Breakdown;
}

export interface Breakdown {
  /** Operation created → a worker started it. */
  queueWaitMs: number;
  /** "Ensuring database role and schema" → "created/verified". */
  databaseMs: number;
  /** Database done → "Agent runtime serving". */
  runtimeStartMs: number;
  /** Runtime serving → operation finished (route, stack record, status). */
  routeMs: number;
  /** Operation created → finished. */
  operationMs: number;
}

const READY_TIMEOUT_MS = 60_000;

/** Sends a signed checkout.session.completed for `slug`, then polls the tenant's /healthz until 200. */
export async function purchase(plane: ControlPlane, slug: string): Promise<Purchase> {
  const event = checkoutCompleted(slug, plane.webhookSecret);
  const started = performance.now();
  try {
    const ack = await loopback(plane.port, "/webhooks/stripe", {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": event.signature },
      body: event.body,
    });
    const ackMs = performance.now() - started;
    if (ack.status !== 200) throw new Error(`webhook answered ${ack.status}: ${ack.body.slice(0, 200)}`);
    const host = `${slug}.localhost:${plane.port}`;
    const ready = await pollUntil(
      async () => (await loopback(plane.port, "/healthz", { host, timeoutMs: 5000 })).status === 200,
      READY_TIMEOUT_MS,
      10,
    );
    const totalMs = performance.now() - started;
    if (!ready) throw new Error(`tenant ${slug} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s`);
    return { slug, ok: true, totalMs, ackMs };
  } catch (error) {
    return { slug, ok: false, error: String(error), totalMs: performance.now() - started, ackMs: Number.NaN };
  }
}

interface OperationSummary {
  id: string;
  kind: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface OperationDetail extends OperationSummary {
  log?: Array<{ at: string; message: string }>;
}

/** Reads the first successful reconcile of `slug` from the operation log and splits it into phases. */
export async function breakdown(plane: ControlPlane, slug: string): Promise<Breakdown | undefined> {
  const listed = await admin<{ operations: OperationSummary[] } | OperationSummary[]>(
    plane,
    `/admin/tenants/${slug}/operations`,
  );
  const operations = Array.isArray(listed) ? listed : listed.operations;
  const candidates = operations
    .filter((op) => op.status === "succeeded" && op.startedAt && op.finishedAt)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  for (const candidate of candidates) {
    const operation = await admin<OperationDetail | { operation: OperationDetail }>(
      plane,
      `/admin/operations/${candidate.id}`,
    );
    const detail = "operation" in operation ? operation.operation : operation;
    const log = detail.log ?? [];
    const at = (pattern: RegExp) => {
      const line = log.find((entry) => pattern.test(entry.message));
      return line ? Date.parse(line.at) : Number.NaN;
    };
    const dbStart = at(/^Ensuring database role and schema/);
    const dbDone = at(/^Database role and schema (created|verified)/);
    const serving = at(/^Agent runtime serving/);
    if (!Number.isFinite(serving)) continue;
    const created = Date.parse(detail.createdAt);
    const started = Date.parse(detail.startedAt!);
    const finished = Date.parse(detail.finishedAt!);
    return {
      queueWaitMs: started - created,
      databaseMs: dbDone - dbStart,
      runtimeStartMs: serving - dbDone,
      routeMs: finished - serving,
      operationMs: finished - created,
    };
  }
  return undefined;
}

/** Purchases one after another (`concurrency` 1) or all at once. Bounded by count and `budgetMs`. */
export async function purchases(
  plane: ControlPlane,
  slugs: string[],
  mode: "sequential" | "concurrent",
  budgetMs: number,
): Promise<Purchase[]> {
  const deadline = Date.now() + budgetMs;
  let results: Purchase[];
  if (mode === "concurrent") {
    results = await Promise.all(slugs.map((slug) => purchase(plane, slug)));
  } else {
    results = [];
    for (const slug of slugs) {
      if (Date.now() > deadline) break;
      results.push(await purchase(plane, slug));
    }
  }
  for (const result of results) {
    if (result.ok) result.breakdown = await breakdown(plane, result.slug).catch(() => undefined);
  }
  return results;
}
