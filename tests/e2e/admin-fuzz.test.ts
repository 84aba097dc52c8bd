import { resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { awkwardText, tenantFields } from "../support/fuzz.ts";
import { sign } from "../support/stripe-events.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

/** Whatever a caller sends, the answer is never a 5xx (a 5xx means a bug). Slugs start with "af-". */
describe("no 5xx for bad input", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME } });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  const segment = awkwardText("af-known");
  const json = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc
      .record(tenantFields(fc.string({ maxLength: 70 }), fc.string({ maxLength: 20 })), { requiredKeys: [] })
      .map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 100 }),
    fc.constant(""),
  );
  const query = fc.dictionary(
    fc.constantFrom("status", "tier", "q", "limit", "cursor", "key", "slug"),
    fc.string({ maxLength: 30 }),
    {
      maxKeys: 3,
    },
  );

  type Request = { method: string; path: string; body?: string; admin: boolean; signature?: string };
  const request: fc.Arbitrary<Request> = fc.oneof(
    fc.record({
      method: fc.constant("GET"),
      path: segment.map((s) => `/api/slugs/${encodeURIComponent(s)}`),
      admin: fc.constant(false),
    }),
    fc.record({
      method: fc.constant("POST"),
      path: fc.constant("/api/signup"),
      body: json,
      admin: fc.constant(false),
    }),
    fc.record({
      method: fc.constant("POST"),
      path: fc.constant("/webhooks/stripe"),
      body: json,
      admin: fc.constant(false),
      signature: fc.oneof(fc.string({ maxLength: 60 }), fc.constant("signed")),
    }),
    fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: segment.map((s) => `/checkout/local/${encodeURIComponent(s)}`),
      admin: fc.constant(false),
    }),
    fc.record({
      method: fc.constant("GET"),
      path: segment.map((s) => `/welcome/${encodeURIComponent(s)}`),
      admin: fc.constant(false),
    }),
    fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: query.map((q) => `/admin/tenants?${new URLSearchParams(q)}`),
      body: json,
      admin: fc.boolean(),
    }),
    fc.record({
      method: fc.constantFrom("GET", "PATCH", "DELETE"),
      path: segment.map((s) => `/admin/tenants/${encodeURIComponent(s)}`),
      body: json,
      admin: fc.constant(true),
    }),
    fc.record({
      method: fc.constant("POST"),
      path: fc
        .tuple(
          segment,
          fc.constantFrom(
            "suspend",
            "resume",
            "reconcile",
            "owner-link",
            "stack/preview",
            "stack/refresh",
            "stack/cancel",
          ),
        )
        .map(([s, action]) => `/admin/tenants/${encodeURIComponent(s)}/${action}`),
      body: json,
      admin: fc.constant(true),
    }),
    fc.record({
      method: fc.constant("GET"),
      path: fc
        .tuple(segment, fc.constantFrom("stack/outputs", "stack/export", "operations"))
        .map(([s, what]) => `/admin/tenants/${encodeURIComponent(s)}/${what}`),
      admin: fc.constant(true),
    }),
    fc.record({
      method: fc.constant("GET"),
      path: fc
        .tuple(segment, query)
        .map(([s, q]) => `/admin/operations/${encodeURIComponent(s)}?${new URLSearchParams(q)}`),
      admin: fc.constant(true),
    }),
  );

  it("public endpoints and admin routes answer bad bodies, params and queries with a 4xx, never a 5xx", async () => {
    // A real tenant so that routes reach their deeper branches.
    const created = await fetch(`${plane.url}/admin/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ slug: "af-known", email: "known@example.com", tier: "starter" }),
    });
    expect(created.status).toBe(201);

    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (input.admin) headers.authorization = `Bearer ${plane.adminToken}`;
        if (input.signature !== undefined) {
          headers["stripe-signature"] =
            input.signature === "signed" ? sign(input.body ?? "", plane.webhookSecret) : input.signature;
        }
        const withBody = input.method !== "GET" && input.body !== undefined;
        const response = await fetch(`${plane.url}${input.path}`, {
          method: input.method,
          headers,
          body: withBody ? input.body : undefined,
          redirect: "manual",
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status >= 500)
          throw new Error(`${input.method} ${input.path} → ${response.status}: ${text.slice(0, 300)}`);
        if (input.path.startsWith("/admin/") && response.status >= 400) {
          expect(JSON.parse(text)).toMatchObject({
            error: { code: expect.any(String), message: expect.any(String) },
          });
        }
      }),
      { numRuns: 300, interruptAfterTimeLimit: 60_000 },
    );
  }, 90_000);
});
