import { describe, expect, it } from "vitest";
import {
  cancelledEmail,
  emailChangeEmail,
  exportReadyEmail,
  paymentFailedEmail,
  signInEmail,
  suspendedEmail,
  welcomeEmail,
} from "../../control-plane/email/index.ts";

const sender = { publicUrl: "https://websp.lat", supportAddress: "support@websp.lat" };
const at = new Date("2027-01-31T12:00:00Z");

const messages = {
  welcome: welcomeEmail(sender, {
    host: "acme.websp.lat",
    link: "https://websp.lat/signin/link?token=t1",
    expiresAt: at,
  }),
  signIn: signInEmail(sender, {
    link: "https://websp.lat/signin/link?token=t2",
    hosts: ["acme.websp.lat"],
    expiresAt: at,
  }),
  emailChange: emailChangeEmail(sender, {
    host: "acme.websp.lat",
    link: "https://websp.lat/account/email/confirm?token=t3",
    expiresAt: at,
  }),
  paymentFailed: paymentFailedEmail(sender, { host: "acme.websp.lat", url: "https://acme.websp.lat" }),
  suspended: suspendedEmail(sender, { host: "acme.websp.lat" }),
  cancelled: cancelledEmail(sender, { host: "acme.websp.lat", deleteAfter: at }),
  exportReady: exportReadyEmail(sender, {
    host: "acme.websp.lat",
    url: "https://websp.lat/exports/acme/1-x/sig",
    expiresAt: at,
  }),
};

describe("emails", () => {
  for (const [name, message] of Object.entries(messages)) {
    it(`${name}: plain text and HTML, the product, the support address and the legal pages, nothing tracked`, () => {
      for (const part of [message.text, message.html]) {
        expect(part).toContain("WebSplat");
        expect(part).toContain("support@websp.lat");
        expect(part).toContain("https://websp.lat/privacy");
        expect(part).toContain("https://websp.lat/terms");
      }
      expect(message.html).not.toMatch(/<img|<script|utm_/i);
      expect(message.subject.length).toBeGreaterThan(5);
    });
  }

  it("the cancellation says when the data is deleted", () => {
    expect(messages.cancelled.text).toContain(at.toUTCString());
  });

  it("links in the HTML part are escaped and equal to those in the plain text", () => {
    const tricky = signInEmail(sender, {
      link: 'https://websp.lat/x?a=1&b="2"',
      hosts: ["<b>acme</b>"],
      expiresAt: at,
    });
    expect(tricky.html).not.toContain("<b>acme</b>");
    expect(tricky.html).toContain("&amp;b=&quot;2&quot;");
    expect(tricky.text).toContain('https://websp.lat/x?a=1&b="2"');
  });
});
