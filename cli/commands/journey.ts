import { randomBytes } from "node:crypto";
import type { AdminClient } from "../admin-client.ts";
import type { Tenant } from "../api-types.ts";
import { unescapeHtml, type Web, type WebResponse } from "./journey-http.ts";
import type { Mailbox } from "./journey-mailbox.ts";

/** The steps of a customer's journey, in order: each is named in the output and in a failure. */
export const JOURNEY_STEPS = [
  "sweep",
  "signup",
  "payment",
  "provisioning",
  "welcome-email",
  "sign-in",
  "build",
  "publish",
  "site",
  "form",
  "sign-in-email",
  "cancel",
  "suspension",
  "deletion",
] as const;
export type JourneyStep = (typeof JOURNEY_STEPS)[number];

export interface JourneyOptions {
  url: string;
  admin: AdminClient;
  /** The admin token: the check's signup is marked as a check with it. */
  adminToken: string;
  web: Web;
  mailbox: Mailbox;
  /** The owner's address; `+<slug>` is added before the `@` so each run has its own. */
  email: string;
  /** How long any one wait may take. */
  timeoutMs: number;
  /** Check tenants older than this, left by a check that died, are deleted first. */
  sweepAfterMs: number;
  onStep?: (result: StepResult) => void;
}

export interface StepResult {
  step: JourneyStep;
  ok: boolean;
  seconds: number;
  /** What was done, or what failed and what to do. */
  detail: string;
}

export interface JourneyResult {
  passed: boolean;
  slug: string;
  steps: StepResult[];
  failedStep: JourneyStep | null;
}

/** A step's failure: what was seen and what the operator can do about it. */
export class StepFailure extends Error {}

/**
 * Buys a tenant as a customer does, uses it, cancels it and deletes it, step by step; stops at the first
 * failure (the tenant is then deleted, best effort; one left by a killed check is swept by the next run and
 * by the control plane).
 */
