import { escapeHtml } from "./escape.ts";

export interface SignInPageOptions {
  tenant: string;
  /** Where the platform's `POST /signin` lives (DESIGN §13). */
  controlPlaneUrl: string;
}

/** The 401 page: says why, and offers a one-time sign-in link by email (the platform sends it). */
export function signInPage(options: SignInPageOptions, problem?: string, notice?: string): string {
  const tenant = escapeHtml(options.tenant);
  const action = escapeHtml(`${options.controlPlaneUrl}/signin`);
  const lead = problem
    ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>`
    : notice
      ? `<p class="notice" role="status">${escapeHtml(notice)}</p>`
      : "<p>You need to sign in as the owner of this WebSplat.</p>";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · WebSplat</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1.25rem;color:#1c1b22}
h1{font-size:1.6rem}code{background:#f1f0f6;padding:.1rem .35rem;border-radius:4px}.problem{color:#9b1c1c}.notice{color:#166534}
form{display:grid;gap:.6rem;margin:1.5rem 0}input{font:inherit;padding:.55rem .7rem;border:1px solid #8a8796;border-radius:6px}
button{font:inherit;font-weight:600;padding:.6rem 1rem;border:0;border-radius:6px;background:#4338ca;color:#fff;cursor:pointer;justify-self:start}
.muted{color:#4b4858;font-size:.92rem}</style></head>
<body><main>
<h1>Sign in to ${tenant}</h1>
${lead}
<form method="post" action="${action}">
  <input type="hidden" name="tenant" value="${tenant}">
  <label for="email">Your email address</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <button type="submit">Email me a sign-in link</button>
</form>
<p class="muted">The link works once and for 15 minutes. An administrator can also run
<code>websplat tenants owner-link ${tenant}</code>.</p>
</main></body></html>`;
}
