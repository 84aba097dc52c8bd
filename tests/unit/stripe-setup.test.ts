import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setupStripe, WEBHOOK_EVENTS } from "../../scripts/stripe-setup.ts";

// biome-ignore lint/suspicious/noExplicitAny: decoded form fields are whatever the request sent
type Form = Record<string, any>;

/**
 * A Stripe double at the HTTP boundary: just the products, prices and webhook endpoints the
 * setup script touches, with Stripe's form encoding, list envelopes and 404 errors.
 */
class FakeStripe {
  products = new Map<string, Record<string, unknown>>();
  prices: Array<Record<string, unknown>> = [];
  webhookEndpoints: Array<Record<string, unknown>> = [];
  portalConfigurations: Array<Record<string, unknown>> = [];
  writes = 0;
  #ids = 0;
  server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://stripe.test");
    let body = "";
    for await (const chunk of request) body += chunk;
    const params = parseForm(request.method === "GET" ? url.searchParams : new URLSearchParams(body));
    const [status, payload] = this.handle(request.method ?? "GET", url.pathname, params);
    response.writeHead(status, { "content-type": "application/json", "request-id": `req_${this.#ids}` });
    response.end(JSON.stringify(payload));
  });

  id(prefix: string) {
    this.#ids += 1;
    return `${prefix}_${String(this.#ids).padStart(6, "0")}`;
  }

  handle(method: string, path: string, params: Form): [number, unknown] {
    if (method === "POST") this.writes += 1;
    const productMatch = /^\/v1\/products(?:\/([^/]+))?$/.exec(path);
    if (productMatch) {
      const id = productMatch[1] && decodeURIComponent(productMatch[1]);
      if (method === "POST" && !id) {
        const product: Form = { object: "product", active: true, description: null, metadata: {}, ...params };
        this.products.set(product.id, product);
        return [200, product];
      }
      const product = id ? this.products.get(id) : undefined;
      if (!product) return notFound(`No such product: '${id}'`);
      if (method === "POST") Object.assign(product, params, { active: params.active !== "false" });
      return [200, product];
    }
    const priceMatch = /^\/v1\/prices(?:\/([^/]+))?$/.exec(path);
    if (priceMatch) {
      if (method === "GET" && !priceMatch[1]) {
        const keys: string[] = params.lookup_keys ?? [];
        return [
          200,
          list(
            "/v1/prices",
            this.prices.filter((price) => keys.includes(price.lookup_key as string)),
          ),
        ];
      }
      if (method === "POST" && !priceMatch[1]) {
        if (params.transfer_lookup_key === "true") {
          for (const price of this.prices)
            if (price.lookup_key === params.lookup_key) price.lookup_key = null;
        } else if (this.prices.some((price) => price.lookup_key === params.lookup_key)) {
          return [400, { error: { type: "invalid_request_error", message: "lookup_key already exists" } }];
        }
        const price = {
          object: "price",
          id: this.id("price"),
          active: true,
          product: params.product,
          currency: params.currency,
          unit_amount: Number(params.unit_amount),
          recurring: { interval: params.recurring.interval },
          lookup_key: params.lookup_key,
          metadata: params.metadata ?? {},
        };
        this.prices.push(price);
        return [200, price];
      }
      const price = this.prices.find((each) => each.id === priceMatch[1]);
      if (!price) return notFound(`No such price: '${priceMatch[1]}'`);
      if (method === "POST" && "active" in params) price.active = params.active === "true";
      return [200, price];
    }
    const webhookMatch = /^\/v1\/webhook_endpoints(?:\/([^/]+))?$/.exec(path);
    if (webhookMatch) {
      if (method === "GET") return [200, list("/v1/webhook_endpoints", this.webhookEndpoints)];
      if (!webhookMatch[1]) {
        const endpoint = {
          object: "webhook_endpoint",
          id: this.id("we"),
          url: params.url,
          enabled_events: params.enabled_events,
          api_version: params.api_version,
          status: "enabled",
          description: params.description,
        };
        this.webhookEndpoints.push(endpoint);
        return [200, { ...endpoint, secret: `whsec_${endpoint.id}` }];
      }
      const endpoint = this.webhookEndpoints.find((each) => each.id === webhookMatch[1]);
      if (!endpoint) return notFound(`No such webhook endpoint: '${webhookMatch[1]}'`);
      if (params.enabled_events) endpoint.enabled_events = params.enabled_events;
      if (params.disabled === "false") endpoint.status = "enabled";
      return [200, endpoint];
    }
    const portalMatch = /^\/v1\/billing_portal\/configurations(?:\/([^/]+))?$/.exec(path);
    if (portalMatch) {
      if (method === "GET")
        return [200, list("/v1/billing_portal/configurations", this.portalConfigurations)];
      if (!portalMatch[1]) {
        const configuration = {
          object: "billing_portal.configuration",
          id: this.id("bpc"),
          active: true,
          ...params,
        };
        this.portalConfigurations.push(configuration);
        return [200, configuration];
      }
      const configuration = this.portalConfigurations.find((each) => each.id === portalMatch[1]);
      if (!configuration) return notFound(`No such configuration: '${portalMatch[1]}'`);
      Object.assign(configuration, params);
      return [200, configuration];
    }
    return notFound(`Unrecognized request URL (${method}: ${path})`);
  }
}

function notFound(message: string): [number, unknown] {
  return [404, { error: { type: "invalid_request_error", code: "resource_missing", message } }];
}

function list(url: string, data: unknown[]) {
  return { object: "list", url, has_more: false, data };
}