export async function runJourney(options: JourneyOptions): Promise<JourneyResult> {
  const { admin, web, mailbox } = options;
  const slug = `check-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
  const [local, domain] = options.email.split("@");
  const email = `${local}+${slug}@${domain}`;
  const steps: StepResult[] = [];
  const state: {
    checkoutUrl?: string;
    tenantUrl?: string;
    cookie?: string;
    projectId?: string;
    siteUrl?: string;
    files?: Record<string, string>;
  } = {};
  const wait = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
    waitUntil(what, probe, options.timeoutMs);
  const owner = (path: string, init: { method?: string; body?: unknown } = {}) =>
    web(`${state.tenantUrl}${path}`, {
      method: init.method ?? "GET",
      headers: {
        cookie: state.cookie ?? "",
        accept: "application/json",
        origin: state.tenantUrl!,
        "sec-fetch-site": "same-origin",
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const signInWith = async (link: string) => {
    const token = new URL(link).searchParams.get("token");
    if (!token) throw new StepFailure(`the emailed link ${link} has no token`);
    const chosen = await web(`${new URL(link).origin}/signin/link`, form({ token, tenant: slug }));
    expectStatus(chosen, 200, "the sign-in link page");
    const callback = /id="continue" href="([^"]+)"/.exec(chosen.text)?.[1];
    if (!callback) throw new StepFailure("the sign-in link page offers no way on to the tenant");
    const signedIn = await web(unescapeHtml(callback));
    if (signedIn.status !== 302 || signedIn.cookies.length === 0)
      throw new StepFailure(`the tenant's sign-in callback answered ${signedIn.status}, not a session`);
    state.cookie = signedIn.cookies.join("; ");
    expectStatus(await owner("/api/projects"), 200, "the builder API with the new session");
  };
  const emailLink = async (subject: RegExp, seen: Set<string>) =>
    await wait(`an email to ${email} matching ${subject} in ${mailbox.where}`, async () => {
      const message = (await mailbox.list(email)).find((m) => subject.test(m.subject) && !seen.has(m.id));
      if (!message) return undefined;
      seen.add(message.id);
      const link = (await mailbox.links(message.id)).find((href) => href.includes("/signin/link?token="));
      if (!link) throw new StepFailure(`the email "${message.subject}" has no sign-in link`);
      return link;
    });
  const seenEmails = new Set<string>();

  const run: Record<JourneyStep, () => Promise<string>> = {
    sweep: async () => {
      const left = await admin.get<{ tenants: Tenant[] }>("/admin/tenants?check=true&limit=500");
      const stale = left.tenants.filter(
        (t) => t.desired !== "deleted" && Date.now() - Date.parse(t.createdAt) >= options.sweepAfterMs,
      );
      for (const tenant of stale) await admin.delete(`/admin/tenants/${tenant.slug}`);
      return stale.length === 0
        ? "no check tenant left behind"
        : `deleted ${stale.map((t) => t.slug).join(", ")}`;
    },
    signup: async () => {
      const answer = await web(`${options.url}/api/signup`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${options.adminToken}`,
          "x-websplat-check": "journey",
        },
        body: JSON.stringify({ email, slug, tier: "pro" }),
      });
      expectStatus(answer, 201, "POST /api/signup");
      state.checkoutUrl = (JSON.parse(answer.text) as { checkoutUrl: string }).checkoutUrl;
      return `${slug} reserved`;
    },
    payment: async () => {
      const checkout = new URL(state.checkoutUrl!);
      if (!checkout.pathname.startsWith("/checkout/local/"))
        throw new StepFailure(
          `the checkout is Stripe's own page (${checkout.origin}); the journey check pays only on a platform's local test-payment page — run it against a platform without STRIPE_SECRET_KEY, see docs/release.md`,
        );
      const paid = await web(`${state.checkoutUrl}/pay`, { method: "POST" });
      if (paid.status >= 400) throw new StepFailure(`paying answered ${paid.status}: ${excerpt(paid)}`);
      return "paid on the test-payment page";
    },
    provisioning: async () => {
      const tenant = await wait(`${slug} active`, async () => {
        const now = await admin.get<Tenant>(`/admin/tenants/${slug}`);
        if (now.status === "failed") throw new StepFailure(`provisioning failed: ${now.lastError?.message}`);
        return now.status === "active" && now;
      });
      state.tenantUrl = tenant.url!.replace(/\/+$/, "");
      await wait(
        `${state.tenantUrl}/healthz to answer 200`,
        async () => (await web(`${state.tenantUrl}/healthz`)).status === 200,
      );
      return state.tenantUrl;
    },
    "welcome-email": async () => {
      const link = await emailLink(/is ready/, seenEmails);
      (state as { welcome?: string }).welcome = link;
      return "welcome email with its sign-in link";
    },
    "sign-in": async () => {
      await signInWith((state as { welcome?: string }).welcome!);
      return "signed in with the welcome link";
    },
    build: async () => {
      const created = await owner("/api/projects", { method: "POST", body: { name: "Journey" } });
      expectStatus(created, 201, "POST /api/projects");
      state.projectId = (JSON.parse(created.text) as { project: { id: string } }).project.id;
      const started = await owner(`/api/projects/${state.projectId}/runs`, {
        method: "POST",
        body: { prompt: JOURNEY_PROMPT, autonomy: 4, creativity: 1 },
      });
      expectStatus(started, 201, "starting a builder run");
      const runId = (JSON.parse(started.text) as { run: { id: string } }).run.id;
      await wait(`run ${runId} to complete`, async () => {
        const answer = await owner(`/api/runs/${runId}`);
        expectStatus(answer, 200, `GET /api/runs/${runId}`);
        const status = (JSON.parse(answer.text) as { run: { status: string } }).run.status;
        if (["failed", "stopped", "interrupted", "awaiting_input"].includes(status))
          throw new StepFailure(`the builder run ended ${status}`);
        return status === "completed";
      });
      const files = await owner(`/api/projects/${state.projectId}/files`);
      expectStatus(files, 200, "the built files");
      const list = (JSON.parse(files.text) as { files: Array<{ path: string; content: string }> }).files;
      state.files = Object.fromEntries(list.map((f) => [f.path, f.content]));
      return `${list.length} files built`;
    },
    publish: async () => {
      const published = await owner(`/api/projects/${state.projectId}/publish`, { method: "POST", body: {} });
      expectStatus(published, 201, "publishing");
      const { url, version } = JSON.parse(published.text) as { url: string; version: number };
      state.siteUrl = url.replace(/\/+$/, "");
      return `version ${version} at ${state.siteUrl}`;
    },
    site: async () => {
      const home = await web(`${state.siteUrl}/`);
      expectStatus(home, 200, `the published site ${state.siteUrl}/`);
      if (!home.text.includes(BUSINESS))
        throw new StepFailure(`${state.siteUrl}/ does not show the built site`);
      return `${state.siteUrl}/ serves the site`;
    },
    form: async () => {
      // The published pages, as a visitor gets them: publishing points their forms at the platform.
      let page: [string, string] | undefined;
      for (const path of Object.keys(state.files!).filter((file) => file.endsWith(".html"))) {
        const served = await web(`${state.siteUrl}/${path}`);
        if (served.status === 200 && /action="\/_forms\//.test(served.text)) page = [path, served.text];
        if (page) break;
      }
      if (!page)
        throw new StepFailure(
          "no published page has a form posting to /_forms/: the builder left out the contact form asked for, or publishing did not wire it",
        );
      const name = /action="\/_forms\/([\w-]+)"/.exec(page[1])![1]!;
      const marker = `journey check ${slug}`;
      const sent = await web(`${state.siteUrl}/_forms/${name}`, {
        ...form({ name: "Journey Check", email, message: marker, _website: "" }),
        headers: { ...form({}).headers, accept: "application/json", referer: `${state.siteUrl}/${page[0]}` },
      });
      if (sent.status !== 201 && sent.status !== 200)
        throw new StepFailure(`submitting the form answered ${sent.status}: ${excerpt(sent)}`);
      await wait("the submission to reach the builder", async () => {
        const answer = await owner(`/api/projects/${state.projectId}/submissions`);
        return answer.status === 200 && answer.text.includes(marker);
      });
      return `form "${name}" submitted and received`;
    },
    "sign-in-email": async () => {
      const asked = await web(`${options.url}/signin`, form({ email }));
      expectStatus(asked, 200, "POST /signin");
      await signInWith(await emailLink(/sign-in link/, seenEmails));
      return "signed in with the emailed link";
    },
    cancel: async () => {
      const opened = await web(`${state.tenantUrl}/billing/portal`, {
        method: "POST",
        headers: { cookie: state.cookie!, "sec-fetch-site": "same-origin", origin: state.tenantUrl! },
      });
      expectStatus(opened, 200, "the builder's billing portal");
      const portal = /id="continue" href="([^"]+)"/.exec(opened.text)?.[1];
      if (!portal) throw new StepFailure("the builder's billing page offers no portal");
      const url = unescapeHtml(portal);
      if (!new URL(url).pathname.startsWith("/billing/local/"))
        throw new StepFailure(`the portal is Stripe's (${new URL(url).origin}); see docs/release.md`);
      const cancelled = await web(`${url}/cancel`, form({}));
      if (cancelled.status >= 400)
        throw new StepFailure(`cancelling answered ${cancelled.status}: ${excerpt(cancelled)}`);
      return "cancelled in the billing portal";
    },
    suspension: async () => {
      await wait(`${state.tenantUrl}/ to say the tenant is paused`, async () => {
        const answer = await web(`${state.tenantUrl}/`);
        return answer.status === 402 && answer.text.includes("paused");
      });
      await wait(`${state.siteUrl}/ to say the site is unavailable`, async () => {
        const answer = await web(`${state.siteUrl}/`);
        return answer.status === 503 && /unavailable/i.test(answer.text);
      });
      return "tenant paused, site unavailable";
    },
    deletion: async () => {
      await admin.delete(`/admin/tenants/${slug}`);
      await wait(
        `${slug} deleted`,
        async () => (await admin.get<Tenant>(`/admin/tenants/${slug}`)).status === "deleted",
      );
      await wait(
        `${state.siteUrl}/ to answer 404`,
        async () => (await web(`${state.siteUrl}/`)).status === 404,
      );
      return `${slug} deleted`;
    },
  };

  for (const step of JOURNEY_STEPS) {
    const started = performance.now();
    let result: StepResult;
    try {
      const detail = await run[step]();
      result = { step, ok: true, seconds: elapsed(started), detail };
    } catch (error) {
      result = { step, ok: false, seconds: elapsed(started), detail: failureText(step, error) };
    }
    steps.push(result);
    options.onStep?.(result);
    if (!result.ok) {
      if (step !== "sweep" && step !== "signup" && step !== "deletion")
        await admin.delete(`/admin/tenants/${slug}`).catch(() => {});
      return { passed: false, slug, steps, failedStep: step };
    }
  }
  return { passed: true, slug, steps, failedStep: null };
}

