import { posix } from "node:path";

/** The honeypot field added to every form: people never see it, form-filling bots fill it. */
export const HONEYPOT_FIELD = "_website";

/** Where a content-hashed asset is served (immutable). */
export function assetPath(hash: string, path: string): string {
  const ext = posix.extname(path);
  return `/_assets/${hash}${ext}`;
}

/**
 * The HTML as published: links to the version's own assets point at their content-hashed URL (so they can be
 * cached for ever and a new version can never mix with an old stylesheet), and forms that post to their own
 * page post to the platform's form endpoint, with a honeypot field.
 */
export function publishHtml(html: string, page: string, assets: Map<string, string>): string {
  const dir = posix.dirname(page);
  const linked = html.replace(
    /(\s(?:href|src)\s*=\s*)("([^"]*)"|'([^']*)')/gi,
    (whole, attribute: string, _quoted, double?: string, single?: string) => {
      const value = (double ?? single ?? "").trim();
      const target = localTarget(value, dir);
      const hash = target ? assets.get(target) : undefined;
      return hash && target ? `${attribute}"${assetPath(hash, target)}"` : whole;
    },
  );
  return linked.replace(/<form\b([^>]*)>/gi, (whole, attributes: string) => {
    if (!/\bmethod\s*=\s*["']?post\b/i.test(attributes)) return whole;
    const action = /\s+action\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
    const target = action ? (action[2] ?? action[3] ?? action[4] ?? "").trim() : "";
    if (target !== "" && target !== "#") return whole;
    const name = formName(attributes);
    const rest = action ? attributes.replace(action[0], "") : attributes;
    return `<form${rest.replace(/\s+$/, "")} action="/_forms/${name}">${honeypot()}`;
  });
}

function honeypot(): string {
  return `<p style="position:absolute;left:-10000px" aria-hidden="true"><label>Leave this empty <input name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></label></p>`;
}

/** A form's name for its submissions: its `name`, else its first class, else its id. */
function formName(attributes: string): string {
  for (const attribute of ["name", "class", "id"]) {
    const match = new RegExp(`\\b${attribute}\\s*=\\s*["']([^"']+)["']`, "i").exec(attributes);
    const value = match?.[1]
      ?.split(/\s+/)[0]
      ?.toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "");
    if (value) return value.slice(0, 40);
  }
  return "form";
}

/** The version path a relative URL in `dir` names, or null for external, absolute-URL and fragment links. */
function localTarget(value: string, dir: string): string | null {
  if (!value || value.startsWith("#") || value.startsWith("//") || /^[a-z][a-z0-9+.-]*:/i.test(value))
    return null;
  const path = value.split(/[?#]/)[0]!;
  if (!path) return null;
  const joined = path.startsWith("/") ? path.slice(1) : posix.join(dir === "." ? "" : dir, path);
  const normal = posix.normalize(joined);
  return normal.startsWith("..") ? null : normal;
}

/** The names of the platform forms a published page posts to (`action="/_forms/<name>"`, as written above). */
export function publishedForms(html: string): string[] {
  return [...html.matchAll(/<form\b[^>]*\saction="\/_forms\/([a-z0-9][a-z0-9-]{0,39})"/gi)].map((m) => m[1]!);
}
