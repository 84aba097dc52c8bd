import { Hono } from "hono";
import { isTierName, type TierName } from "../../tenant-template/index.ts";
import { supportEmail } from "../support.ts";
import { assetRoutes } from "./assets.ts";
import { PAGE_POLICY, pageHeaders, SIGNUP_POLICY } from "./csp.ts";
import { FAVICON_SVG } from "./favicon.ts";
import { cookiesPage, type LegalDeps, privacyPage, termsPage } from "./legal-pages.ts";
import { fallbackPrice, type PriceList, plans } from "./plans.ts";
import { signupPage } from "./signup-page.ts";
import { welcomePage } from "./welcome-page.ts";

export { page } from "./layout.ts";
export type { Price, PriceList } from "./plans.ts";

export interface WebDeps {
  /** Where customers reach the control plane, e.g. `http://localhost:8080`. */
  publicUrl: string;
  /** `localhost` locally, `websp.lat` in production. */
  baseDomain: string;
  /** Each tier's price: from Stripe by lookup key when a key is set, null to use the tier table. */
  prices(): Promise<PriceList>;
  /** The legal pages' operator, contact and retention; the configured support address and 30 days by default. */
  legal?: LegalDeps;
}

/** The customer-facing pages, mounted at `/`: signup, then the live provisioning page. */
export function webRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  app.use("/", pageHeaders(SIGNUP_POLICY));
  app.use("/welcome/*", pageHeaders(PAGE_POLICY));
  app.route("/", assetRoutes());
  // Browsers ask every host for an icon.
  for (const path of ["/favicon.ico", "/favicon.svg"])
    app.get(path, (c) =>
      c.body(FAVICON_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" }),
    );

  app.get("/", async (c) => {
    const requested = c.req.query("tier");
    const selectedTier: TierName = isTierName(requested) ? requested : "starter";
    const hostSuffix = tenantHostSuffix(deps, c.req.url);
    return c.html(signupPage({ plans: plans(await pricesOrTable(deps)), hostSuffix, selectedTier }));
  });

  const legal = deps.legal ?? {
    supportAddress: supportEmail(),
    retentionDays: 30,
    operatorName: "the operator of this WebSplat service",
  };
  for (const path of ["/terms", "/privacy", "/cookies"]) app.use(path, pageHeaders(PAGE_POLICY));
  app.get("/terms", (c) => c.html(termsPage(legal)));
  app.get("/privacy", (c) => c.html(privacyPage(legal)));
  app.get("/cookies", (c) => c.html(cookiesPage()));

  app.get("/welcome/:slug", (c) => {
    const slug = c.req.param("slug");
    // The slug is only displayed (escaped); whether it exists is the progress API's answer, behind the key.
    return c.html(welcomePage({ slug, host: `${slug}${tenantHostSuffix(deps, c.req.url)}` }));
  });

  return app;
}

/**
 * A Stripe outage must not take the signup page down: show the tier table's prices and say why
 * in the log. Checkout itself still charges the Stripe price.
 */
async function pricesOrTable(deps: WebDeps): Promise<PriceList> {
  try {
    return await deps.prices();
  } catch (error) {
    console.warn(`signup page: showing the tier table's prices, Stripe prices unavailable: ${String(error)}`);
    return { starter: fallbackPrice("starter"), pro: fallbackPrice("pro"), studio: fallbackPrice("studio") };
  }
}

/**
 * `.websp.lat`, or `.localhost:8080` locally where tenants share the control plane's port. The
 * request's own host wins when it is the base domain: it carries the port actually listened on.
 */
export function tenantHostSuffix(
  deps: Pick<WebDeps, "publicUrl" | "baseDomain">,
  requestUrl?: string,
): string {
  const request = requestUrl ? new URL(requestUrl) : null;
  const url = request?.hostname === deps.baseDomain ? request : new URL(deps.publicUrl);
  return url.hostname === deps.baseDomain ? `.${url.host}` : `.${deps.baseDomain}`;
}
