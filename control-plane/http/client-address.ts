import { BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** The client's address: the socket peer, or what a trusted proxy says it forwarded for. */
    clientAddress: string;
    /** True when the request came straight from this machine (no proxy in between). */
    clientIsLocal: boolean;
  }
}

/** `WEBSPLAT_TRUSTED_PROXY`: comma-separated addresses or CIDR ranges of the proxies in front of us. */
export function parseTrustedProxies(value: string | undefined): BlockList | null {
  if (!value) return null;
  const list = new BlockList();
  for (const entry of value.split(",").map((part) => part.trim())) {
    if (!entry) continue;
    const [address, bits] = entry.split("/") as [string, string | undefined];
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (isIP(address) === 0) throw new Error(`WEBSPLAT_TRUSTED_PROXY: "${entry}" is not an IP address`);
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

/**
 * The one rule for who the client is, used by every limiter. Only when the connecting hop (the socket peer)
 * is a trusted proxy are forwarding headers believed: `CF-Connecting-IP` (Cloudflare, in front in production)
 * when present, else the right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Otherwise the
 * socket address: a client cannot choose its own address, and behind the proxy clients do not collapse into one.
 */
export function resolveClientAddress(
  peer: string,
  headers: { cfConnectingIp?: string; forwardedFor?: string },
  trusted: BlockList | null,
): { address: string; forwarded: boolean } {
  if (!trusted || !isTrusted(trusted, peer)) return { address: peer, forwarded: false };
  const cloudflare = normalise(headers.cfConnectingIp?.trim() ?? "");
  if (isIP(cloudflare) !== 0) return { address: cloudflare, forwarded: true };
  const hops = (headers.forwardedFor ?? "")
    .split(",")
    .map((hop) => normalise(hop.trim()))
    .filter((hop) => isIP(hop) !== 0);
  let address = peer;
  let forwarded = false;
  while (hops.length > 0) {
    address = hops.pop()!;
    forwarded = true;
    if (!isTrusted(trusted, address)) break;
  }
  return { address, forwarded };
}

/** Sets `clientAddress` (and `clientIsLocal`) once per request, by `resolveClientAddress`. */
export function clientAddress(trusted: BlockList | null): MiddlewareHandler {
  return async (c, next) => {
    const peer = socketAddress(c);
    const { address, forwarded } = resolveClientAddress(
      peer,
      { cfConnectingIp: c.req.header("cf-connecting-ip"), forwardedFor: c.req.header("x-forwarded-for") },
      trusted,
    );
    c.set("clientAddress", address);
    c.set("clientIsLocal", !forwarded && isLoopback(peer));
    await next();
  };
}

/** The client of this request, as every limiter keys it (set by `clientAddress`; the socket before that). */
export function clientAddressOf(c: Context): string {
  return c.get("clientAddress") ?? socketAddress(c);
}

function socketAddress(c: Context): string {
  try {
    return normalise(getConnInfo(c).remote.address ?? "unknown");
  } catch {
    return "unknown";
  }
}

/** `::ffff:127.0.0.1` is 127.0.0.1. */
function normalise(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 6 ? "ipv6" : "ipv4");
}

function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.");
}
