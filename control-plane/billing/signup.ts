import { randomBytes } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { lookupKeyFor, TIER_NAMES, TIERS, type TierName } from "../../tenant-template/index.ts";
import { setWelcomeCookie, welcomeCookie } from "../auth/welcome-cookie.ts";
import type { Database } from "../db/client.ts";
import { localCheckouts } from "../db/schema.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { clientAddressOf } from "../http/client-address.ts";
import { ApiError } from "../http/errors.ts";
import { attachCheckout, newWelcomeKey, reserveSlug } from "../registry/reservations.ts";
import { slugAvailability } from "../registry/tenants.ts";
import type { StripeClient } from "./stripe-client.ts";

export interface SignupDeps {
  db: Database;
  publicUrl: string;
  /** Null in local mode: the checkout is our own test-payment page. */
  stripe: StripeClient | null;
  /** How long an unpaid reservation holds its slug (WEBSPLAT_RESERVATION_HOURS). */
  reservationMs: number;
  audit?: (action: string, slug: string | null, details: Record<string, unknown>) => Promise<void>;
}

export type Price = { amountCents: number; currency: string; interval: string; priceId: string | null };

const EMAIL = z.string().trim().max(254).email("enter a valid email address such as you@example.com");

/**
 * Marks a signup as a journey check's (`websplat check journey`); accepted only with the admin token (see
 * `checkSignupAuth`), so no customer can keep a purchase out of the KPIs.
 */
export const CHECK_SIGNUP_HEADER = "x-websplat-check";

/** Runs `adminAuth` on signups that say they are a check's; every other signup stays public. */
export function checkSignupAuth(adminAuth: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (c.req.header(CHECK_SIGNUP_HEADER) === undefined ? next() : adminAuth(c, next));
}

export const SignupBody = z.object({
  email: z.string(),
  slug: z.string().max(64),
  tier: z.string(),
  /** The welcome key of this browser's earlier signup for the slug (the HttpOnly cookie also proves it). */
  key: z.string().max(100).optional(),
});

export const SlugAvailabilitySchema = z.object({
  slug: z.string(),
  available: z.boolean(),
  code: z.enum(["malformed", "double_hyphen", "reserved", "taken"]).optional(),
  reason: z.string().optional(),
});

/** Prices by lookup key from Stripe (cached), or the tier table's when there is no account. */
export function priceBook(stripe: StripeClient | null) {
  let cache: { at: number; prices: Record<TierName, Price | null> } | null = null;
  return async (): Promise<Record<TierName, Price | null>> => {
    if (!stripe) {
      return Object.fromEntries(
        TIER_NAMES.map((tier) => [
          tier,
          { amountCents: TIERS[tier].monthlyPriceCents, currency: "usd", interval: "month", priceId: null },
        ]),
      ) as Record<TierName, Price>;
    }
    if (cache && Date.now() - cache.at < 300_000) return cache.prices;
    const list = await stripe.prices.list({
      lookup_keys: TIER_NAMES.map(lookupKeyFor),
      active: true,
      limit: 10,
    });
    const prices = Object.fromEntries(TIER_NAMES.map((tier) => [tier, null])) as Record<
      TierName,
      Price | null
    >;
    for (const price of list.data) {
      const tier = TIER_NAMES.find((name) => lookupKeyFor(name) === price.lookup_key);
      if (tier) {
        prices[tier] = {
          amountCents: price.unit_amount ?? 0,
          currency: price.currency,
          interval: price.recurring?.interval ?? "month",
          priceId: price.id,
        };
      }
    }
    cache = { at: Date.now(), prices };
    return prices;
  };
}

