import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "../support/browser.ts";
import { json, websplat } from "../support/cli.ts";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin, waitForTenant } from "../support/stripe-events.ts";

let plane: RunningControlPlane;
let browser: Browser;
const slug = "bf-bakery";

beforeAll(async () => {
  plane = await startControlPlane({ env: { WEBSPLAT_SUPPORT_EMAIL: "help@bakery-platform.test" } });
  const created = await admin(plane, "/admin/tenants", {
    method: "POST",
    body: { slug, email: "owner@bf-bakery.test", tier: "starter" },
  });
  expect(created.status).toBe(201);
  await waitForTenant(plane, slug, (t) => t.status === "active", { what: "active", timeoutMs: 45_000 });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  await plane?.cleanup();
});

test("feedback sent from the builder's Help and feedback appears in websplat feedback list", async () => {
  const link = await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" });
  const { url } = (await link.json()) as { url: string };
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByLabel("What should WebSplat build?").waitFor();
  expect(await page.locator(".support-footer").textContent()).toContain("help@bakery-platform.test");

  await page.getByRole("button", { name: "Help and feedback" }).click();
  const dialog = page.getByRole("dialog", { name: "Help and feedback" });
  await dialog.waitFor();
  // Styled by the builder's own stylesheet (the page's policy allows no inline styles).
  const look = await page
    .locator("#help-dialog")
    .evaluate((element) => [
      getComputedStyle(element).borderTopLeftRadius,
      getComputedStyle(element.querySelector("form") ?? element).display,
    ]);
  expect(look).toEqual(["10px", "grid"]);
  // The footer's .9rem, relative to the page's root size.
  const footerScale = await page
    .locator(".support-footer")
    .evaluate(
      (element) =>
        Number.parseFloat(getComputedStyle(element).fontSize) /
        Number.parseFloat(getComputedStyle(document.documentElement).fontSize),
    );
  expect(footerScale).toBeCloseTo(0.9);
  await expect.poll(() => page.locator("#uptime").textContent()).toMatch(/Uptime|uptime/);
  await dialog
    .getByLabel("What happened, or what would help?")
    .fill("The preview went blank after I asked for a gallery.");
  await dialog.getByRole("button", { name: "Send" }).click();
  await dialog.getByText("Thank you: we have it").waitFor();

  const result = await websplat(["feedback", "list", "--json"], {
    url: plane.url,
    adminToken: plane.adminToken,
  });
  expect(result.code, result.stderr).toBe(0);
  const { entries } = json(result);
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({
    slug,
    message: "The preview went blank after I asked for a gallery.",
    mayContact: true,
    contact: "owner@bf-bakery.test",
  });
  const text = await websplat(["feedback", "list"], { url: plane.url, adminToken: plane.adminToken });
  expect(text.stdout).toMatch(/bf-bakery\s+owner@bf-bakery\.test\s+The preview went blank/);

  // The help page is written for the owner, linked from the dialog.
  await page.goto(new URL("/help", url).toString());
  expect(await page.locator("h1").textContent()).toBe("How the builder works");
  expect(await page.locator("body").textContent()).toMatch(
    /Autonomy[\s\S]*Creativity[\s\S]*Stop[\s\S]*Publishing/,
  );
  await page.close();
}, 90_000);

test("the platform and the tenant host both serve an icon", async () => {
  for (const icon of [
    await fetch(`${plane.url}/favicon.ico`),
    await fetchTenant(plane, slug, "/favicon.ico"),
  ]) {
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toContain("<svg");
  }
});

test("the tenant API refuses a runtime credential for another tenant, and the admin token is not one", async () => {
  const forged = await fetch(`${plane.url}/api/tenant/feedback`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${plane.adminToken}`,
      "x-websplat-tenant": slug,
      "content-type": "application/json",
    },
    body: JSON.stringify({ message: "hi", mayContact: false }),
  });
  expect(forged.status).toBe(401);
  const list = await admin(plane, "/admin/feedback");
  expect((await list.json()).entries).toHaveLength(1);
});
