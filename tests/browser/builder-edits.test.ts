import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { axeViolations } from "../support/axe.ts";
import { expectPageErrors, launchChromium } from "../support/browser.ts";
import { type RuntimeProcess, startRuntimeProcess } from "../support/runtime/process.ts";
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

let tenant: TestTenant;
let runtime: RuntimeProcess;
let browser: Browser;

beforeAll(async () => {
  tenant = await createTestTenant("edits-co", { WEBSPLAT_OFFLINE_PACE_MS: "0" });
  runtime = await startRuntimeProcess(tenant.env);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  runtime?.child.kill("SIGTERM");
  await runtime?.exited;
});

/** Each section's markup in the preview, without the owner's selection outline, once the preview settled. */
async function sectionsOf(page: Page): Promise<Record<string, string>> {
  let last = "";
  for (;;) {
    const now = await readSections(page).catch(() => null);
    if (now && JSON.stringify(now) === last) return now;
    last = now ? JSON.stringify(now) : "";
    await page.waitForTimeout(300);
  }
}
const readSections = (page: Page) =>
  page
    .frameLocator("#preview")
    .locator("main section")
    .evaluateAll((nodes) =>
      Object.fromEntries(
        nodes.map((n) => {
          const copy = n.cloneNode(true) as Element;
          copy.classList.remove("ws-selected");
          if (!copy.getAttribute("class")) copy.removeAttribute("class");
          return [n.id, copy.outerHTML];
        }),
      ),
    );

async function send(page: Page, prompt: string) {
  await page.getByLabel("What should WebSplat build?").fill(prompt);
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("#status", { hasText: "Run completed" }).waitFor({ timeout: 30_000 });
}

test("the owner selects a section in the preview, prompts a change, sees only that section change and the diff in the timeline, and rolls back; the page passes axe before and after", async () => {
  const page = await browser.newPage();
  // Open in the builder: some of its API calls answer 409 (Conflict) while a run is in progress.
  expectPageErrors(page, /status of 409 \(Conflict\)/);
  // The preview frame is sandboxed without scripts on purpose; Chromium reports each script it blocks there.
  expectPageErrors(
    page,
    /Blocked script execution in '[^']*\/preview\/[^']*' because the document's frame is sandboxed/,
  );
  await page.goto(`${runtime.url}/auth/callback?token=${tenant.signInToken()}`);
  await page.getByLabel("What should WebSplat build?").waitFor();
  await page.locator("#status", { hasText: "Idle" }).waitFor();
  expect(await axeViolations(page)).toEqual([]);

  // Balanced autonomy: no plan approval to click through.
  await page.locator("#autonomy").fill("2");
  await send(
    page,
    "A website for Rosa's Bakery with about, menu and contact sections. Menu: sourdough $6, rye $5. Call 555-0147.",
  );
  const preview = page.frameLocator("#preview");
  await preview.locator("h1", { hasText: "Rosa's Bakery" }).waitFor();
  await expect.poll(() => page.locator("#section option").count()).toBeGreaterThan(3);
  const before = await sectionsOf(page);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(["about", "menu", "contact"]));

  // Select, then prompt.
  await preview.locator("section#about").click();
  expect(await page.locator("#section").inputValue()).toBe("about");
  await send(page, "Make it say: Fresh bread every morning, since 1982.");
  await preview.locator("section#about", { hasText: "Fresh bread every morning, since 1982." }).waitFor();
  const after = await sectionsOf(page);
  expect(Object.keys(after)).toEqual(Object.keys(before));
  for (const id of Object.keys(before).filter((id) => id !== "about")) expect(after[id]).toBe(before[id]);
  expect(after.about).not.toBe(before.about);

  // The timeline says what the edit changed, and any two checkpoints can be compared.
  await page.locator("#checkpoints li.head").waitFor();
  await page
    .locator("#checkpoints li[data-kind=build] .change", { hasText: "changed About" })
    .first()
    .waitFor();
  const firstReview = await page
    .locator("#checkpoints li[data-kind=review]")
    .last()
    .getAttribute("data-checkpoint");
  await page.locator("#compare-from").selectOption(firstReview!);
  await page.getByRole("button", { name: "Show changes" }).click();
  await page.locator("#comparison li", { hasText: "Changed: About" }).waitFor();
  expect(await page.locator("#comparison li").allTextContents()).toEqual(["Changed: About"]);
  expect(await axeViolations(page)).toEqual([]);

  // Roll back to the first site.
  await page
    .locator("#checkpoints li[data-kind=review]")
    .last()
    .getByRole("button", { name: /^Restore/ })
    .click();
  await page.locator("#checkpoints li.head[data-kind=restore]").waitFor();
  await expect.poll(async () => (await sectionsOf(page)).about).toBe(before.about);
  expect(await axeViolations(page)).toEqual([]);
});
