import { type Browser, chromium, type Page } from "playwright-core";

/** The Debian package's binary unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless, sandbox-free (containers), and quiet: no background requests leave the machine. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
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
