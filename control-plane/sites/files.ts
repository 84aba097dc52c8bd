import { posix } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".pdf": "application/pdf",
  ".webmanifest": "application/manifest+json",
};

export function contentType(path: string): string {
  return TYPES[posix.extname(path).toLowerCase()] ?? "application/octet-stream";
}

export const isHtml = (path: string) => /\.html?$/i.test(path);

/** Worth compressing: text formats (images and fonts are compressed already). */
export const isCompressible = (type: string) =>
  /^text\/|^application\/(json|xml|manifest\+json)|^image\/svg\+xml/.test(type);

/** Most files one version may hold, and the largest one (the control plane's request size limit). */
export const MAX_FILES = 500;
export const MAX_FILE_BYTES = 1024 * 1024 - 1024;

/** Why a published path is refused, or null: relative, normalised, printable, no hidden or platform paths. */
export function sitePathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 300) return "a path has 1 to 300 characters";
  if (!/^[A-Za-z0-9._~\-/]+$/.test(path)) return "a path uses letters, digits, '.', '_', '-', '~' and '/'";
  if (path.startsWith("/") || posix.normalize(path) !== path || path.split("/").includes(".."))
    return "a path is relative and normalised (no leading '/', no '..', no '//')";
  if (path.startsWith("_assets/") || path.startsWith("_forms/"))
    return "paths under _assets/ and _forms/ are the platform's";
  if (path.split("/").some((part) => part.startsWith(".")))
    return "hidden files (a name starting with '.') are not published";
  return null;
}
