import { html } from "hono/html";
import { page } from "../web/layout.ts";

/** The sign-in form (GET /signin), also shown under every refusal so a new link is one step away. */
export function signInForm(options: { tenant?: string; email?: string } = {}) {
  return html`<form method="post" action="/signin" class="card signin">
  ${options.tenant ? html`<input type="hidden" name="tenant" value="${options.tenant}">` : ""}
  <label for="email">Your email address</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${options.email ?? ""}">
  <button type="submit">Email me a sign-in link</button>
  <p class="muted">We email a link that signs you in to your builder. It works once, for 15 minutes.</p>
</form>`;
}

export function signInPage(options: { tenant?: string; problem?: string; email?: string } = {}) {
  return page({
    title: "Sign in",
    body: html`<h1>Sign in to your WebSplat</h1>
${options.problem ? html`<p class="error" role="alert">${options.problem}</p>` : ""}
${signInForm(options)}
${SIGN_IN_STYLE}`,
  });
}

/** The same answer whether or not the address owns anything: it tells nobody which emails exist. */
export function linkSentPage(email: string) {
  return page({
    title: "Check your email",
    body: html`<h1>Check your email</h1>
<div class="card" role="status"><p>If <strong>${email}</strong> owns a WebSplat, a sign-in link is on its way to it now.</p>
<p class="muted">It works once, for 15 minutes. Nothing arrived after a few minutes? Check the spam folder, or <a href="/signin">ask again</a>.</p></div>`,
  });
}

export function linkRefusedPage(reason: string) {
  return page({
    title: "Link not valid",
    body: html`<h1>This link can't be used</h1>
<p class="error" role="alert">${reason}</p>
<p>Ask for a new one: it arrives in a minute.</p>
${signInForm()}
${SIGN_IN_STYLE}`,
  });
}

/** What a sign-in link opens: one builder, or the list of the address's builders to pick from. */
export function chooseTenantPage(input: { token: string; hosts: Array<{ slug: string; host: string }> }) {
  return page({
    title: "Sign in",
    body: html`<h1>${input.hosts.length === 1 ? "Sign in" : "Choose a builder"}</h1>
<p>${input.hosts.length === 1 ? "Continue to your builder:" : "This email owns several builders. Sign in to:"}</p>
<ul class="tenant-list">
${input.hosts.map(
  ({ slug, host }) => html`<li><form method="post" action="/signin/link">
  <input type="hidden" name="token" value="${input.token}"><input type="hidden" name="tenant" value="${slug}">
  <button type="submit">Sign in to ${host}</button></form></li>`,
)}
</ul>
<p class="muted">The link works once: after you continue, it is used up.</p>
<style>.tenant-list{list-style:none;padding:0;display:grid;gap:.75rem}</style>`,
  });
}

export function messagePage(title: string, lines: string[], status = 200) {
  return {
    status,
    body: page({ title, body: html`<h1>${title}</h1>${lines.map((line) => html`<p>${line}</p>`)}` }),
  };
}

const SIGN_IN_STYLE = html`<style>.signin{display:grid;gap:.75rem;max-width:28rem}
.signin input{font:inherit;padding:.6rem .75rem;border:1px solid #8a919c;border-radius:.5rem}
.signin button{justify-self:start}</style>`;

/**
 * After a form post, the tenant's host is reached by a refresh, not a redirect: a redirect would count as
 * the form's target, which the pages' CSP (`form-action 'self'`) refuses for another host.
 */
export function continuePage(input: { url: string; host: string }) {
  return page({
    title: "Signing you in",
    head: html`<meta http-equiv="refresh" content="0;url=${input.url}">`,
    body: html`<h1>Signing you in to ${input.host}…</h1>
<p><a class="button" id="continue" href="${input.url}">Continue to ${input.host}</a></p>`,
  });
}
