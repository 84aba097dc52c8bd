import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectPageErrors, launchChromium } from "../support/browser.ts";
import { type RuntimeProcess, startRuntimeProcess } from "../support/runtime/process.ts";
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

let tenant: TestTenant;
let runtime: RuntimeProcess;
let browser: Browser;

beforeAll(async () => {
  // Paced so progress is visible and a run can be stopped by hand.
  tenant = await createTestTenant("browser-co", { WEBSPLAT_OFFLINE_PACE_MS: "60" });
  runtime = await startRuntimeProcess(tenant.env);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  runtime?.child.kill("SIGTERM");
  await runtime?.exited;
});

test("the owner signs in, builds a site, steers the sliders, stops a run and rolls back from the timeline", async () => {
  const page = await browser.newPage();
  // Open in the builder: some of its API calls answer 409 (Conflict) while a run is in progress.
  expectPageErrors(page, /status of 409 \(Conflict\)/);
  // The preview frame is sandboxed without scripts on purpose; Chromium reports each script it blocks there.
  expectPageErrors(
    page,
    /Blocked script execution in '[^']*\/preview\/[^']*' because the document's frame is sandboxed/,
  );
  await page.goto(`${runtime.url}/auth/callback?token=${tenant.signInToken()}`);
  await expect.poll(() => new URL(page.url()).pathname).toBe("/");
  await page.getByLabel("What should WebSplat build?").waitFor();

  // The sliders say what each level means.
  const autonomy = page.locator("#autonomy");
  await autonomy.focus();
  await page.keyboard.press("End");
  await expect.poll(() => page.locator("#autonomy-name").textContent()).toBe("4 · Autopilot");
  expect(await page.locator("#autonomy-help").textContent()).toMatch(/never stops to ask/);
  await page.locator("#creativity").focus();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => page.locator("#creativity-name").textContent()).toBe("3 · Expressive");

  const preview = page.frameLocator("#preview");
  await page
    .getByLabel("What should WebSplat build?")
    .fill("A website for my café called Harbor Beans with about and menu sections");
  await page.getByRole("button", { name: "Send" }).click();
  // Progress streams in: the status, the characters being written, the agents' messages.
  await page.locator("#streamed", { hasText: "characters" }).waitFor();
  await page.locator("#messages li.assistant", { hasText: "Plan for Harbor Beans" }).waitFor();
  await page.locator("#status", { hasText: "Run completed" }).waitFor({ timeout: 20_000 });
  await preview.locator("h1", { hasText: "Harbor Beans" }).waitFor();
  expect(await preview.locator("section#pricing").count()).toBe(0);

  await page.getByLabel("What should WebSplat build?").fill("Add a pricing section");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("#status", { hasText: "Run completed" }).waitFor({ timeout: 20_000 });
  await preview.locator("section#pricing").waitFor();

  // A third run, stopped while it works.
  await page.getByLabel("What should WebSplat build?").fill("Add a gallery section");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("#status", { hasText: "Run running" }).waitFor();
  await page.locator("#streamed", { hasText: "characters" }).waitFor();
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.locator("#status", { hasText: "Run stopped" }).waitFor({ timeout: 2_000 });
  await page.locator("#checkpoints li[data-kind=stop]").first().waitFor();
  expect(await page.getByRole("button", { name: "Stop", exact: true }).isDisabled()).toBe(true);

  // Roll back to the first site: the oldest review in the timeline.
  await page
    .locator("#checkpoints li[data-kind=review]")
    .last()
    .getByRole("button", { name: /^Restore/ })
    .click();
  await page.locator("#checkpoints li.head[data-kind=restore]").waitFor();
  await expect.poll(() => preview.locator("section#pricing").count()).toBe(0);
  await preview.locator("section#menu").waitFor();

  // Redo brings the pricing back.
  await page.getByRole("button", { name: "Redo" }).click();
  await preview.locator("section#pricing").waitFor();
  expect(await page.locator("#meter").textContent()).toMatch(
    /Tokens this month: [\d,]+ of 5,000,000 \(pro\)/,
  );
});
