import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { html, raw } from "hono/html";
import { simpleParser } from "mailparser";
import { fromPlatformUser } from "../http/local-peer.ts";
import { page } from "../web/layout.ts";

const FILE = /^[\w-]+\.eml$/;
const MAILBOX_COOKIE = "websplat_mailbox";

export interface MailboxOptions {
  /** The data dir's `outbox/`. */
  outboxDir: string;
  /** The bootstrap admin token: the mailbox key is derived from it, and it opens the mailbox itself. */
  adminToken: string;
  /** The platform's own URL, read per request (the port is known once listening): its host alone serves it. */
  publicUrl(): string;
}

/** The secret printed at start that opens the mailbox in a browser (`/dev/mailbox?key=…`), stable across restarts. */
export function mailboxKey(adminToken: string): string {
  return createHmac("sha256", adminToken).update("websplat local mailbox").digest("base64url").slice(0, 32);
}

/** Whether this platform has a local mailbox: local mode, no Stripe account, mail written to the outbox. */
export function hasLocalMailbox(config: {
  emailTransport: string;
  localBilling: boolean;
  WEBSPLAT_DRIVER: string;
}): boolean {
  return config.emailTransport === "outbox" && config.localBilling && config.WEBSPLAT_DRIVER === "local";
}

/**
 * `GET /dev/mailbox` (local mode only, like the test-payment page): the outbox's messages, newest first,
 * each readable with its links clickable, so the sign-in flow works without an email account. It holds every
 * tenant's sign-in links, so it is the operator's alone: see `operatorOnly`.
 */
export function mailboxRoutes(options: MailboxOptions): Hono {
  const { outboxDir } = options;
  const app = new Hono();
  app.use("/dev/mailbox", operatorOnly(options));
  app.use("/dev/mailbox/*", operatorOnly(options));
  app.get("/dev/mailbox", async (c) => {
    const files = (await readdir(outboxDir).catch(() => [] as string[]))
      .filter((name) => FILE.test(name))
      .sort()
      .reverse()
      .slice(0, 200);
    const messages = await Promise.all(
      files.map(async (file) => ({ file, mail: await simpleParser(await readFile(join(outboxDir, file))) })),
    );
    return c.html(
      page({
        title: "Mailbox",
        body: html`<h1>Local mailbox</h1>
<p class="muted">No SMTP server is configured, so every email is written to the data dir's <code>outbox/</code>. Newest first.</p>
${
  messages.length === 0
    ? html`<p>No email yet.</p>`
    : html`<table class="mailbox"><thead><tr><th>Sent</th><th>To</th><th>Subject</th></tr></thead><tbody>
${messages.map(
  ({ file, mail }) =>
    html`<tr><td>${mail.date?.toISOString().replace("T", " ").slice(0, 19) ?? ""}</td><td>${addresses(mail.to)}</td><td><a href="/dev/mailbox/${file}">${mail.subject ?? "(no subject)"}</a></td></tr>`,
)}</tbody></table>`
}`,
      }),
    );
  });
  app.get("/dev/mailbox/:file", async (c) => {
    const file = c.req.param("file");
    const raw = FILE.test(file) ? await readFile(join(outboxDir, file)).catch(() => null) : null;
    if (!raw)
      return c.html(
        page({
          title: "Not found",
          body: html`<h1>No such message</h1><p><a href="/dev/mailbox">Back to the mailbox</a></p>`,
        }),
        404,
      );
    const mail = await simpleParser(raw);
    return c.html(
      page({
        title: mail.subject ?? "Message",
        body: html`<p><a href="/dev/mailbox">← Mailbox</a></p>
<article class="card"><h1>${mail.subject ?? "(no subject)"}</h1>
<p class="muted">To ${addresses(mail.to)} · ${mail.date?.toUTCString() ?? ""}</p>
<div class="mail-text">${linkify(mail.text ?? "")}</div></article>`,
      }),
    );
  });
  return app;
}

/**
 * Served only on the platform's own host (a rebound DNS name is not it), only to the operator (the admin
 * token, or the mailbox key printed at start, kept in a cookie of this path once given), and never to a
 * tenant runtime's uid or another local user (the socket's owner, read from the kernel). Anyone else gets
 * the same 404 as an unknown page, or, on our host without the key, a page saying where the key is.
 */
function operatorOnly(options: MailboxOptions): MiddlewareHandler {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  const keyDigest = digest(mailboxKey(options.adminToken));
  const tokenDigest = digest(options.adminToken);
  const matches = (given: string | undefined, expected: Buffer) =>
    given !== undefined && given.length <= 200 && timingSafeEqual(digest(given), expected);
  return async (c, next) => {
    // The platform's host name (a rebound DNS name is not it); the port may differ behind a local proxy.
    if (hostName(c.req.header("host")) !== new URL(options.publicUrl()).hostname) return notFound(c);
    const direct = c.get("clientIsLocal");
    if (direct && !(await fromPlatformUser(c))) return notFound(c);
    const bearer = /^Bearer\s+(.+)$/i.exec((c.req.header("authorization") ?? "").trim())?.[1];
    if (matches(bearer, tokenDigest) || matches(getCookie(c, MAILBOX_COOKIE), keyDigest)) return await next();
    const key = c.req.query("key");
    if (matches(key, keyDigest)) {
      // The key leaves the address bar at once (history, Referer); the cookie carries it on this path only.
      setCookie(c, MAILBOX_COOKIE, key!, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/dev/mailbox",
        secure: options.publicUrl().startsWith("https:"),
      });
      c.header("cache-control", "no-store");
      return c.redirect(c.req.path, 303);
    }
    return c.html(
      page({
        title: "Mailbox",
        body: html`<h1>The mailbox is the operator's</h1><p>It holds every tenant's sign-in links. Open the <strong>Mailbox</strong> link the control plane printed when it started (<code>/dev/mailbox?key=…</code>), or send <code>Authorization: Bearer</code> with the admin token.</p>`,
      }),
      401,
    );
  };
}

function notFound(c: Context) {
  return c.html(
    page({ title: "Not found", body: html`<h1>Not found</h1><p><a href="/">Back to WebSplat</a></p>` }),
    404,
  );
}

function addresses(value: unknown): string {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.map((entry: { text?: string }) => entry.text ?? "").join(", ");
}

/** The plain-text part, escaped, with its URLs as links and its paragraphs kept. */
function linkify(text: string) {
  const escapeText = (value: string) =>
    value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const parts = text.split(/\n{2,}/).map((paragraph) =>
    escapeText(paragraph)
      .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)
      .replace(/\n/g, "<br>"),
  );
  return raw(parts.map((part) => `<p>${part}</p>`).join("\n"));
}

/** The name part of a Host header, without its port (`[::1]:8080` → `[::1]`). */
function hostName(host: string | undefined): string {
  return (host ?? "").toLowerCase().replace(/:\d+$/, "");
}
