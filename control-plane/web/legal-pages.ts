import { html } from "hono/html";
import { page } from "./layout.ts";

/** Who customers contract with and write to (the same address the emails give), and how long data is kept. */
export interface LegalDeps {
  supportAddress: string;
  retentionDays: number;
  /** `WEBSPLAT_OPERATOR_NAME`: the other party to the Terms. */
  operatorName: string;
  /** `WEBSPLAT_JURISDICTION`: whose law governs the Terms; unset, the operator's own. */
  jurisdiction?: string;
}

export function termsPage(deps: LegalDeps) {
  return page({
    title: "Terms of service",
    body: html`<article class="legal"><h1>Terms of service</h1>
<p>WebSplat sells a private AI website builder by monthly subscription. These terms apply between you and ${deps.operatorName}.</p>
<h2>Your subscription</h2>
<p>You pay monthly through Stripe for the plan you chose (Starter, Pro or Studio). You can change the plan, update your card or cancel at any time under <em>Plan and billing</em> in your builder. A cancellation takes effect at the end of the paid period; your data is then kept for ${deps.retentionDays} days so you can come back, and deleted after that.</p>
<p>If a payment fails, your builder keeps running during a grace period while the payment is retried. If it still fails, the builder is suspended: nothing is deleted until the subscription ends.</p>
<h2>Your content</h2>
<p>What you and the builder's agents make is yours. You are responsible for what you publish and must not use the service for unlawful content, spam, malware or to attack others. We may suspend a builder that does, and tell you why.</p>
<h2>Plan limits</h2>
<p>Each plan has limits (sites, model tokens per month). Reaching a limit is shown in the builder; a downgrade below your current use deletes nothing, it only stops new sites until you are within the limit.</p>
<h2>Availability</h2>
<p>We run the service with care and keep backups (7 to 90 days by plan), but provide it as is. Our liability is limited to what you paid in the last twelve months.</p>
<h2>Governing law</h2>
<p>${deps.jurisdiction ? `These terms are governed by the law of ${deps.jurisdiction}, whose courts settle any dispute about them.` : "These terms are governed by the law of the place where the operator is established, whose courts settle any dispute about them."} This takes away no right the law of your own country gives you as a consumer.</p>
<h2>Contact</h2>
<p>Write to <a href="mailto:${deps.supportAddress}">${deps.supportAddress}</a>.</p></article>`,
  });
}

export function privacyPage(deps: LegalDeps) {
  return page({
    title: "Privacy policy",
    body: html`<article class="legal"><h1>Privacy policy</h1>
<p>This page says what WebSplat stores about you, where, for how long, and who processes it for us.</p>
<h2>What we store</h2>
<ul>
<li><strong>Account:</strong> your email address, your builder's address, your plan, and the Stripe customer and subscription ids. We never see or store card numbers: Stripe does.</li>
<li><strong>Your builder:</strong> your prompts, the conversation with the agents, the files of your sites and their history (checkpoints), and model token counts for your plan's limits.</li>
<li><strong>Operations:</strong> an audit log of billing changes and administrative actions, request logs without their query strings (kept 30 days), and sign-in links (only a hash, deleted a day after they expire).</li>
</ul>
<h2>Where</h2>
<p>In a PostgreSQL database of the platform, in a schema and database role of your own that no other customer can read, and in backups in the platform's storage bucket in the same cloud region.</p>
<h2>How long</h2>
<p>While you subscribe. After a cancellation, ${deps.retentionDays} days, then everything of your builder is deleted; backups age out after their plan's period (7, 30 or 90 days). Billing records are kept as long as tax law requires.</p>
<h2>Processors</h2>
<ul>
<li><strong>Stripe</strong> (payments and invoices).</li>
<li><strong>The model provider</strong> configured for the service (for example OpenAI): your prompts and the site being built are sent to it to generate the site. Without one, a model on our own servers is used and nothing leaves them.</li>
<li><strong>The cloud provider</strong> that hosts the platform (servers, database, backups), and <strong>Cloudflare</strong> (DNS and the network in front of the sites).</li>
<li><strong>Our email provider</strong>, to send sign-in links and billing notices.</li>
</ul>
<h2>Your rights</h2>
<p>You can ask for a copy of everything we hold about you (an export), for corrections, or for erasure. Data-processing contact: <a href="mailto:${deps.supportAddress}">${deps.supportAddress}</a>.</p>
<p>Our emails carry no tracking pixels and no tracked links.</p></article>`,
  });
}

export function cookiesPage() {
  return page({
    title: "Cookies",
    body: html`<article class="legal"><h1>Cookies</h1>
<p>WebSplat uses only cookies that are essential for the service, so there is no cookie banner and nothing to consent to.</p>
<table><thead><tr><th>Cookie</th><th>Where</th><th>Why</th><th>How long</th></tr></thead>
<tbody><tr><td><code>websplat_session</code></td><td>your builder's address only</td><td>keeps you signed in as the owner (HttpOnly, SameSite=Lax, Secure over HTTPS)</td><td>7 days, or until you sign out</td></tr></tbody></table>
<p>No analytics, advertising or third-party cookies are set, on the platform's pages, in your builder, or on the sites you publish.</p></article>`,
  });
}
