import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const source = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG 2.1 A/AA and best-practice violations on the page, as `rule (impact): target` lines. */
export async function axeViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  // Evaluated through the devtools protocol, so the page's own script policy does not block it.
  await page.evaluate(await source);
  const results = await page.evaluate(
    (excluded) =>
      (
        globalThis as unknown as {
          axe: {
            run: (
              context: unknown,
              options: unknown,
            ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
          };
        }
      ).axe.run(
        { exclude: excluded.map((s) => [s]) },
        {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
          iframes: false,
        },
      ),
    exclude,
  );
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")}`),
  );
}
