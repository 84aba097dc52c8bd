import { escapeHtml } from "./escape.ts";

/** The 401 page: says why and how to get a fresh one-time sign-in link. */
export function signInPage(tenant: string, problem?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · WebSplat</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1.25rem;color:#1c1b22}
h1{font-size:1.6rem}code{background:#f1f0f6;padding:.1rem .35rem;border-radius:4px}.problem{color:#9b1c1c}</style></head>
<body><main>
<h1>Sign in to ${escapeHtml(tenant)}</h1>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : "<p>You need to sign in as the owner of this WebSplat.</p>"}
<p>Get a new one-time sign-in link from your welcome page, or ask your administrator to run
<code>websplat tenants owner-link ${escapeHtml(tenant)}</code>.</p>
</main></body></html>`;
}
