import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "../support/browser.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { FAST_PROBES, outageSwitch, probeOf, SWITCHABLE_RUNTIME } from "../support/probes.ts";
import { admin, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

let plane: RunningControlPlane;
let outages: Awaited<ReturnType<typeof outageSwitch>>;
let browser: Browser;
const slug = "bs-secretive";

beforeAll(async () => {
  outages = await outageSwitch();
  plane = await startControlPlane({
    env: {
      ...FAST_PROBES,
      ...outages.env,
      WEBSPLAT_RUNTIME_ENTRY: SWITCHABLE_RUNTIME,
      WEBSPLAT_IDLE_SECONDS: "0",
    },
  });
  const created = await admin(plane, "/admin/tenants", {
    method: "POST",
    body: { slug, email: "owner@bs-secretive.test", tier: "pro" },
  });
  expect(created.status).toBe(201);
  await waitForTenant(plane, slug, (t) => t.status === "active", { what: "active" });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  await plane?.cleanup();
  await outages?.cleanup();
});

test("/status shows the components, then an incident after an outage, and never names a tenant", async () => {
  const page = await browser.newPage();
  await waitFor(async () => (await probeOf(plane, slug))?.state === "up", { what: "the tenant probed up" });
  await page.goto(`${plane.url}/status`);
  for (const name of [
    "API and website",
    "Payments (Stripe webhooks)",
    "Provisioning",
    "Database",
    "Customer environments",
  ])
    await expect.poll(() => page.locator(".component", { hasText: name }).count()).toBe(1);
  expect(await page.locator('.component[data-component="database"] .state').textContent()).toBe(
    "Operational",
  );
  expect(await page.locator("#no-incidents").textContent()).toBe("No incidents.");

  // The outage: the tenant's runtime dies and cannot come back until the switch is turned off.
  await outages.takeDown(slug);
  await waitFor(async () => (await probeOf(plane, slug))?.alerting, { what: "the alert", timeoutMs: 20_000 });
  await expect
    .poll(
      async () => {
        await page.reload();
        return await page.locator(".incident").count();
      },
      { timeout: 15_000 },
    )
    .toBe(1);
  expect(await page.locator(".incident strong").textContent()).toBe("A customer environment was unreachable");
  expect(await page.locator(".incident").textContent()).toContain("ongoing");
  expect(await page.locator('.component[data-component="tenants"] .state').textContent()).toBe("Outage");
  expect(await page.locator("body").textContent()).not.toContain(slug);
  expect(await page.content()).not.toContain(slug);

  await outages.bringBack(slug);
  await waitFor(async () => (await probeOf(plane, slug))?.alerting === false, {
    what: "the recovery",
    timeoutMs: 45_000,
  });
  await expect
    .poll(
      async () => {
        await page.reload();
        return await page.locator(".incident").textContent();
      },
      { timeout: 15_000 },
    )
    .toMatch(/resolved/);
  expect(await page.locator('.component[data-component="tenants"] .state').textContent()).toBe("Operational");
  expect(await page.content()).not.toContain(slug);
  const json = await (await fetch(`${plane.url}/status.json`)).text();
  expect(json).not.toContain(slug);
  await page.close();
}, 120_000);
