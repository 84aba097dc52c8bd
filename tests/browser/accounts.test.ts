import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectPageErrors, launchChromium } from "../support/browser.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { waitForEmail } from "../support/outbox.ts";
import { getTenant, settledActive, waitForTenant } from "../support/stripe-events.ts";

/** Slugs start with "bac-". */
let plane: RunningControlPlane;
let browser: Browser;
const slug = "bac-owner";
const email = "owner@bac.example";

beforeAll(async () => {
  plane = await startControlPlane();
  browser = await launchChromium();
  const signup = await fetch(`${plane.url}/api/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, slug, tier: "pro" }),
  });
  const { checkoutUrl } = (await signup.json()) as { checkoutUrl: string };
  await fetch(`${plane.url}/checkout/local/${new URL(checkoutUrl).pathname.split("/").at(-1)}/pay`, {
    method: "POST",
    redirect: "manual",
  });
  await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });
  await waitForEmail(plane.dataDir, email, /is ready/);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  await plane?.cleanup();
});

test("the owner signs out, signs in again by email from the mailbox page, opens Plan and billing and upgrades", async () => {
  const page = await browser.newPage();
  // Signed out, the builder's address answers its sign-in page with 401, as it should.
  expectPageErrors(page, /status of 401 \(Unauthorized\)/);
  const tenantOrigin = `http://${slug}.localhost:${plane.port}`;

  // The welcome email, read in the local mailbox: opened once with the key printed at start (it becomes a cookie).
  const mailbox = /Mailbox:\s+(\S+)/.exec(plane.output())![1]!;
  await page.goto(mailbox);
  expect(page.url()).toBe(`${plane.url}/dev/mailbox`);
  await page.getByRole("link", { name: /is ready/ }).click();
  await page.getByRole("link", { name: /\/signin\/link\?token=/ }).click();
  await page.getByRole("button", { name: `Sign in to ${slug}.localhost:${plane.port}` }).click();
  await page.waitForURL(`${tenantOrigin}/`);
  await page.getByLabel("What should WebSplat build?").waitFor();

  // Sign out from Plan and billing.
  await page.getByRole("link", { name: "Plan and billing" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You are signed out.").waitFor();
  await page.goto(`${tenantOrigin}/`);
  await page.getByRole("heading", { name: `Sign in to ${slug}` }).waitFor();

  // Sign in again by email: the tenant's own sign-in page asks the platform for a link.
  await page.getByLabel("Your email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  await waitForEmail(plane.dataDir, email, /sign-in link/);
  await page.goto(`${plane.url}/dev/mailbox`);
  await page.getByRole("link", { name: "Your WebSplat sign-in link" }).first().click();
  await page.getByRole("link", { name: /\/signin\/link\?token=/ }).click();
  await page.getByRole("button", { name: `Sign in to ${slug}.localhost:${plane.port}` }).click();
  await page.waitForURL(`${tenantOrigin}/`);

  // Plan and billing → the (local) billing portal → upgrade.
  await page.getByRole("link", { name: "Plan and billing" }).click();
  expect(await page.locator("#tier").textContent()).toBe("pro");
  await page.getByRole("button", { name: "Open the billing portal" }).click();
  await page.getByRole("heading", { name: "Plan and billing" }).waitFor();
  expect(page.url()).toContain(`${plane.url}/billing/local/`);
  await page.getByRole("button", { name: "Switch to Studio" }).click();
  await page.getByText("Plan change sent.").waitFor();
  await expect.poll(async () => (await getTenant(plane, slug))?.tier, { timeout: 20_000 }).toBe("studio");
  await page.reload();
  expect(await page.locator("#current-tier").textContent()).toBe("Studio");

  // Back in the builder, once the runtime runs with the new plan.
  await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "studio applied" });
  await page.getByRole("link", { name: "Back to your builder" }).click();
  await expect
    .poll(
      async () => {
        await page.reload();
        return await page.locator("#tier").textContent();
      },
      { timeout: 20_000 },
    )
    .toBe("studio");
}, 120_000);