export function signupRoutes(app: OpenAPIHono, deps: SignupDeps) {
  const prices = priceBook(deps.stripe);

  apiRoute(
    app,
    {
      method: "get",
      path: "/api/slugs/:slug",
      summary: "Whether a slug can be taken, with the reason when it cannot",
      tags: ["signup"],
      params: z.object({ slug: z.string().max(64) }),
      responses: { 200: { description: "Availability", schema: SlugAvailabilitySchema } },
    },
    async (c, { params }) => c.json(await slugAvailability(deps.db, params.slug), 200),
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/api/signup",
      summary: "Reserve a slug and start checkout",
      tags: ["signup"],
      body: SignupBody,
      responses: {
        201: {
          description: "Checkout started",
          schema: z.object({ checkoutUrl: z.string(), statusUrl: z.string() }),
        },
        400: { description: "Invalid email, slug or tier", schema: ErrorSchema },
        409: { description: "Slug taken, or reserved by another signup", schema: ErrorSchema },
        429: { description: "Too many unpaid signups for this email or client", schema: ErrorSchema },
        503: { description: "Stripe is unreachable; try again", schema: ErrorSchema },
      },
    },
    async (c, { body }) => {
      const email = EMAIL.safeParse(body.email);
      if (!email.success)
        throw new ApiError(400, "invalid_email", "Enter a valid email address such as you@example.com.");
      if (!(TIER_NAMES as readonly string[]).includes(body.tier)) {
        throw new ApiError(400, "invalid_tier", `Choose a plan: ${TIER_NAMES.join(", ")}.`);
      }
      const tier = body.tier as TierName;
      const slug = body.slug.trim();
      const welcome = newWelcomeKey();
      const tenant = await reserveSlug(deps.db, {
        slug,
        email: email.data,
        tier,
        welcomeKeyHash: welcome.hash,
        holderKey: body.key ?? welcomeCookie(c, slug),
        client: clientAddressOf(c),
        holdMs: deps.reservationMs,
        check: c.req.header(CHECK_SIGNUP_HEADER) !== undefined,
      });
      const expiresAt = tenant.reservedUntil!;
      // Checkout returns here; the key is traded for a cookie at once (GET /welcome/:slug?key=…).
      const statusUrl = `${deps.publicUrl}/welcome/${slug}?key=${welcome.key}`;
      const cancelUrl = `${deps.publicUrl}/?slug=${encodeURIComponent(slug)}&tier=${tier}`;
      const checkout = { slug, email: email.data, tier, statusUrl, cancelUrl, expiresAt };
      const session = deps.stripe
        ? await stripeCheckout(deps.stripe, await prices(), checkout)
        : await localCheckout(deps, checkout);
      await attachCheckout(deps.db, slug, welcome.hash, session.id);
      setWelcomeCookie(c, { slug, key: welcome.key, expiresAt, secure: deps.publicUrl.startsWith("https:") });
      const checkoutUrl = session.url;
      await deps.audit?.("signup.started", slug, { tier, checkout: session.id });
      return c.json({ checkoutUrl, statusUrl }, 201);
    },
  );
}

interface CheckoutInput {
  slug: string;
  email: string;
  tier: TierName;
  statusUrl: string;
  cancelUrl: string;
  /** The reservation's end: the checkout cannot be paid after it. */
  expiresAt: Date;
}

/** Stripe accepts a session expiry between 30 minutes and 24 hours from now. */
function stripeExpiry(expiresAt: Date): number {
  const now = Math.floor(Date.now() / 1000);
  return Math.min(now + 24 * 3600 - 60, Math.max(now + 30 * 60 + 60, Math.floor(expiresAt.getTime() / 1000)));
}

async function stripeCheckout(
  stripe: StripeClient,
  prices: Record<TierName, Price | null>,
  input: CheckoutInput,
): Promise<{ id: string; url: string }> {
  const price = prices[input.tier];
  if (!price?.priceId) {
    throw new ApiError(
      503,
      "price_missing",
      `No active Stripe price with lookup key ${lookupKeyFor(input.tier)}: run scripts/stripe-setup.ts against this account.`,
    );
  }
  try {
    const metadata = { websplat_tenant: input.slug, websplat_tier: input.tier };
    const customer = await stripe.customers.create({
      email: input.email,
      metadata: { websplat_tenant: input.slug },
    });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer: customer.id,
      client_reference_id: input.slug,
      line_items: [{ price: price.priceId, quantity: 1 }],
      success_url: input.statusUrl,
      cancel_url: input.cancelUrl,
      metadata,
      subscription_data: { metadata },
      expires_at: stripeExpiry(input.expiresAt),
    });
    if (!session.url) throw new Error("Stripe returned a session without a URL");
    return { id: session.id, url: session.url };
  } catch (error) {
    throw new ApiError(
      503,
      "billing_unavailable",
      `Stripe could not start the checkout (${(error as Error).message}). Please try again in a minute.`,
    );
  }
}

async function localCheckout(deps: SignupDeps, input: CheckoutInput): Promise<{ id: string; url: string }> {
  const id = `cs_test_local_${randomBytes(12).toString("hex")}`;
  await deps.db.insert(localCheckouts).values({
    id,
    slug: input.slug,
    email: input.email,
    tier: input.tier,
    customerId: `cus_local_${randomBytes(8).toString("hex")}`,
    successUrl: input.statusUrl,
    cancelUrl: input.cancelUrl,
    expiresAt: input.expiresAt,
  });
  return { id, url: `${deps.publicUrl}/checkout/local/${id}` };
}
