import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { contrastFailures, launchChromium } from "../support/browser.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";

/** Slugs unique to this run: tenant roles live in the test run's shared PostgreSQL. */
const run = randomBytes(3).toString("hex");
const slugFor = (name: string) => `${name}-${run}`;

let plane: RunningControlPlane;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [plane, browser] = await Promise.all([startControlPlane(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  await plane?.cleanup();
});

afterEach(async () => {
  await page?.context().close();
});

async function openSignup(options: { width?: number } = {}) {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1200, height: 900 } });
  // Nothing but the control plane and the tenant hosts may be asked for anything.
  await context.route(/^(?!http:\/\/([a-z0-9-]+\.)?localhost:\d+\/)/, (route) => route.abort());
  page = await context.newPage();
  await page.goto(`${plane.url}/`);
  return page;
}

describe("signing up", () => {
  it("goes from the form through the local payment to live progress, and opens the builder signed in", async () => {
    const slug = slugFor("happy");
    await openSignup();
    expect(await page.getByRole("radio").count()).toBe(3);

    await page.getByRole("radio", { name: /^Pro/ }).check();
    await page.getByLabel("Site name").fill(slug);
    await page.getByText(`${slug}.localhost:${plane.port} is available`).waitFor();
    await page.getByLabel("Email").fill(`owner@${slug}.test`);
    await page.getByRole("button", { name: "Continue to payment" }).click();

    await page.waitForURL(/\/checkout\/local\//);
    await page.getByRole("button", { name: /^Pay/ }).click();

    // Checkout returns with the key, which the page trades for an HttpOnly cookie and drops from the address.
    await page.waitForURL(new RegExp(`/welcome/${slug}$`));
    const open = page.getByRole("link", { name: "Open your WebSplat" });
    await open.waitFor({ timeout: 45_000 });
    expect(await page.locator("#summary").textContent()).toBe("Your WebSplat is ready.");
    const steps = await page.locator("#steps li").allTextContents();
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.join("\n")).toContain(`Ready at http://${slug}.localhost:${plane.port}`);
    expect(await page.locator("#steps li.failed").count()).toBe(0);
    expect(await contrastFailures(page)).toEqual([]);

    expect(await open.getAttribute("href")).toMatch(
      new RegExp(`^http://${slug}\\.localhost:${plane.port}/auth/callback\\?token=`),
    );
    await open.click();
    await page.waitForURL(`http://${slug}.localhost:${plane.port}/`);
    expect(await page.title()).toContain("WebSplat");
    const cookies = await page.context().cookies(`http://${slug}.localhost:${plane.port}/`);
    expect(cookies.some((cookie) => cookie.httpOnly)).toBe(true);
  });

  it("says a taken slug is taken, both while typing and when the form is sent", async () => {
    const slug = slugFor("taken");
    const created = await fetch(`${plane.url}/admin/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ slug, email: `owner@${slug}.test`, tier: "starter" }),
    });
    expect(created.status).toBe(201);
    await openSignup();

    await page.getByLabel("Site name").fill(slug);
    const status = page.locator("#slug-status");
    await page.getByText("is already taken").waitFor();
    expect(await page.getByLabel("Site name").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Email").fill("someone@else.test");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    expect(await status.textContent()).toContain("is already taken");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("slug");
    expect(page.url()).toBe(`${plane.url}/`);
  });

  it("explains why a reserved slug cannot be used", async () => {
    await openSignup();

    await page.getByLabel("Site name").fill("admin");

    await page.getByText('"admin" is reserved. Please choose another name.').waitFor();
  });

  it("explains the slug rules before asking the server", async () => {
    await openSignup();

    await page.getByLabel("Site name").fill("9lives");

    await page.locator("#slug-status", { hasText: "starting with a letter" }).waitFor();
  });

  it("refuses an invalid email next to the field and keeps the customer on the page", async () => {
    await openSignup();
    await page.getByLabel("Site name").fill(slugFor("mail"));
    await page.getByText("is available").waitFor();

    await page.getByLabel("Email").fill("not-an-email");
    await page.getByRole("button", { name: "Continue to payment" }).click();

    expect(await page.locator("#email-error").textContent()).toBe(
      "Enter an email address like name@example.com.",
    );
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("email");
    expect(page.url()).toBe(`${plane.url}/`);
  });

  it("can be filled in with the keyboard alone, in reading order", async () => {
    await openSignup();
    const order: string[] = [];
    for (let press = 0; press < 6; press++) {
      await page.keyboard.press("Tab");
      order.push(
        await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ""),
      );
    }

    // The radio group is one tab stop; arrows move within it.
    expect(order).toEqual(
      ["skip-link", "brand", "tier-starter", "slug", "email", "submit"].map((id) =>
        expect.stringContaining(id),
      ),
    );
    await page.getByRole("radio", { name: /^Starter/ }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("radio", { name: /^Pro/ }).isChecked()).toBe(true);
  });

  it("keeps every text readable against its background, messages included", async () => {
    await openSignup();
    expect(await contrastFailures(page)).toEqual([]);

    await page.getByLabel("Site name").fill("admin");
    await page.getByText("is reserved").waitFor();
    await page.getByLabel("Email").fill("nope");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.getByText("Enter an email address like").waitFor();
    expect(await contrastFailures(page)).toEqual([]);

    await page.getByLabel("Site name").fill(slugFor("contrast"));
    await page.getByText("is available").waitFor();
    expect(await contrastFailures(page)).toEqual([]);
  });

  it("fits a phone screen without sideways scrolling", async () => {
    await openSignup({ width: 360 });

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole("button", { name: "Continue to payment" }).isVisible()).toBe(true);
  });
});
