/**
 * `node scripts/stripe-setup.ts --url https://websp.lat [--yearly]`: makes a Stripe account sell
 * WebSplat. Creates or updates, idempotently, one product per tier, its prices under the contract
 * lookup keys (DESIGN §3), the Billing Portal configuration (plans, cancel at period end, card update)
 * and the webhook endpoint; prints what it did. Safe to run again.
 */
import { createHash } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import Stripe from "stripe";
import { lookupKeyFor, TIER_NAMES, TIERS, type TierName } from "../tenant-template/index.ts";

/** The events the control plane acts on (DESIGN §3); nothing else is sent to it. */
export const WEBHOOK_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

/** A year costs ten months: two months free for paying up front. */
const MONTHS_PER_YEAR_PRICE = 10;

export interface StripeSetupOptions {
  /** The control plane's public URL; the webhook goes to `<url>/webhooks/stripe`. */
  url: string;
  /** Also sell yearly prices (`websplat_<tier>_yearly`). */
  yearly?: boolean;
  /** Currency of the prices. @default "usd" */
  currency?: string;
}

export interface StripeSetupReport {
  /** One line per thing looked at: created, updated, replaced or unchanged. */
  actions: string[];
  webhookEndpointId: string;
  /** Only when the endpoint was created: Stripe shows a signing secret once. */
  webhookSecret: string | null;
}

interface WantedPrice {
  tier: TierName;
  lookupKey: string;
  amountCents: number;
  interval: "month" | "year";
}

export async function setupStripe(stripe: Stripe, options: StripeSetupOptions): Promise<StripeSetupReport> {
  const currency = (options.currency ?? "usd").toLowerCase();
  const actions: string[] = [];

  for (const tier of TIER_NAMES) actions.push(await ensureProduct(stripe, tier));

  const wanted: WantedPrice[] = TIER_NAMES.flatMap((tier) => {
    const monthly = TIERS[tier].monthlyPriceCents;
    const prices: WantedPrice[] = [
      { tier, lookupKey: lookupKeyFor(tier), amountCents: monthly, interval: "month" },
    ];
    if (options.yearly) {
      prices.push({
        tier,
        lookupKey: `${lookupKeyFor(tier)}_yearly`,
        amountCents: monthly * MONTHS_PER_YEAR_PRICE,
        interval: "year",
      });
    }
    return prices;
  });
  const existing = await stripe.prices.list({
    lookup_keys: wanted.map((price) => price.lookupKey),
    limit: 100,
  });
  for (const price of wanted) {
    const current = existing.data.find((each) => each.lookup_key === price.lookupKey);
    actions.push(await ensurePrice(stripe, price, currency, current));
  }

  const priced = await stripe.prices.list({
    lookup_keys: wanted.map((price) => price.lookupKey),
    limit: 100,
  });
  actions.push(await ensurePortal(stripe, options.url.replace(/\/+$/, ""), priced.data));

  const webhook = await ensureWebhook(stripe, `${options.url.replace(/\/+$/, "")}/webhooks/stripe`);
  actions.push(webhook.action);
  return { actions, webhookEndpointId: webhook.id, webhookSecret: webhook.secret };
}

/** Products get our own ids (`websplat_<tier>`), so finding them again needs no search. */
async function ensureProduct(stripe: Stripe, tier: TierName): Promise<string> {
  const id = productId(tier);
  const wanted = {
    name: `WebSplat ${TIERS[tier].title}`,
    description: TIERS[tier].tagline,
    metadata: { websplat_tier: tier },
  };
  const current = await stripe.products.retrieve(id).catch((error: unknown) => {
    if (error instanceof Stripe.errors.StripeError && error.statusCode === 404) return null;
    throw error;
  });
  if (!current) {
    await stripe.products.create({ id, ...wanted });
    return `product ${id}: created`;
  }
  const same =
    current.active &&
    current.name === wanted.name &&
    current.description === wanted.description &&
    current.metadata?.websplat_tier === tier;
  if (same) return `product ${id}: unchanged`;
  await stripe.products.update(id, { ...wanted, active: true });
  return `product ${id}: updated`;
}

/**
 * Stripe prices cannot change amount: a different amount is a new price that takes the lookup key
 * over (`transfer_lookup_key`), and the old one is archived so existing subscriptions keep it.
 */
async function ensurePrice(
  stripe: Stripe,
  price: WantedPrice,
  currency: string,
  current: Stripe.Price | undefined,
): Promise<string> {
  const product = productId(price.tier);
  const describe = `${formatAmount(price.amountCents, currency)}/${price.interval}`;
  const currentProduct = typeof current?.product === "string" ? current.product : current?.product?.id;
  if (
    current &&
    current.unit_amount === price.amountCents &&
    current.currency === currency &&
    current.recurring?.interval === price.interval &&
    currentProduct === product
  ) {
    if (current.active) return `price ${price.lookupKey}: unchanged (${describe}, ${current.id})`;
    await stripe.prices.update(current.id, { active: true });
    return `price ${price.lookupKey}: reactivated (${describe}, ${current.id})`;
  }
  const created = await stripe.prices.create({
    product,
    currency,
    unit_amount: price.amountCents,
    recurring: { interval: price.interval },
    lookup_key: price.lookupKey,
    transfer_lookup_key: true,
    metadata: { websplat_tier: price.tier },
  });
  if (!current) return `price ${price.lookupKey}: created (${describe}, ${created.id})`;
  await stripe.prices.update(current.id, { active: false });
  return `price ${price.lookupKey}: replaced ${current.id} with ${created.id} (${describe}); the old price is archived`;
}

