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
 * Sets `clientAddress`. `X-Forwarded-For` is believed only when the socket peer is a configured trusted
 * proxy, and then only up to the first hop that is not one (the right-most untrusted entry): a client
 * cannot choose its own address, and behind a proxy every client does not collapse into one.
 */
export function clientAddress(trusted: BlockList | null): MiddlewareHandler {
  return async (c, next) => {
    const peer = socketAddress(c);
    let address = peer;
    let forwarded = false;
    if (trusted && isTrusted(trusted, peer)) {
      const hops = (c.req.header("x-forwarded-for") ?? "")
        .split(",")
        .map((hop) => hop.trim())
        .filter((hop) => isIP(hop) !== 0);
      while (hops.length > 0) {
        const hop = hops.pop()!;
        forwarded = true;
        address = hop;
        if (!isTrusted(trusted, hop)) break;
      }
    }
    c.set("clientAddress", address);
    c.set("clientIsLocal", !forwarded && isLoopback(peer));
    await next();
  };
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
