import { html } from "hono/html";
import { SLUG_PATTERN, slugProblem, type TierName } from "../../tenant-template/index.ts";
import { assetUrl } from "./assets.ts";
import { page } from "./layout.ts";
import type { Plan } from "./plans.ts";

/**
 * `GET /`: the three plans, then the address and email, then checkout. The page reads without
 * JavaScript; `signup.js` adds the live slug check, validation and the checkout redirect.
 */
export function signupPage(options: { plans: Plan[]; hostSuffix: string; selectedTier: TierName }) {
  const { plans, hostSuffix, selectedTier } = options;
  const slugRules = slugProblem("")?.message ?? "";
  const doubleHyphen = slugProblem("ab--c")?.message ?? "";
  const body = html`
<section class="hero">
  <h1>Your own AI website builder, at your own address</h1>
  <p class="lead">A team of agents plans, designs and builds your website with you, in a private
  environment that is yours alone: its own database, its own runtime, at
  <strong>your-name${hostSuffix}</strong>. Ready a few seconds after you pay.</p>
</section>
<form id="signup" class="signup" novalidate
  data-slug-pattern="${SLUG_PATTERN.source}" data-slug-rules="${slugRules}" data-slug-double-hyphen="${doubleHyphen}"
  data-host-suffix="${hostSuffix}">
  <fieldset class="plans">
    <legend><span class="step-number" aria-hidden="true">1</span> Choose your plan</legend>
    <div class="plan-grid">
      ${plans.map(
        (plan) => html`
      <div class="plan">
        <input type="radio" name="tier" id="tier-${plan.tier}" value="${plan.tier}"
          aria-describedby="tier-${plan.tier}-details" ${plan.tier === selectedTier ? "checked" : ""}>
        <label for="tier-${plan.tier}">
          <span class="plan-title">${plan.title}</span>
          <span class="plan-price"><strong>${plan.price}</strong> <span class="muted">/ ${plan.interval}</span></span>
        </label>
        <div id="tier-${plan.tier}-details" class="plan-details">
          <p class="plan-tagline">${plan.tagline}</p>
          <ul class="plan-features">
            ${plan.features.map((feature) => html`<li>${feature}</li>`)}
          </ul>
        </div>
      </div>`,
      )}
    </div>
  </fieldset>

  <fieldset class="account card">
    <legend><span class="step-number" aria-hidden="true">2</span> Your address and email</legend>
    <div class="field">
      <label for="slug">Site name</label>
      <div class="slug-box">
        <input id="slug" name="slug" type="text" inputmode="url" autocomplete="off" autocapitalize="none"
          spellcheck="false" required minlength="3" maxlength="32" aria-describedby="slug-hint slug-status">
        <span class="slug-suffix" aria-hidden="true">${hostSuffix}</span>
      </div>
      <p id="slug-hint" class="hint muted">Your WebSplat will live at <span class="nowrap">name${hostSuffix}</span>. ${slugRules}</p>
      <p id="slug-status" class="field-status" role="status" aria-live="polite"></p>
    </div>
    <div class="field">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="email" required aria-describedby="email-hint email-error">
      <p id="email-hint" class="hint muted">Your receipt and sign-in links go here.</p>
      <p id="email-error" class="field-status error" aria-live="polite"></p>
    </div>
  </fieldset>

  <div class="submit-row">
    <p id="form-error" class="error" role="alert"></p>
    <button type="submit" id="submit">Continue to payment</button>
    <p class="muted small">You pay on the next page; your environment is built as soon as the payment is confirmed.</p>
    <p class="muted small">By continuing you agree to the <a href="/terms">Terms</a> and the <a href="/privacy">Privacy policy</a>. Already a customer? <a href="/signin">Sign in</a>.</p>
  </div>
  <noscript><p class="error">This form needs JavaScript to reserve your address and open the payment page.</p></noscript>
</form>`;
  return page({
    title: "Your private AI website builder",
    body,
    scriptSrc: assetUrl("signup.js"),
    stylesheet: assetUrl("web.css"),
  });
}