/** Marks the portal configuration this script owns (`metadata.websplat`), found again by the control plane. */
export const PORTAL_METADATA = "portal";

/**
 * The Billing Portal the builder's "Plan and billing" opens: switch between the three plans (prorated),
 * cancel at the period's end, update the card, see invoices. The email stays ours (it is the owner's
 * sign-in address), so the portal does not offer to change it.
 */
async function ensurePortal(stripe: Stripe, url: string, prices: Stripe.Price[]): Promise<string> {
  const products = TIER_NAMES.map((tier) => ({
    product: productId(tier),
    prices: prices
      .filter((price) => price.active && price.metadata?.websplat_tier === tier)
      .map((price) => price.id)
      .sort(),
  })).filter((entry) => entry.prices.length > 0);
  const wanted = {
    business_profile: {
      headline: "WebSplat: plan and billing",
      privacy_policy_url: `${url}/privacy`,
      terms_of_service_url: `${url}/terms`,
    },
    default_return_url: `${url}/signin`,
    features: {
      customer_update: { enabled: false },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: "at_period_end" as const },
      subscription_update: {
        enabled: true,
        default_allowed_updates: ["price" as const],
        proration_behavior: "create_prorations" as const,
        products,
      },
    },
  };
  const fingerprint = createHash("sha256").update(JSON.stringify(wanted)).digest("hex").slice(0, 16);
  const metadata = { websplat: PORTAL_METADATA, websplat_fingerprint: fingerprint };
  const existing = await stripe.billingPortal.configurations.list({ active: true, limit: 100 });
  const current = existing.data.find((configuration) => configuration.metadata?.websplat === PORTAL_METADATA);
  if (!current) {
    const created = await stripe.billingPortal.configurations.create({ ...wanted, metadata });
    return `billing portal: created (${created.id})`;
  }
  if (current.metadata?.websplat_fingerprint === fingerprint)
    return `billing portal: unchanged (${current.id})`;
  await stripe.billingPortal.configurations.update(current.id, { ...wanted, metadata });
  return `billing portal: updated (${current.id})`;
}

async function ensureWebhook(
  stripe: Stripe,
  url: string,
): Promise<{ id: string; secret: string | null; action: string }> {
  const endpoints = await stripe.webhookEndpoints.list({ limit: 100 });
  const current = endpoints.data.find((endpoint) => endpoint.url === url);
  const events = [...WEBHOOK_EVENTS];
  if (!current) {
    const created = await stripe.webhookEndpoints.create({
      url,
      enabled_events: events,
      // Payloads in the API version of the SDK that parses them.
      api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
      description: "WebSplat control plane",
    });
    return {
      id: created.id,
      secret: created.secret ?? null,
      action: `webhook ${url}: created (${created.id})`,
    };
  }
  const same =
    current.status === "enabled" &&
    current.enabled_events.length === events.length &&
    events.every((event) => current.enabled_events.includes(event));
  if (same) return { id: current.id, secret: null, action: `webhook ${url}: unchanged (${current.id})` };
  await stripe.webhookEndpoints.update(current.id, { enabled_events: events, disabled: false });
  return { id: current.id, secret: null, action: `webhook ${url}: updated events (${current.id})` };
}

function productId(tier: TierName): string {
  return `websplat_${tier}`;
}

function formatAmount(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)} ${currency.toUpperCase()}`;
}

/** `STRIPE_API_BASE` points the script at a Stripe double such as stripe-mock (`http://localhost:12111`). */
export function stripeFromEnv(env: NodeJS.ProcessEnv = process.env): Stripe {
  const key = env.STRIPE_SECRET_KEY;
  if (!key)
    throw new Error("STRIPE_SECRET_KEY is not set: export the secret key of the Stripe account to set up");
  if (!env.STRIPE_API_BASE) return new Stripe(key);
  const base = new URL(env.STRIPE_API_BASE);
  return new Stripe(key, {
    host: base.hostname,
    port: base.port || (base.protocol === "http:" ? 80 : 443),
    protocol: base.protocol === "http:" ? "http" : "https",
  });
}

async function main(argv: string[]): Promise<number> {
  const program = new Command("stripe-setup")
    .description(
      "Create or update the WebSplat products, prices (lookup keys) and webhook endpoint in a Stripe account.",
    )
    .requiredOption("--url <url>", "the control plane's public URL, e.g. https://websp.lat", (value) => {
      if (!URL.canParse(value)) throw new InvalidArgumentError("give a full URL such as https://websp.lat");
      return value;
    })
    .option("--yearly", "also create yearly prices (websplat_<tier>_yearly)")
    .option("--currency <code>", "currency of the prices", "usd")
    .addHelpText(
      "after",
      "\nExample:\n  $ STRIPE_SECRET_KEY=sk_test_… node scripts/stripe-setup.ts --url https://websp.lat --yearly\n",
    )
    .exitOverride();
  let options: { url: string; yearly?: boolean; currency: string };
  try {
    options = program.parse(argv, { from: "user" }).opts();
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  try {
    const report = await setupStripe(stripeFromEnv(), options);
    for (const action of report.actions) console.log(action);
    if (report.webhookSecret) {
      console.log(`\nThe webhook's signing secret (shown once by Stripe; give it to the control plane):`);
      console.log(`STRIPE_WEBHOOK_SECRET=${report.webhookSecret}`);
    }
    return 0;
  } catch (error) {
    console.error(`stripe-setup failed: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
