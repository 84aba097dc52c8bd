import { describe, expect, it } from "vitest";
import { type PriceList, webRoutes } from "../../control-plane/web/index.ts";

const TABLE_PRICES: PriceList = { starter: null, pro: null, studio: null };
const web = () =>
  webRoutes({
    publicUrl: "http://localhost:8080",
    baseDomain: "localhost",
    prices: async () => TABLE_PRICES,
    legal: { supportAddress: "support@websp.lat", retentionDays: 45, operatorName: "Example Ltd" },
  });

describe("legal pages", () => {
  it("the privacy page names what is stored, for how long, the processors and a data-processing contact", async () => {
    const text = await (await web().request("/privacy")).text();
    for (const phrase of [
      "email address",
      "45 days",
      "Stripe",
      "model provider",
      "cloud provider",
      "support@websp.lat",
    ])
      expect(text).toContain(phrase);
  });

  it("the cookies page lists only the essential session cookie", async () => {
    const response = await web().request("/cookies");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("websplat_session");
    expect(text).toContain("no cookie banner");
  });

  it("the signup page and every page's footer link the terms, privacy and cookies pages", async () => {
    for (const path of ["/", "/terms", "/privacy", "/cookies"]) {
      const text = await (await web().request(path)).text();
      for (const link of ['href="/terms"', 'href="/privacy"', 'href="/cookies"'])
        expect(text).toContain(link);
    }
    const signup = await (await web().request("/")).text();
    expect(signup).toContain("By continuing you agree to the");
  });
});
