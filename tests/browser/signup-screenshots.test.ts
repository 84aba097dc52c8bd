import { mkdir } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { launchChromium } from "../support/browser.ts";
import { websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";

/**
 * Refreshes the README's pictures from the real pages and a real CLI session:
 * `WEBSPLAT_SCREENSHOTS=1 npm run test:browser -- signup-screenshots`. Skipped otherwise, so a
 * normal test run never rewrites files in docs/.
 */
const IMAGES = new URL("../../docs/images/", import.meta.url);

describe.runIf(process.env.WEBSPLAT_SCREENSHOTS === "1")("README screenshots", () => {
  let plane: RunningControlPlane;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(IMAGES, { recursive: true });
    [plane, browser] = await Promise.all([startControlPlane(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await plane?.stop();
    await plane?.cleanup();
  });

  it("pictures the signup page and the provisioning page", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${plane.url}/?tier=pro`);
    await page.getByLabel("Site name").fill("acme-studio");
    await page.getByText("is available").waitFor();
    await page.getByLabel("Email").fill("owner@acme.test");
    await page.screenshot({ path: new URL("signup.png", IMAGES).pathname, fullPage: true });

    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("link", { name: "Open your WebSplat" }).waitFor({ timeout: 45_000 });
    await page.screenshot({ path: new URL("provisioning.png", IMAGES).pathname, fullPage: true });
    await page.close();
  });

  it("pictures a CLI session", async () => {
    const target = { url: plane.url, adminToken: plane.adminToken, env: { FORCE_COLOR: "1" } };
    const session: Array<{ command: string; output: string }> = [];
    for (const args of [
      ["tenants", "create", "globex", "--email", "hank@globex.test", "--tier", "studio"],
      ["tenants", "list"],
      ["stack", "preview", "globex"],
    ]) {
      const result = await websplat(args, target);
      session.push({ command: `websplat ${args.join(" ")}`, output: result.stderr + result.stdout });
    }
    const page = await browser.newPage({ viewport: { width: 1100, height: 400 }, deviceScaleFactor: 1 });
    await page.setContent(terminalPage(session));
    await page.locator("pre").screenshot({ path: new URL("cli.png", IMAGES).pathname });
    await page.close();
  });
});

const ANSI_COLOURS: Record<string, string> = {
  "1": "font-weight:700",
  "2": "color:#8b949e",
  "31": "color:#ff7b72",
  "32": "color:#7ee787",
  "33": "color:#e3b341",
  "36": "color:#79c0ff",
  "90": "color:#8b949e",
};

/** Commands and their output (with ANSI colours) as a dark terminal window. */
function terminalPage(session: Array<{ command: string; output: string }>): string {
  const escapeHtml = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  const colour = (text: string) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is converted
    text.replace(/\u001b\[(\d+)m/g, (_, code: string) => {
      const style = ANSI_COLOURS[code];
      return style ? `<span style="${style}">` : "</span>";
    });
  const body = session
    .map(
      ({ command, output }) =>
        `<span class="prompt">$</span> ${escapeHtml(command)}\n${colour(escapeHtml(output))}`,
    )
    .join("\n");
  return `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: #0d1117; }
pre { margin: 0; padding: 20px 24px; color: #e6edf3; background: #0d1117; font: 14px/1.45 "DejaVu Sans Mono", monospace; white-space: pre; display: inline-block; min-width: 1050px; }
.prompt { color: #7ee787; }
</style><pre>${body}</pre>`;
}
