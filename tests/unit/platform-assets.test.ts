import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builderAssetUrls } from "../../agent-runtime/ui/builder-assets.ts";
import { builderScript } from "../../agent-runtime/ui/builder-script.ts";
import { type PriceList, webRoutes } from "../../control-plane/web/index.ts";

const TABLE_PRICES: PriceList = { starter: null, pro: null, studio: null };
const web = () =>
  webRoutes({
    publicUrl: "http://localhost:8080",
    baseDomain: "localhost",
    prices: async () => TABLE_PRICES,
  });
const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 10);

describe("platform assets under content-hashed names", () => {
  it("the signup page links its script and stylesheet by the hash of their content, served immutable", async () => {
    const app = web();
    const html = await (await app.request("/")).text();
    const css = readFileSync(new URL("../../control-plane/web/assets/web.css", import.meta.url), "utf8");
    const js = readFileSync(new URL("../../control-plane/web/assets/signup.js", import.meta.url), "utf8");
    expect(html).toContain(`href="/assets/web/web.${sha(css)}.css"`);
    expect(html).toContain(`src="/assets/web/signup.${sha(js)}.js"`);
    const response = await app.request(`/assets/web/signup.${sha(js)}.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await response.text()).toBe(js);
  });

  it("a plain name (a page cached from before) still answers, with a short cache; a wrong hash is not found", async () => {
    const app = web();
    const plain = await app.request("/assets/web/web.css");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("cache-control")).toBe("public, max-age=300");
    expect((await app.request("/assets/web/web.0000000000.css")).status).toBe(404);
  });

  it("the builder's script URL changes with its content", () => {
    expect(builderAssetUrls.script).toBe(`/ui/builder.${sha(builderScript)}.js`);
  });
});
