import type { Hono } from "hono";
import { type MailboxOptions, mailboxRoutes } from "../email/mailbox.ts";
import type { AccountDeps } from "./deps.ts";
import { emailChangeRoutes } from "./email-change.ts";
import { signInRoutes } from "./sign-in.ts";

export { type AccountDeps, accountDeps } from "./deps.ts";
export { billingNotifier } from "./notifications.ts";
export { tenantApiAuth } from "./tenant-api.ts";

/** Customer accounts (DESIGN §13): sign-in by emailed link, owner email change, and the local mailbox. */
export function accountRoutes(app: Hono, deps: AccountDeps & { mailbox: MailboxOptions | null }) {
  signInRoutes(app, deps);
  emailChangeRoutes(app, deps);
  // Local mode only, like the test-payment page: with SMTP configured, mail is not ours to show.
  if (deps.mailbox) app.route("/", mailboxRoutes(deps.mailbox));
}
