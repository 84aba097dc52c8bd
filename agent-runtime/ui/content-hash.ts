import { createHash } from "node:crypto";

/** `/ui/<name>.<first 10 hex of the SHA-256>.<ext>`: a new URL whenever the content changes, so it caches for good. */
export function hashedUrl(file: string, body: string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const dot = file.lastIndexOf(".");
  return `/ui/${file.slice(0, dot)}.${hash}${file.slice(dot)}`;
}
