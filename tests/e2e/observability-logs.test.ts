import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantPassword } from "../../stacks/local/database.ts";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { alertRules, dashboardQueries, exposedFamilies, metricsIn } from "../support/monitoring.ts";
import { admin, settledActive, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/**
 * A provisioning (signup, local payment, signed webhooks, reconcile) and a builder run through the gateway,
 * with every log line of the control plane and of the tenant's runtime captured. Slugs start with "obs-".
 */
describe("logs: every line of a provisioning and a builder run is JSON, attributed, and free of secrets", () => {
  const slug = "obs-logs";
  let plane: RunningControlPlane;
  /** Every response body and header the test received: secrets must not appear there either. */
  const responses: string[] = [];
  let ownerToken = "";
  let sessionCookie = "";
  let controlPlaneLines: string[] = [];
  let runtimeLines: string[] = [];
  let controlPlaneMetrics = "";
  let runtimeMetrics = "";
  let runtimeMetricsThroughGateway = 0;

  const keep = async (response: Response): Promise<string> => {
    const text = await response.text();
    responses.push(`${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${text}`);
    return text;
  };

  beforeAll(async () => {
    plane = await startControlPlane({ env: { LOG_LEVEL: "info" } });

    const signup = await fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@example.com", slug, tier: "pro" }),
    });
    const { checkoutUrl } = JSON.parse(await keep(signup)) as { checkoutUrl: string };
    const id = new URL(checkoutUrl).pathname.split("/").at(-1);
    await keep(await fetch(checkoutUrl));
    await keep(await fetch(`${plane.url}/checkout/local/${id}/pay`, { method: "POST", redirect: "manual" }));
    await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });

    // The one response meant to carry the owner token: it is the secret the scan looks for afterwards.
    const link = await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" });
    const { url } = (await link.json()) as { url: string };
    ownerToken = new URL(url).searchParams.get("token")!;
    const callback = new URL(url);
    const signIn = await fetchTenant(plane, slug, `${callback.pathname}${callback.search}`);
    expect(signIn.status).toBe(302);
    // The one response meant to carry the session cookie.
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    sessionCookie = cookie.slice(cookie.indexOf("=") + 1);
    expect(sessionCookie.length).toBeGreaterThan(10);

    const owner = async (path: string, body?: unknown) => {
      const response = await fetchTenant(plane, slug, path, {
        method: body === undefined ? "GET" : "POST",
        headers: { cookie, "content-type": "application/json", accept: "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return JSON.parse(await keep(response));
    };
    const { project } = await owner("/api/projects", { name: "Observed" });
    const { run } = await owner(`/api/projects/${project.id}/runs`, {
      prompt: "A website for a bakery with a menu, opening hours and a contact form",
      autonomy: 4,
      creativity: 2,
    });
    await waitFor(
      async () => {
        const { run: now } = await owner(`/api/runs/${run.id}`);
        return now.status === "completed" ? now : null;
      },
      { timeoutMs: 45_000, what: "the builder run to complete" },
    );
    await keep(await admin(plane, `/admin/tenants/${slug}`));
    await keep(await admin(plane, `/admin/tenants/${slug}/operations`));

    controlPlaneMetrics = await keep(await fetch(`${plane.url}/metrics`));
    const state = JSON.parse(await readFile(join(plane.dataDir, "runtimes", `${slug}.json`), "utf8"));
    runtimeMetrics = await keep(await fetch(`http://127.0.0.1:${state.port}/metrics`));
    runtimeMetricsThroughGateway = (await fetchTenant(plane, slug, "/metrics")).status;

    await plane.stop();
    controlPlaneLines = plane.output().split("\n");
    runtimeLines = (await readFile(join(plane.dataDir, "runtimes", `${slug}.log`), "utf8")).split("\n");
  }, 120_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  async function allSecrets(): Promise<Record<string, string>> {
    const platformSecret = (await readFile(join(plane.dataDir, "platform-secret"), "utf8")).trim();
    return {
      "admin token": plane.adminToken,
      "webhook secret": plane.webhookSecret,
      "tenant database password": tenantPassword(platformSecret, slug),
      "owner token": ownerToken,
      "session cookie": sessionCookie,
    };
  }

  /** The start banner and the shutdown notice are for the operator's terminal, not log lines. */
  // The banner, with the start notes it may carry (a private clone as root, a PostgreSQL left running).
  const TERMINAL_TEXT =
    /^(|WebSplat control plane is running\.| {2}(Signup|API docs|Admin token|Webhook secret|Tenants|Mailbox|Database): .*|Received SIGTERM: .*|Stopped\.|(PostgreSQL runs as|Tenant runtimes run as|Reusing PostgreSQL PID|Stopped PostgreSQL PID) .*)$/;

  function parsed(lines: string[]): Array<Record<string, unknown>> {
    return lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
  }

  it("the control plane writes only JSON log lines besides its start banner", () => {
    const stray = controlPlaneLines.filter((line) => !line.startsWith("{") && !TERMINAL_TEXT.test(line));
    expect(stray).toEqual([]);
    expect(parsed(controlPlaneLines).length).toBeGreaterThan(10);
  });

  it("only start and stop lines lack a request id: everything else stems from a request", () => {
    // Lines of the process's own life, which no request caused.
    const lifecycle = new Set([
      "control plane ready",
      "runtime stopped",
      "listening",
      "migrations applied",
      "ready",
      "builder ready, runs recovered",
      "shutting down",
    ]);
    // The reconciler's own periodic resync may start a reconcile too; its lines have no request behind them.
    const byResync = new Set(
      parsed(controlPlaneLines)
        .filter((line) => line.msg === "reconcile requested" && !line.requestId)
        .map((line) => line.operation),
    );
    const without = [...parsed(controlPlaneLines), ...parsed(runtimeLines)].filter((line) => !line.requestId);
    expect(
      without.filter((line) => !lifecycle.has(String(line.msg)) && !byResync.has(line.operation)),
    ).toEqual([]);
  });

  it("the runtime writes only JSON log lines, each naming its tenant", () => {
    const lines = runtimeLines.filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.startsWith("{"), line).toBe(true);
      expect(JSON.parse(line).tenant, line).toBe(slug);
    }
  });

  it("every request line carries a request id, and tenant traffic carries the tenant on both sides", () => {
    const requests = parsed(controlPlaneLines).filter((line) => line.msg === "request");
    expect(requests.length).toBeGreaterThan(5);
    for (const line of requests) expect(line.requestId, JSON.stringify(line)).toEqual(expect.any(String));
    const gateway = requests.filter((line) => line.gateway === true);
    expect(gateway.length).toBeGreaterThan(2);
    for (const line of gateway) expect(line.tenant).toBe(slug);

    const runtimeRequests = parsed(runtimeLines).filter((line) => line.msg === "request");
    expect(runtimeRequests.length).toBeGreaterThan(2);
    const gatewayIds = new Set(gateway.map((line) => line.requestId));
    // The gateway hands its request id on: both sides of one request log the same id.
    for (const line of runtimeRequests) {
      expect(line.requestId, JSON.stringify(line)).toEqual(expect.any(String));
      if (line.path !== "/healthz") expect(gatewayIds.has(line.requestId), JSON.stringify(line)).toBe(true);
    }
    // A run goes on after the request that started it; its lines keep that request's id.
    const started = runtimeRequests.find(
      (line) => line.method === "POST" && /\/runs$/.test(String(line.path)),
    );
    const finished = parsed(runtimeLines).find((line) => line.msg === "run finished");
    expect(finished).toMatchObject({ status: "completed", requestId: started?.requestId });
  });

  it("a line that concerns the tenant names it, and the provisioning's lines carry the webhook's request id", () => {
    const lines = parsed(controlPlaneLines);
    for (const line of lines) {
      const { tenant, ...rest } = line;
      if (JSON.stringify(rest).includes(slug) || rest.operation)
        expect(tenant, JSON.stringify(line)).toBe(slug);
    }
    const webhookIds = new Set(
      lines.filter((l) => l.msg === "request" && l.path === "/webhooks/stripe").map((l) => l.requestId),
    );
    const provisioning = lines.filter((line) => line.operation && line.tenant === slug);
    expect(provisioning.length).toBeGreaterThan(2);
    expect(provisioning.some((line) => webhookIds.has(line.requestId))).toBe(true);
  });

  it("/metrics of both services expose every metric the alerts and the dashboard read, with sensible labels", () => {
    const exposed = new Set([...exposedFamilies(controlPlaneMetrics), ...exposedFamilies(runtimeMetrics)]);
    const reads = [...alertRules().map((r) => r.expr), ...dashboardQueries().map((q) => q.expr)];
    for (const metric of new Set(reads.flatMap(metricsIn))) expect(exposed, metric).toContain(metric);

    expect(controlPlaneMetrics).toMatch(/^websplat_tenants\{status="active",tier="pro"\} 1$/m);
    expect(controlPlaneMetrics).toMatch(
      /^websplat_reconcile_duration_seconds_count\{driver="local",outcome="succeeded"\} [1-9]/m,
    );
    expect(controlPlaneMetrics).toMatch(
      /^websplat_webhook_events_total\{type="checkout.session.completed",outcome="accepted"\} 1$/m,
    );
    expect(controlPlaneMetrics).toMatch(
      /^websplat_http_request_duration_seconds_count\{method="POST",route="\/api\/signup",status="201"\} 1$/m,
    );
    expect(runtimeMetrics).toMatch(
      /^websplat_builder_runs_total\{outcome="completed",tenant="obs-logs"\} 1$/m,
    );
    expect(runtimeMetrics).toMatch(
      /^websplat_builder_tokens_total\{agent="builder",kind="completion",tenant="obs-logs"\} [1-9]/m,
    );
    // Through the gateway (the public address) the runtime's metrics are refused.
    expect(runtimeMetricsThroughGateway).toBe(403);
  });

  it("no secret appears in any log line of either service or in any API response", async () => {
    const everything = [
      ["control plane log", controlPlaneLines.join("\n")],
      ["runtime log", runtimeLines.join("\n")],
      ["API responses", responses.join("\n")],
    ] as const;
    for (const [name, secret] of Object.entries(await allSecrets())) {
      expect(secret.length, name).toBeGreaterThan(8);
      for (const [where, text] of everything)
        expect(text.includes(secret), `${name} in ${where}`).toBe(false);
    }
  });
});
