import { and, asc, count, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "../db/client.ts";
import { siteSubmissionQueue } from "../db/schema.ts";
import { clientAddressOf } from "../http/client-address.ts";
import { unstorableText } from "../http/text.ts";
import { HONEYPOT_FIELD, publishedForms } from "./html.ts";
import { plainPage, thanksPage } from "./pages.ts";
import type { LiveSite } from "./registry.ts";
import type { SiteStore } from "./store.ts";

export type QueuedSubmission = typeof siteSubmissionQueue.$inferSelect;

const MAX_BODY_BYTES = 64 * 1024;
const MAX_FIELDS = 50;
const MAX_VALUE = 5000;
/** Waiting submissions one tenant may have before new ones are refused (its runtime claims them). */
const MAX_QUEUED = 5000;

export interface FormIntake {
  db: Database;
  store: SiteStore;
  perMinute: number;
}

/**
 * `POST /_forms/<name>` on a public site: a visitor's form, queued for the tenant's runtime. Limited per
 * client and tenant; a filled honeypot is thanked and dropped.
 */
export function formIntake(options: FormIntake) {
  // A sliding minute per client and tenant: at most `perMinute` submissions in any 60 s.
  const recent = new Map<string, number[]>();
  const forms = liveForms(options.store);
  return async (c: Context, live: LiveSite, form: string): Promise<Response> => {
    const target = { slug: live.slug, site: live.site };
    const wantsJson = (c.req.header("accept") ?? "").includes("application/json");
    const fail = (
      status: 400 | 404 | 413 | 429,
      code: string,
      message: string,
      headers: Record<string, string> = {},
    ) =>
      wantsJson
        ? c.json({ error: { code, message } }, status, headers)
        : c.html(plainPage("Not sent", message), status, headers);
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(form))
      return fail(400, "invalid_form", "This form's address is not valid.");
    if (!(await forms(live)).has(form))
      return fail(
        404,
        "form_not_found",
        "This site has no such form: send the form from the site's own page.",
      );
    const retryAfter = take(recent, `${target.slug}|${clientAddressOf(c)}`, options.perMinute);
    if (retryAfter > 0)
      return fail(429, "rate_limited", `Too many messages from you; try again in ${retryAfter} s.`, {
        "retry-after": String(retryAfter),
      });
    const length = Number(c.req.header("content-length") ?? Number.NaN);
    if (!Number.isFinite(length) || length > MAX_BODY_BYTES)
      return fail(413, "payload_too_large", "The form is too large to send (64 KiB at most).");
    const type = c.req.header("content-type") ?? "";
    if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type))
      return fail(400, "invalid_form", "Send the form as a web form (application/x-www-form-urlencoded).");
    const body = await c.req.parseBody({ all: true }).catch(() => null);
    if (!body) return fail(400, "invalid_form", "The form could not be read.");
    const fields: Record<string, string> = {};
    let honeypot = false;
    for (const [name, value] of Object.entries(body)) {
      const values = (Array.isArray(value) ? value : [value]).filter((item) => typeof item === "string");
      const joined = values.join(", ").trim();
      if (name === HONEYPOT_FIELD) {
        honeypot ||= joined !== "";
        continue;
      }
      if (name.startsWith("_") || joined === "") continue;
      const unstorable =
        unstorableText(name, "a field's name") ?? unstorableText(joined, `the field ${name}`);
      if (unstorable)
        return fail(
          400,
          "invalid_form",
          `The form cannot be sent: ${unstorable.replace(/^the field /, "")}.`,
        );
      if (Object.keys(fields).length >= MAX_FIELDS)
        return fail(400, "invalid_form", `A form has at most ${MAX_FIELDS} fields.`);
      fields[name.slice(0, 100)] = joined.slice(0, MAX_VALUE);
    }
    const back = backPath(c);
    const thanks = () => (wantsJson ? c.json({ ok: true }, 201) : c.html(thanksPage(back), 200));
    if (honeypot) return thanks();
    if (Object.keys(fields).length === 0)
      return fail(400, "empty_form", "The form is empty: fill it in first.");
    const [queued] = await options.db
      .select({ n: count() })
      .from(siteSubmissionQueue)
      .where(eq(siteSubmissionQueue.slug, target.slug));
    if ((queued?.n ?? 0) >= MAX_QUEUED)
      return fail(429, "inbox_full", "This site cannot take more messages right now; try again later.", {
        "retry-after": "600",
      });
    await options.db.insert(siteSubmissionQueue).values({ ...target, form, page: back, fields });
    return thanks();
  };
}

/** The forms a live version's pages post to, gathered once per version. */
function liveForms(store: SiteStore) {
  const known = new Map<string, Promise<Set<string>>>();
  return (live: LiveSite): Promise<Set<string>> => {
    const key = `${live.slug}/${live.site}/${live.version}`;
    let forms = known.get(key);
    if (!forms) {
      forms = (async () => {
        const names = new Set<string>();
        for (const file of Object.values(live.files)) {
          if (!file.type.startsWith("text/html")) continue;
          // Recorded at publish; read from the page for versions published before.
          const forms =
            file.forms ?? publishedForms((await store.get(live.slug, file.hash)).toString("utf8"));
          for (const name of forms) names.add(name);
        }
        return names;
      })();
      forms.catch(() => known.delete(key));
      if (known.size > 10_000) known.clear();
      known.set(key, forms);
    }
    return forms;
  };
}

/** Records a submission in the client's last minute; the seconds to wait when it already has `limit`. */
function take(recent: Map<string, number[]>, key: string, limit: number): number {
  const now = Date.now();
  const times = (recent.get(key) ?? []).filter((at) => now - at < 60_000);
  if (times.length >= limit) {
    recent.set(key, times);
    return Math.max(1, Math.ceil((times[0]! + 60_000 - now) / 1000));
  }
  times.push(now);
  if (recent.size > 100_000) recent.clear();
  recent.set(key, times);
  return 0;
}

/** The page the form was on (same host only), to link back to. */
function backPath(c: Context): string {
  const referer = c.req.header("referer");
  if (!referer) return "/";
  try {
    const url = new URL(referer);
    return url.host === new URL(c.req.url).host ? url.pathname : "/";
  } catch {
    return "/";
  }
}

/** The oldest waiting submissions of one tenant (its runtime stores them, then acknowledges). */
export async function pendingSubmissions(
  db: Database,
  slug: string,
  limit = 200,
): Promise<QueuedSubmission[]> {
  return await db
    .select()
    .from(siteSubmissionQueue)
    .where(eq(siteSubmissionQueue.slug, slug))
    .orderBy(asc(siteSubmissionQueue.receivedAt))
    .limit(limit);
}

export async function acknowledgeSubmissions(db: Database, slug: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const deleted = await db
    .delete(siteSubmissionQueue)
    .where(and(eq(siteSubmissionQueue.slug, slug), inArray(siteSubmissionQueue.id, ids)))
    .returning({ id: siteSubmissionQueue.id });
  return deleted.length;
}
