import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastFailures, expectPageErrors, launchChromium } from "../support/browser.ts";
import { type RunningControlPlane, startControlPlane, writeRuntimeEntry } from "../support/control-plane.ts";

let plane: RunningControlPlane;
let browser: Browser;
let brokenRuntimeDir: string;

beforeAll(async () => {
  // A tenant runtime that dies at start, the way a bad release or a missing secret would.
  const { dir, entry } = await writeRuntimeEntry(
    'console.error("model key rejected by the provider"); process.exit(3);\n',
  );
  brokenRuntimeDir = dir;
  [plane, browser] = await Promise.all([
    startControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: entry, WEBSPLAT_RECONCILE_RETRIES: "0" } }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  await plane?.cleanup();
  await rm(brokenRuntimeDir, { recursive: true, force: true });
});

async function payFor(slug: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${plane.url}/?tier=starter`);
  await page.getByLabel("Site name").fill(slug);
  await page.getByText("is available").waitFor();
  await page.getByLabel("Email").fill(`owner@${slug}.test`);
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.waitForURL(/\/checkout\/local\//);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.waitForURL(/\/welcome\//);
  return page;
}

describe("a provisioning that fails", () => {
  it("shows the failure with its reason and lets the customer try again", async () => {
    const page = await payFor(`broken-${randomBytes(3).toString("hex")}`);

    const failure = page.getByRole("heading", { name: "Setup stopped" });
    await failure.waitFor({ timeout: 45_000 });
    expect(await page.locator("#failure-reason").textContent()).toContain(
      "the runtime exited (code 3) before it was ready",
    );
    expect(await page.locator("#summary").textContent()).toBe("The setup stopped before it finished.");
    expect(await page.locator("#steps li.failed").count()).toBeGreaterThan(0);
    expect(await page.getByRole("link", { name: "Open your WebSplat" }).isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("retry");
    expect(await contrastFailures(page)).toEqual([]);

    await page.getByRole("button", { name: "Try again" }).click();

    // The retry runs the same failing reconcile: the page follows it and fails again, with the reason.
    await page
      .locator("#summary", { hasText: "Trying again" })
      .or(page.locator("#failure:not([hidden])"))
      .first()
      .waitFor();
    await page.locator("#failure:not([hidden])").waitFor({ timeout: 45_000 });
    expect(await page.locator("#failure-reason").textContent()).toContain("before it was ready");
    await page.close();
  });

  it("tells a visitor with a wrong key that the link is not valid, and shows nothing of the tenant", async () => {
    const page = await browser.newPage();
    // The progress API answers a wrong key with 404: that answer is what the page explains.
    expectPageErrors(page, /status of 404 \(Not Found\)/);

    await page.goto(`${plane.url}/welcome/somebody?key=wrong`);

    await page.locator("#summary", { hasText: "This link is not valid" }).waitFor();
    expect(await page.locator("#steps li").count()).toBe(0);
    await page.close();
  });
});
