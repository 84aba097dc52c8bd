import type { TierName } from "../../tenant-template/index.ts";

/**
 * Largest request body the gateway relays to a tenant's runtime, by tier: prompts and site files are small,
 * and an unbounded body grows both the runtime and the control plane for good.
 */
export const TENANT_BODY_LIMIT_BYTES: Record<TierName, number> = {
  starter: 2 * 1024 * 1024,
  pro: 8 * 1024 * 1024,
  studio: 16 * 1024 * 1024,
};

export class BodyTooLarge extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`The request body is larger than ${Math.round(limit / 1024 / 1024)} MiB.`);
    this.limit = limit;
  }
}

/** Refuses by Content-Length up front; a body without one is counted as it streams and cut at the limit. */
export function limitedBody(
  request: Request,
  limit: number,
): { ok: true; body: ReadableStream<Uint8Array> | null } | { ok: false; error: BodyTooLarge } {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return { ok: false, error: new BodyTooLarge(limit) };
  if (!request.body) return { ok: true, body: null };
  let seen = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) controller.error(new BodyTooLarge(limit));
      else controller.enqueue(chunk);
    },
  });
  return { ok: true, body: request.body.pipeThrough(counter) };
}
