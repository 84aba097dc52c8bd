import { html } from "hono/html";
import { assetUrl } from "./assets.ts";
import { page } from "./layout.ts";

/**
 * `GET /welcome/:slug?key=…`: where Checkout returns to. The page itself holds no tenant data
 * (the key is checked by the progress API); `welcome.js` follows the provisioning live.
 */
export function welcomePage(options: { slug: string; host: string }) {
  const { slug, host } = options;
  const body = html`
<section class="welcome" id="welcome" data-slug="${slug}" data-host="${host}">
  <p class="eyebrow muted">Thank you: your WebSplat is on its way</p>
  <h1 id="heading">Setting up <span class="nowrap">${host}</span></h1>
  <p id="summary" class="summary" role="status" aria-live="polite">Connecting to the setup…</p>

  <section class="card progress" aria-labelledby="progress-title">
    <h2 id="progress-title">Progress</h2>
    <ol id="steps" class="steps"></ol>
    <p id="steps-empty" class="muted">Steps appear here as they happen.</p>
  </section>

  <section id="failure" class="card failure" hidden aria-labelledby="failure-title">
    <h2 id="failure-title">Setup stopped</h2>
    <p id="failure-reason"></p>
    <p class="muted">Your payment is safe. Trying again resumes where it stopped.</p>
    <button type="button" id="retry">Try again</button>
  </section>

  <section id="ready" class="card ready" hidden aria-labelledby="ready-title">
    <h2 id="ready-title" tabindex="-1">Your WebSplat is ready</h2>
    <p>Your private builder runs at <strong class="nowrap">${host}</strong>.</p>
    <p><a id="open" class="button" href="#">Open your WebSplat</a></p>
    <p class="muted small">The button signs you in once and expires after a few minutes; reload this page for a fresh one.</p>
  </section>

  <noscript><p class="error">This page needs JavaScript to show the progress. Reload it in a browser with JavaScript enabled.</p></noscript>
</section>`;
  return page({
    title: `Setting up ${slug}`,
    body,
    scriptSrc: assetUrl("welcome.js"),
    stylesheet: assetUrl("web.css"),
  });
}
