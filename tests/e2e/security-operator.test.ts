import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane.ts";

/**
 * Attacks on the operator's surface: scraping /metrics from the internet, smuggling ids into the logs,
 * guessing admin tokens, acting without leaving a name in the audit log. 127.0.0.2 is the trusted proxy here;
 * what it forwards comes "from the internet".
 */
const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const plane = useControlPlane({
  env: { WEBSPLAT_TRUSTED_PROXY: "127.0.0.2", WEBSPLAT_METRICS_TOKEN: METRICS_TOKEN },
});

/** A request relayed by the trusted proxy for `client` (or straight from loopback when client is null). */
async function call(
  method: string,
  path: string,
  options: { client?: string | null; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const client = options.client === undefined ? "192.0.2.10" : options.client;
  return await new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: plane().port,
        path,
        method,
        localAddress: client === null ? "127.0.0.1" : "127.0.0.2",
        headers: {
          ...(client === null ? {} : { "x-forwarded-for": client }),
          ...(payload ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

describe("/metrics is not public", () => {
  it("a scrape relayed from the internet gets 404 unless it carries the metrics token; a local scraper is served", async () => {
    const anonymous = await call("GET", "/metrics");
    expect(anonymous.status).toBe(404);
    expect(anonymous.text).not.toContain("http_request");
    const withToken = await call("GET", "/metrics", {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(withToken.status).toBe(200);
    const local = await call("GET", "/metrics", { client: null });
    expect(local.status).toBe(200);
  });
});

describe("request ids", () => {
  it("a client's X-Request-Id is kept only when it looks like an id; anything else is replaced", async () => {
    const fine = await call("GET", "/healthz", { headers: { "x-request-id": "trace-0123abcd" } });
    expect(fine.headers["x-request-id"]).toBe("trace-0123abcd");
    for (const id of ["a".repeat(100), 'x","level":"fatal', "../../etc/passwd"]) {
      const answer = await call("GET", "/healthz", { headers: { "x-request-id": id } });
      expect(answer.headers["x-request-id"]).not.toBe(id);
      expect(String(answer.headers["x-request-id"])).toMatch(/^[\w-]{1,64}$/);
    }
  });
});

describe("admin tokens", () => {
  it("a client guessing admin tokens is locked out with 429 (even its right guess waits); other clients are not", async () => {
    const guesser = "192.0.2.66";
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const answer = await call("GET", "/admin/tenants", {
        client: guesser,
        headers: { authorization: `Bearer guess-${i}-${"x".repeat(24)}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const right = await call("GET", "/admin/tenants", {
      client: guesser,
      headers: { authorization: `Bearer ${plane().adminToken}` },
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    const colleague = await call("GET", "/admin/tenants", {
      client: "192.0.2.77",
      headers: { authorization: `Bearer ${plane().adminToken}` },
    });
    expect(colleague.status).toBe(200);
  });

  it("audit entries of tenant actions name the token that acted, not just 'admin'", async () => {
    const bootstrap = { authorization: `Bearer ${plane().adminToken}` };
    const created = await call("POST", "/admin/tokens", { headers: bootstrap, body: { name: "ci-robot" } });
    expect(created.status).toBe(201);
    const token = JSON.parse(created.text).token as string;
    const robot = { authorization: `Bearer ${token}` };
    const tenant = await call("POST", "/admin/tenants", {
      headers: robot,
      body: { slug: "op-audited", email: "owner@op-audited.test", tier: "starter" },
    });
    expect(tenant.status).toBe(201);
    expect((await call("POST", "/admin/tenants/op-audited/suspend", { headers: bootstrap })).status).toBe(
      202,
    );
    const audit = JSON.parse(
      (await call("GET", "/admin/audit?slug=op-audited", { headers: bootstrap })).text,
    ) as {
      entries: { action: string; actor: string }[];
    };
    const actorOf = (action: string) => audit.entries.find((entry) => entry.action === action)?.actor;
    expect(actorOf("tenant.create")).toBe("admin:token:ci-robot");
    expect(actorOf("tenant.suspend")).toBe("admin:bootstrap");
  });
});
