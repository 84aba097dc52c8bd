/** IPv4 CIDR arithmetic, just enough to check what an egress rule lets through. */

interface Range {
  first: number;
  last: number;
}

export function parseCidr(cidr: string): Range | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((octet) => octet > 255) || bits > 32) return null;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return a !== null && b !== null && a.first <= b.first && b.last <= a.last;
}

/** Whether `cidr` and `other` share any address. */
export function cidrOverlaps(cidr: string, other: string): boolean {
  const a = parseCidr(cidr);
  const b = parseCidr(other);
  return a !== null && b !== null && a.first <= b.last && b.first <= a.last;
}

/** Whether every address of `blocked` that `cidr` would reach is carved out by one of `except`. */
export function excludes(cidr: string, except: readonly string[], blocked: string): boolean {
  return !cidrOverlaps(cidr, blocked) || except.some((carved) => cidrContains(carved, blocked));
}