const BUSINESS = "Journey Check Bakery";
const JOURNEY_PROMPT = `A website for ${BUSINESS} with about, opening hours and a contact form`;

/** What each step's failure means for a customer, and where to look. */
const ADVICE: Record<JourneyStep, string> = {
  sweep: "the admin API refused or failed: check the admin token and `websplat tenants list`",
  signup: "customers cannot start a purchase: see the control plane's log for POST /api/signup",
  payment: "customers cannot pay: check the checkout and the webhook (`websplat ops list --status failed`)",
  provisioning: "a paid tenant does not come up: `websplat tenants show <slug>` and `websplat ops logs <id>`",
  "welcome-email": "owners get no welcome email: check SMTP_URL / the mailer's log",
  "sign-in": "owners cannot sign in with their link: check the owner signing key and the tenant host",
  build: "the builder does not build: see the tenant runtime's log and the model settings",
  publish: "sites cannot be published: check the sites store and WEBSPLAT_PLATFORM_URL of runtimes",
  site: "published sites do not answer: check WEBSPLAT_SITES_DOMAIN, its DNS and the sites Deployment",
  form: "site forms do not reach their owners: check /_forms and the runtime's form intake",
  "sign-in-email": "owners cannot sign in by email: check the mailer and the sign-in rate limits",
  cancel: "owners cannot cancel: check the billing portal and the webhook",
  suspension: "a cancelled tenant is not suspended: check the reconciler (`websplat ops list`)",
  deletion: "tenants cannot be deleted: `websplat ops list --status failed`",
};

function failureText(step: JourneyStep, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${message} — ${ADVICE[step]}`;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}

function form(fields: Record<string, string>) {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" } as Record<string, string>,
    body: new URLSearchParams(fields).toString(),
  };
}

function expectStatus(response: WebResponse, status: number, what: string): void {
  if (response.status !== status)
    throw new StepFailure(`${what} answered ${response.status}, not ${status}: ${excerpt(response)}`);
}

function excerpt(response: WebResponse): string {
  const text = response.text
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.slice(0, 160) || "no body";
}

/** Polls `probe` until it answers a value, a StepFailure, or `timeoutMs` passes; other errors are retried. */
async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      last = error;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : "";
      throw new StepFailure(`waited ${Math.round(timeoutMs / 1000)} s for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
