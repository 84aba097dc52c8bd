import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterEach } from "vitest";

/** The Debian package's binary unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless, sandbox-free (containers), and quiet: no background requests leave the machine. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

/** Console errors, uncaught exceptions and failed requests seen on any page since the last test ended. */
const problems: string[] = [];
const allowed = new WeakMap<Page, RegExp[]>();

/** A page whose test expects some errors (a 404 page it asked for): those matching `patterns` are not problems. */
export function expectPageErrors(page: Page, ...patterns: RegExp[]): void {
  allowed.set(page, [...(allowed.get(page) ?? []), ...patterns]);
}

function watch(page: Page): void {
  const report = (problem: string) => {
    if (!(allowed.get(page) ?? []).some((pattern) => pattern.test(problem))) problems.push(problem);
  };
  page.on("console", (message) => {
    // A failed load is reported with its address by the response handler below.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      report(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400)
      report(
        `${response.request().method()} ${response.url()} on ${page.url()}: status of ${response.status()} (${response.statusText()})`,
      );
  });
  page.on("pageerror", (error) => report(`uncaught exception on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) => {
    // Aborted: a navigation or stream the page itself replaced or closed, not a failure.
    const failure = request.failure()?.errorText ?? "failed";
    if (failure !== "net::ERR_ABORTED")
      report(`request failed on ${page.url()}: ${request.url()} (${failure})`);
  });
}

function watchContext(context: BrowserContext): BrowserContext {
  context.on("page", watch);
  return context;
}

// Every browser test fails on a console error or a failed request on any page it visited.
afterEach(() => {
  const seen = problems.splice(0);
  if (seen.length > 0) throw new Error(`the pages logged errors or failed requests:\n${seen.join("\n")}`);
});

/** Chromium whose every page is watched for console errors and failed requests (see `expectPageErrors`). */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchContext(await newContext(options));
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    // Closing the page closes its own context, as Playwright's `browser.newPage` does.
    // The browser may be closing already (the test's end): then the context is gone with it.
    page.on("close", () => void context.close().catch(() => {}));
    return page;
  };
  return browser;
}

/**
 * Visible text whose contrast with its background is under WCAG AA (4.5:1, or 3:1 for large
 * text), as `tag "text" ratio` lines; empty when the page passes.
 */
export function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgba = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const channel = (value: number) => {
        const v = value / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    // The first opaque background behind an element (pages here use no background images).
    const background = (element: Element) => {
      for (let current: Element | null = element; current; current = current.parentElement) {
        const colour = rgba(getComputedStyle(current).backgroundColor);
        if (colour.length === 3 || (colour[3] ?? 0) > 0) return colour;
      }
      return [255, 255, 255];
    };
    const failures: string[] = [];
    for (const element of document.querySelectorAll("body *")) {
      const ownText = [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent?.trim());
      if (!ownText || !element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const style = getComputedStyle(element);
      const [lighter, darker] = [luminance(rgba(style.color)), luminance(background(element))].sort(
        (a, b) => b - a,
      );
      const ratio = (lighter! + 0.05) / (darker! + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        failures.push(
          `${element.tagName.toLowerCase()} "${element.textContent?.trim().slice(0, 40)}" ${ratio.toFixed(2)}`,
        );
      }
    }
    return failures;
  });
}
