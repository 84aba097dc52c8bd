import { resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { awkwardText, tenantFields } from "../support/fuzz.ts";
import { sign } from "../support/stripe-events.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");
const REQUESTS = 10_000;
const CONCURRENCY = 20;
const SEED = 7_310;

/** 10,000 generated bad requests to every public endpoint: never a 5xx, never a crash. Slugs start with "ff-". */
describe("fault: malformed requests at volume", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME } });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  const text = awkwardText("ff-known", { binary: true, also: ["www"] });
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc
      .record(
        {
          ...tenantFields(text, text),
          id: fc.oneof(text, fc.integer()),
          type: fc.constantFrom(
            "checkout.session.completed",
            "customer.subscription.updated",
            "invoice.paid",
            "x",
          ),
          created: fc.oneof(fc.integer(), fc.double(), text),
          data: fc.oneof(fc.constant(null), fc.object({ maxDepth: 2 })),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
    text,
    fc.constant(""),
    fc.constant("{"),
  );
  const contentType = fc.constantFrom(
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
  );

  type Request = {
    method: string;
    path: string;
    body?: string;
    host?: string;
    signature?: string;
    type: string;
  };
  const request: fc.Arbitrary<Request> = fc.oneof(
    fc.record({
      method: fc.constantFrom("GET", "HEAD", "POST"),
      path: text.map((s) => `/api/slugs/${encodeURIComponent(s)}`),
      type: contentType,
    }),
    fc.record({
      method: fc.constantFrom("POST", "GET", "PUT"),
      path: fc.constant("/api/signup"),
      body,
      type: contentType,
    }),
    fc.record({
      method: fc.constant("POST"),
      path: fc.constant("/webhooks/stripe"),
      body,
      type: contentType,
      signature: fc.oneof(text, fc.constant("signed"), fc.constant("t=1,v1=00")),
    }),
    fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: text.map((s) => `/checkout/local/${encodeURIComponent(s)}`),
      body,
      type: contentType,
    }),
    fc.record({
      method: fc.constant("GET"),
      path: fc
        .tuple(text, fc.constantFrom("", "/events", "/status"))
        .map(([s, rest]) => `/welcome/${encodeURIComponent(s)}${rest}`),
      type: contentType,
    }),
    fc.record({
      method: fc.constantFrom("GET", "POST", "OPTIONS"),
      path: fc
        .tuple(
          fc.constantFrom("/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/nope"),
          text,
        )
        .map(([path, q]) => `${path}?q=${encodeURIComponent(q)}`),
      type: contentType,
    }),
    fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: text.map((s) => `/${encodeURIComponent(s)}`),
      host: fc.oneof(
        text.map((s) => `${s.replace(/[^a-z0-9.-]/gi, "")}.localhost`),
        fc.constantFrom("ff-known.localhost", "a.b.localhost", ".localhost", "localhost"),
      ),
      type: contentType,
    }),
  );

  it("10,000 generated requests to every public endpoint get no 5xx and the control plane stays up", async () => {
    const created = await fetch(`${plane.url}/admin/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ slug: "ff-known", email: "known@example.com", tier: "starter" }),
    });
    expect(created.status).toBe(201);

    const inputs = fc.sample(request, { numRuns: REQUESTS, seed: SEED });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const deadline = Date.now() + 100_000;
    let next = 0;
    const send = async (input: Request) => {
      const headers: Record<string, string> = { "content-type": input.type };
      if (input.host) headers["x-host"] = input.host;
      if (input.signature !== undefined)
        headers["stripe-signature"] =
          input.signature === "signed"
            ? sign(input.body ?? "", plane.webhookSecret)
            : // Only what an HTTP client can send as a header value.
              input.signature.replace(/[^\x20-\x7e]/g, "");
      const withBody = input.method !== "GET" && input.method !== "HEAD" && input.body !== undefined;
      const { request: httpRequest } = await import("node:http");
      // node:http, not fetch: fetch will not send a Host header of our choosing.
      return await new Promise<number>((resolveStatus, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port: plane.port,
            path: input.path,
            method: input.method,
            headers: {
              ...headers,
              host: input.host ? `${input.host}:${plane.port}` : `localhost:${plane.port}`,
            },
            timeout: 15_000,
          },
          (res) => {
            res.resume();
            res.on("end", () => resolveStatus(res.statusCode ?? 0));
          },
        );
        req.on("timeout", () => req.destroy(new Error("no answer in 15 s")));
        req.on("error", reject);
        if (withBody) req.write(input.body);
        req.end();
      })
        .catch((error: Error) => {
          failures.push(`${input.method} ${input.path}: ${error.message}`);
          return 0;
        })
        .then((status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) failures.push(`${input.method} ${input.host ?? ""}${input.path} → ${status}`);
        });
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < inputs.length && Date.now() < deadline) await send(inputs[next++]!);
      }),
    );

    expect(failures.slice(0, 10), JSON.stringify([...statuses])).toEqual([]);
    expect(next).toBe(REQUESTS);
    expect(plane.process.exitCode).toBeNull();
    expect((await fetch(`${plane.url}/readyz`)).status).toBe(200);
  }, 150_000);
});
