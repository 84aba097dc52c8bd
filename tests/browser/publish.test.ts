import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectPageErrors, launchChromium } from "../support/browser.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { activeTenant, admin, ownerOf } from "../support/site-tenant.ts";

let plane: RunningControlPlane;
let browser: Browser;
const slug = "pbr-lena";

beforeAll(async () => {
  plane = await startControlPlane();
  await activeTenant(plane, slug, "pro");
  // The site is built through the API; publishing and everything after it happen in the browser.
  const owner = await ownerOf(plane, slug);
  const { project } = (await owner.post("/api/projects", { name: "Lena Yoga" })).body;
  await owner.build(project.id, "A website for Lena's yoga studio with about, classes and a contact form");
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  await plane?.cleanup();
});

test("the owner publishes from the builder, a visitor sends the site's form, the owner sees it in the builder", async () => {
  const context = await browser.newContext();
  const builder = await context.newPage();
  // Open in the builder: some of its API calls answer 409 (Conflict) while a run is in progress.
  expectPageErrors(builder, /status of 409 \(Conflict\)/);
  // The preview frame is sandboxed without scripts on purpose; Chromium reports each script it blocks there.
  expectPageErrors(
    builder,
    /Blocked script execution in '[^']*\/preview\/[^']*' because the document's frame is sandboxed/,
  );
  const link = (await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" })).body.url;
  // `*.localhost` resolves to loopback in Chromium: the real addresses are used.
  await builder.goto(link);
  await builder.getByRole("button", { name: "Publish", exact: true }).click();
  const live = builder.locator("#live-url");
  await live.waitFor({ timeout: 60_000 });
  const url = await live.getAttribute("href");
  expect(url).toBe(`http://lena-yoga--${slug}.sites.localhost:${plane.port}`);
  expect(await builder.locator("#unpublished").textContent()).toBe("up to date");

  const visitor = await context.newPage();
  // Open on the sites host: a published site without an icon of its own answers /favicon.ico with 404.
  expectPageErrors(visitor, /status of 404 \(Not Found\)/);
  await visitor.goto(url!);
  expect(await visitor.locator("h1").textContent()).toBeTruthy();
  // The builder's session cookie belongs to the tenant host only: the public site never receives it.
  expect(await context.cookies(url!)).toEqual([]);
  expect((await context.cookies(`http://${slug}.localhost:${plane.port}`)).length).toBeGreaterThan(0);
  const form = visitor.locator("form.contact");
  await form.getByLabel("Your name").fill("Maya");
  await form.getByLabel("Email").fill("maya@example.test");
  await form.getByLabel("Message").fill("Is there a beginners class on Tuesdays?");
  await form.getByRole("button").click();
  await visitor.getByText("Your message was sent").waitFor();

  await builder.locator("#submissions-box summary").click();
  await builder
    .locator(".submission", { hasText: "Is there a beginners class on Tuesdays?" })
    .waitFor({ timeout: 15_000 });
  expect(await builder.locator("#submission-count").textContent()).toBe("(1)");
  await context.close();
}, 90_000);
