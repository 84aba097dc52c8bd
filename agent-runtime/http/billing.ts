import { count } from "drizzle-orm";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { RuntimeConfig } from "../config.ts";
import { type Database, tables } from "../db/index.ts";
import { billingPage, continueToPage } from "../ui/billing-page.ts";

export interface BillingDeps {
  config: RuntimeConfig;
  db: Database;
  log: Logger;
}

/**
 * "Plan and billing" (behind the owner session). The runtime asks the platform's tenant API with its own
 * credential (WEBSPLAT_PLATFORM_TOKEN), never with anything the browser could replay elsewhere.
 */
export function billingRoutes(deps: BillingDeps): Hono {
  const app = new Hono();
  const sites = async () => (await deps.db.select({ n: count() }).from(tables.projects))[0]?.n ?? 0;

  app.get("/billing", async (c) => c.html(billingPage(deps.config, { sites: await sites() })));

  app.post("/billing/portal", async (c) => {
    if (crossSite(c.req.header("sec-fetch-site"))) return c.text("Open the portal from your builder.", 403);
    const answer = await askPlatform(deps, "/api/billing/portal", {
      returnUrl: `${deps.config.publicUrl}/billing`,
      sites: await sites(),
    });
    if (!answer.ok)
      return c.html(
        billingPage(deps.config, { sites: await sites(), problem: answer.message }),
        answer.status,
      );
    return c.html(continueToPage(String(answer.body.url), "Opening the billing portal"));
  });

  app.post("/billing/email", async (c) => {
    if (crossSite(c.req.header("sec-fetch-site"))) return c.text("Change the email from your builder.", 403);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const email = typeof form.email === "string" ? form.email.trim() : "";
    const answer = await askPlatform(deps, "/api/account/email", { email });
    const count = await sites();
    if (!answer.ok)
      return c.html(billingPage(deps.config, { sites: count, problem: answer.message }), answer.status);
    return c.html(
      billingPage(deps.config, {
        sites: count,
        notice: `A confirmation link is on its way to ${String(answer.body.sentTo)}. The change takes effect once you open it.`,
      }),
    );
  });
  return app;
}

type PlatformAnswer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; status: 400 | 409 | 503; message: string };

async function askPlatform(deps: BillingDeps, path: string, body: unknown): Promise<PlatformAnswer> {
  const { platformToken, controlPlaneUrl, tenant } = deps.config;
  if (!platformToken) {
    return {
      ok: false,
      status: 503,
      message:
        "Billing is not available here: this builder has no platform credential (WEBSPLAT_PLATFORM_TOKEN).",
    };
  }
  const url = new URL(path, controlPlaneUrl);
  // Server to server on this machine: the platform listens on the IPv4 loopback.
  if (url.hostname === "localhost") url.hostname = "127.0.0.1";
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${platformToken}`,
        "x-websplat-tenant": tenant,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown> & {
      error?: { message?: string };
    };
    if (response.ok) return { ok: true, body: answer };
    const message = answer.error?.message ?? `The platform answered ${response.status}.`;
    return { ok: false, status: response.status >= 500 ? 503 : response.status === 409 ? 409 : 400, message };
  } catch (error) {
    deps.log.warn({ err: error }, "the platform's tenant API did not answer");
    return { ok: false, status: 503, message: "The billing service did not answer; try again in a minute." };
  }
}

function crossSite(site: string | undefined): boolean {
  return site !== undefined && site !== "same-origin" && site !== "none";
}
