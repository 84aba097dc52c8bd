import type { RuntimeConfig } from "../config.ts";
import { escapeHtml as e } from "./escape.ts";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:6vh auto;padding:0 1.25rem;color:#1c1b22}
h1{font-size:1.6rem}section{border:1px solid #d4d8de;border-radius:.75rem;padding:1rem 1.25rem;margin:1rem 0}
form{display:grid;gap:.5rem;margin:.75rem 0}input{font:inherit;padding:.5rem .7rem;border:1px solid #8a8796;border-radius:6px}
button{font:inherit;font-weight:600;padding:.6rem 1rem;border:0;border-radius:6px;background:#4338ca;color:#fff;cursor:pointer;justify-self:start}
button.quiet{background:#fff;color:#4338ca;border:2px solid #4338ca}.muted{color:#4b4858}.problem{color:#9b1c1c}.notice{color:#166534}`;

function shell(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · WebSplat</title>${head}<style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** "Plan and billing": the plan and its limits, the billing portal, the owner email, sign-out. */
export function billingPage(
  config: RuntimeConfig,
  input: { sites: number; problem?: string; notice?: string },
): string {
  const { sites, tokensPerMonth } = config.limits;
  return shell(
    "Plan and billing",
    `<p><a href="/">← Back to the builder</a></p>
<h1>Plan and billing</h1>
${input.problem ? `<p class="problem" role="alert">${e(input.problem)}</p>` : ""}
${input.notice ? `<p class="notice" role="status">${e(input.notice)}</p>` : ""}
<section aria-labelledby="plan-title"><h2 id="plan-title">Your plan: <span id="tier">${e(config.tier)}</span></h2>
<p>Sites: <strong>${input.sites}</strong> of ${sites} · model tokens: ${tokensPerMonth.toLocaleString("en")} a month.</p>
<p class="muted">Change the plan, update your card or cancel in the billing portal. A lower plan with fewer sites than you have deletes nothing: every site and its history stays, but new sites wait until you are within the limit.</p>
<form method="post" action="/billing/portal"><button type="submit" id="open-portal">Open the billing portal</button></form></section>
<section aria-labelledby="email-title"><h2 id="email-title">Owner email</h2>
<p>Sign-in links and billing notices go to <strong>${e(config.ownerEmail)}</strong>.</p>
<form method="post" action="/billing/email"><label for="new-email">New email address</label>
<input id="new-email" name="email" type="email" autocomplete="email" required>
<button type="submit" class="quiet">Send a confirmation link</button>
<p class="muted">The change takes effect once you open the link sent to the new address; every device is then signed out.</p></form></section>
<section aria-labelledby="session-title"><h2 id="session-title">Session</h2>
<form method="post" action="/auth/signout"><button type="submit" class="quiet" id="sign-out">Sign out</button></form></section>`,
  );
}

/**
 * Reached after a form post: a refresh rather than a redirect, since a redirect to another host would count
 * as the form's target under a `form-action 'self'` policy.
 */
export function continueToPage(url: string, label: string): string {
  return shell(
    label,
    `<h1>${e(label)}…</h1><p><a id="continue" href="${e(url)}">Continue</a></p>`,
    `<meta http-equiv="refresh" content="0;url=${e(url)}">`,
  );
}
