import { cancelledEmail, paymentFailedEmail, suspendedEmail, welcomeEmail } from "../email/index.ts";
import { findTenant } from "../registry/tenants.ts";
import type { AccountDeps } from "./deps.ts";
import { issueLink, WELCOME_LINK_SECONDS } from "./links.ts";
import { signInLinkUrl } from "./sign-in.ts";

/**
 * The owner hears of every billing transition that changes what they have: the welcome with a sign-in
 * link after payment, a failed payment (grace), a suspension, a cancellation with its deletion date.
 * Called once per applied Stripe event (duplicates never get here); a failure is logged, never thrown.
 */
export function billingNotifier(deps: AccountDeps) {
  return async (event: { type: string; id: string }, slug: string, outcome: string): Promise<void> => {
    try {
      await notify(deps, event.type, slug, outcome);
    } catch (error) {
      deps.services.logger.error(
        { err: error, event: event.id, tenant: slug },
        "could not queue a billing email",
      );
    }
  };
}

async function notify(deps: AccountDeps, type: string, slug: string, outcome: string): Promise<void> {
  const tenant = await findTenant(deps.services.db, slug);
  if (!tenant) return;
  const url = deps.tenantUrl(slug);
  const host = new URL(url).host;
  const sender = deps.sender();
  if (type === "checkout.session.completed" && outcome === "applied: active") {
    const { token, expiresAt } = await issueLink(deps.services.db, {
      purpose: "sign_in",
      email: tenant.email,
      slugs: [slug],
      ttlSeconds: WELCOME_LINK_SECONDS,
    });
    await deps.services.mailer.send(
      tenant.email,
      welcomeEmail(sender, { host, link: signInLinkUrl(deps, token), expiresAt }),
      { lane: "sign-in" },
    );
  } else if (type === "invoice.payment_failed" && outcome === "applied: grace period") {
    await deps.services.mailer.send(tenant.email, paymentFailedEmail(sender, { host, url }));
  } else if (
    type.startsWith("customer.subscription.") &&
    /^applied: (unpaid|paused|canceled|incomplete_expired)\b/.test(outcome)
  ) {
    await deps.services.mailer.send(tenant.email, suspendedEmail(sender, { host }));
  } else if (
    type === "customer.subscription.deleted" &&
    outcome.startsWith("applied:") &&
    tenant.deleteAfter
  ) {
    await deps.services.mailer.send(
      tenant.email,
      cancelledEmail(sender, { host, deleteAfter: tenant.deleteAfter }),
    );
  }
}