/** Stripe's form encoding: `a[b]=1`, `a[0]=x` → nested objects and arrays. */
function parseForm(form: URLSearchParams): Form {
  const result: Form = {};
  for (const [key, value] of form) {
    const path = key.split(/\[|\]\[|\]/).filter(Boolean);
    let target = result;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        if (Array.isArray(target)) target.push(value);
        else target[part] = value;
        return;
      }
      target[part] ??= /^\d+$/.test(path[index + 1] ?? "") ? [] : {};
      target = target[part];
    });
  }
  return result;
}

const fake = new FakeStripe();
let stripe: Stripe;
let port: number;

beforeAll(async () => {
  await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
  port = (fake.server.address() as AddressInfo).port;
  stripe = new Stripe("sk_test_fake", { host: "127.0.0.1", port, protocol: "http", maxNetworkRetries: 0 });
});

afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

beforeEach(() => {
  fake.products.clear();
  fake.prices = [];
  fake.webhookEndpoints = [];
  fake.portalConfigurations = [];
  fake.writes = 0;
});

describe("stripe-setup", () => {
  it("creates one product per tier, the monthly prices under the contract lookup keys, and the webhook", async () => {
    const report = await setupStripe(stripe, { url: "https://websp.lat/" });

    expect([...fake.products.keys()]).toEqual(["websplat_starter", "websplat_pro", "websplat_studio"]);
    expect(fake.prices.map((price) => [price.lookup_key, price.unit_amount, price.recurring])).toEqual([
      ["websplat_starter", 1900, { interval: "month" }],
      ["websplat_pro", 4900, { interval: "month" }],
      ["websplat_studio", 14900, { interval: "month" }],
    ]);
    expect(fake.webhookEndpoints).toHaveLength(1);
    expect(fake.webhookEndpoints[0]).toMatchObject({
      url: "https://websp.lat/webhooks/stripe",
      enabled_events: [...WEBHOOK_EVENTS],
      api_version: Stripe.API_VERSION,
    });
    expect(report.webhookSecret).toMatch(/^whsec_/);
    expect(report.actions.filter((action) => action.includes("created"))).toHaveLength(8);
  });

  it("configures the billing portal: the three plans' prices, cancellation at period end, card update", async () => {
    await setupStripe(stripe, { url: "https://websp.lat" });
    expect(fake.portalConfigurations).toHaveLength(1);
    const configuration = fake.portalConfigurations[0] as Form;
    expect(configuration.metadata.websplat).toBe("portal");
    expect(configuration.features.subscription_cancel).toEqual({ enabled: "true", mode: "at_period_end" });
    expect(configuration.features.payment_method_update).toEqual({ enabled: "true" });
    const products = configuration.features.subscription_update.products as Form[];
    expect(products.map((entry) => entry.product)).toEqual([
      "websplat_starter",
      "websplat_pro",
      "websplat_studio",
    ]);
    const prices = new Map(fake.prices.map((price) => [price.id, price.lookup_key]));
    expect(products.map((entry) => entry.prices.map((id: string) => prices.get(id)))).toEqual([
      ["websplat_starter"],
      ["websplat_pro"],
      ["websplat_studio"],
    ]);
    expect(configuration.business_profile.privacy_policy_url).toBe("https://websp.lat/privacy");
  });

  it("changes nothing when run a second time", async () => {
    await setupStripe(stripe, { url: "https://websp.lat", yearly: true });
    const writes = fake.writes;

    const again = await setupStripe(stripe, { url: "https://websp.lat", yearly: true });

    expect(fake.writes).toBe(writes);
    expect(again.actions.every((action) => action.includes("unchanged"))).toBe(true);
    expect(again.webhookSecret).toBeNull();
    expect(fake.prices.map((price) => price.lookup_key)).toContain("websplat_studio_yearly");
  });

  it("moves a lookup key to a new price when the amount changed, archiving the old price", async () => {
    await setupStripe(stripe, { url: "https://websp.lat" });
    const pro = fake.prices.find((price) => price.lookup_key === "websplat_pro")!;
    pro.unit_amount = 3900;

    const report = await setupStripe(stripe, { url: "https://websp.lat" });

    const current = fake.prices.filter((price) => price.lookup_key === "websplat_pro");
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ unit_amount: 4900, active: true });
    expect(pro).toMatchObject({ active: false, lookup_key: null });
    expect(report.actions.find((action) => action.startsWith("price websplat_pro:"))).toContain("replaced");
  });

  it("re-enables the endpoint's events when someone changed them in the Dashboard", async () => {
    await setupStripe(stripe, { url: "https://websp.lat" });
    fake.webhookEndpoints[0]!.enabled_events = ["invoice.paid"];

    const report = await setupStripe(stripe, { url: "https://websp.lat" });

    expect(fake.webhookEndpoints).toHaveLength(1);
    expect(fake.webhookEndpoints[0]!.enabled_events).toEqual([...WEBHOOK_EVENTS]);
    expect(report.actions.at(-1)).toContain("updated events");
  });

  it("runs as a script and prints what it did and the signing secret", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["scripts/stripe-setup.ts", "--url", "https://websp.lat", "--yearly"],
      {
        env: {
          ...process.env,
          STRIPE_SECRET_KEY: "sk_test_fake",
          STRIPE_API_BASE: `http://127.0.0.1:${port}`,
        },
      },
    );

    expect(stdout).toContain("product websplat_pro: created");
    expect(stdout).toContain("price websplat_pro_yearly: created (490 USD/year");
    expect(stdout).toMatch(/STRIPE_WEBHOOK_SECRET=whsec_/);
  });

  it("refuses to run without a secret key, saying which variable to set", async () => {
    const failure = await promisify(execFile)(
      process.execPath,
      ["scripts/stripe-setup.ts", "--url", "https://websp.lat"],
      {
        env: { ...process.env, STRIPE_SECRET_KEY: "" },
      },
    ).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain("STRIPE_SECRET_KEY is not set");
  });
});
