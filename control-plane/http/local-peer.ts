import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import type { Context } from "hono";

/** One TCP connection's two ends, as this process sees them. */
export interface ConnectionEnds {
  /** The client's end (the socket peer). */
  remote: { address: string; port: number };
  /** Our end. */
  local: { address: string; port: number };
}

/** The socket tables of this machine (Linux): one line per socket, with its owner's uid. */
const SOCKET_TABLES = ["/proc/net/tcp", "/proc/net/tcp6"];

/**
 * The uid owning the client end of a TCP connection made on this machine: the row of /proc/net/tcp{,6}
 * whose local end is the connection's remote end and whose remote end is ours. `undefined` where the
 * kernel has no such tables (not Linux); `null` when no row matches (the client is gone, or not local).
 */
export async function loopbackPeerUid(ends: ConnectionEnds): Promise<number | null | undefined> {
  const client = endpointKey(ends.remote.address, ends.remote.port);
  const server = endpointKey(ends.local.address, ends.local.port);
  if (!client || !server) return null;
  let tables = 0;
  for (const table of SOCKET_TABLES) {
    const text = await readFile(table, "utf8").catch(() => null);
    if (text === null) continue;
    tables++;
    for (const line of text.split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 8) continue;
      if (procEndpointKey(columns[1]!) === client && procEndpointKey(columns[2]!) === server)
        return Number(columns[7]);
    }
  }
  return tables === 0 ? undefined : null;
}

/**
 * True when the request came straight from this machine (no proxy in between) and from the platform's own
 * user or root: a tenant runtime (which runs as a uid of its own) or any other local user is not the operator.
 * Where the kernel cannot say who owns a socket (not Linux), a direct loopback request is the operator's.
 */
export async function fromPlatformUser(c: Context): Promise<boolean> {
  if (!c.get("clientIsLocal")) return false;
  const ends = connectionEnds(c);
  if (!ends) return false;
  const uid = await loopbackPeerUid(ends);
  if (uid === undefined) return true;
  return uid !== null && (uid === 0 || uid === process.getuid?.());
}

function connectionEnds(c: Context): ConnectionEnds | null {
  const socket = (c.env as { incoming?: { socket?: SocketLike } } | undefined)?.incoming?.socket;
  if (!socket?.remoteAddress || !socket.localAddress || !socket.remotePort || !socket.localPort) return null;
  return {
    remote: { address: socket.remoteAddress, port: socket.remotePort },
    local: { address: socket.localAddress, port: socket.localPort },
  };
}

interface SocketLike {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

/** `address:port` with the address as 16 bytes in hex (IPv4 as IPv4-mapped IPv6), so both tables compare. */
function endpointKey(address: string, port: number): string | null {
  const bytes = addressBytes(address);
  return bytes ? `${bytes.toString("hex")}:${port}` : null;
}

/** A /proc/net/tcp endpoint, `0100007F:1F90`: the address in 32-bit words of host byte order, the port in hex. */
function procEndpointKey(field: string): string | null {
  const [hex, portHex] = field.split(":") as [string, string | undefined];
  if (!portHex || (hex.length !== 8 && hex.length !== 32)) return null;
  const words = hex.match(/.{8}/g)!.map((word) => Buffer.from(word, "hex").reverse());
  const raw = Buffer.concat(words);
  const bytes = raw.length === 4 ? Buffer.concat([MAPPED_PREFIX, raw]) : raw;
  return `${bytes.toString("hex")}:${Number.parseInt(portHex, 16)}`;
}

const MAPPED_PREFIX = Buffer.from("00000000000000000000ffff", "hex");

function addressBytes(address: string): Buffer | null {
  if (isIP(address) === 4) return Buffer.concat([MAPPED_PREFIX, Buffer.from(address.split(".").map(Number))]);
  if (isIP(address) !== 6) return null;
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (mapped) {
    const [a, b, c, d] = mapped[2]!.split(".").map(Number) as [number, number, number, number];
    text = `${mapped[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? (text.split("::") as [string, string]) : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return Buffer.from(groups.map((group) => group.padStart(4, "0")).join(""), "hex");
}
