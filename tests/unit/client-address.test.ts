import { describe, expect, it } from "vitest";
import { parseTrustedProxies, resolveClientAddress } from "../../control-plane/http/client-address.ts";

const trusted = parseTrustedProxies("10.0.0.0/8, 127.0.0.1");

describe("the client address every limiter uses", () => {
  it("without a trusted proxy, forwarding headers are ignored: a client cannot choose its address", () => {
    const headers = { cfConnectingIp: "1.1.1.1", forwardedFor: "2.2.2.2" };
    expect(resolveClientAddress("203.0.113.5", headers, null)).toEqual({
      address: "203.0.113.5",
      forwarded: false,
    });
  });

  it("from a peer that is not a trusted proxy, forwarding headers are ignored", () => {
    const headers = { cfConnectingIp: "1.1.1.1", forwardedFor: "2.2.2.2" };
    expect(resolveClientAddress("203.0.113.5", headers, trusted).address).toBe("203.0.113.5");
  });

  it("from a trusted proxy, CF-Connecting-IP names the client", () => {
    const headers = { cfConnectingIp: "198.51.100.9", forwardedFor: "10.1.1.1" };
    expect(resolveClientAddress("10.0.0.2", headers, trusted)).toEqual({
      address: "198.51.100.9",
      forwarded: true,
    });
  });

  it("from a trusted proxy without CF-Connecting-IP, the right-most untrusted X-Forwarded-For entry is the client", () => {
    const headers = { forwardedFor: "6.6.6.6, 198.51.100.7, 10.2.3.4" };
    expect(resolveClientAddress("10.0.0.2", headers, trusted).address).toBe("198.51.100.7");
  });

  it("entries that are not addresses are skipped, and a malformed CF-Connecting-IP is not believed", () => {
    const headers = { cfConnectingIp: "not-an-ip", forwardedFor: "198.51.100.7, garbage" };
    expect(resolveClientAddress("127.0.0.1", headers, trusted).address).toBe("198.51.100.7");
  });

  it("a trusted proxy that forwards nothing is the client itself", () => {
    expect(resolveClientAddress("10.0.0.2", {}, trusted)).toEqual({ address: "10.0.0.2", forwarded: false });
  });

  it("IPv4-mapped IPv6 addresses are their IPv4 address", () => {
    const headers = { forwardedFor: "::ffff:198.51.100.7" };
    expect(resolveClientAddress("127.0.0.1", headers, trusted).address).toBe("198.51.100.7");
  });
});
