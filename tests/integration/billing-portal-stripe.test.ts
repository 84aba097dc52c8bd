import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripePortal } from "../../control-plane/billing/portal.ts";
import { stripeClient } from "../../control-plane/billing/stripe-client.ts";
import type { Tenant } from "../../control-plane/registry/tenants.ts";

/** Stripe's API at the HTTP boundary: only `POST /v1/billing_portal/sessions`, recording what it was sent. */
const requests: Array<{ path: string; form: URLSearchParams; authorization?: string }> = [];
const server: Server = createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  const form = new URLSearchParams(body);
  requests.push({ path: request.url ?? "", form, authorization: request.headers.authorization });
  if (request.method === "GET" && request.url?.startsWith("/v1/billing_portal/configurations")) {
    response.writeHead(200, { "content-type": "application/json" });
    const configuration = (id: string, metadata: Record<string, string>) => ({
      object: "billing_portal.configuration",
      id,
      active: true,
      metadata,
    });
    response.end(
      JSON.stringify({
        object: "list",
        url: "/v1/billing_portal/configurations",
        has_more: false,
        data: [configuration("bpc_default", {}), configuration("bpc_websplat", { websplat: "portal" })],
      }),
    );
    return;
  }
  if (request.method === "POST" && request.url === "/v1/billing_portal/sessions") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        object: "billing_portal.session",
        id: "bps_test_1",
        customer: form.get("customer"),
        return_url: form.get("return_url"),
        url: `https://billing.stripe.com/p/session/test_${form.get("customer")}`,
      }),
    );
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end(
    JSON.stringify({ error: { type: "invalid_request_error", message: "Unrecognized request URL" } }),
  );
});

let port: number;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const tenant = (values: Partial<Tenant>) =>
  ({ slug: "acme", stripeCustomerId: "cus_acme", ...values }) as Tenant;

describe("Stripe Billing Portal session", () => {
  it("is created with the real stripe SDK for the tenant's own customer and its builder as the return URL", async () => {
    const stripe = stripeClient("sk_test_portal", { host: "127.0.0.1", port, protocol: "http" });
    const url = await stripePortal(stripe, tenant({}), "https://acme.websp.lat/billing");
    expect(url).toBe("https://billing.stripe.com/p/session/test_cus_acme");
    const sent = requests.at(-1)!;
    expect(sent.path).toBe("/v1/billing_portal/sessions");
    expect(sent.form.get("customer")).toBe("cus_acme");
    expect(sent.form.get("return_url")).toBe("https://acme.websp.lat/billing");
    // The configuration stripe-setup made: the three plans, cancel at period end, card update.
    expect(sent.form.get("configuration")).toBe("bpc_websplat");
    expect(sent.authorization).toBe("Bearer sk_test_portal");
  });

  it("a tenant without a Stripe customer (created by an admin) gets a clear 409 and Stripe is not called", async () => {
    const stripe = stripeClient("sk_test_portal", { host: "127.0.0.1", port, protocol: "http" });
    const before = requests.length;
    await expect(
      stripePortal(stripe, tenant({ stripeCustomerId: null }), "https://acme.websp.lat/"),
    ).rejects.toMatchObject({
      status: 409,
      code: "no_subscription",
    });
    expect(requests.length).toBe(before);
  });
});
