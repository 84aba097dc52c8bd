import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";
import { html, raw } from "hono/html";
import { simpleParser } from "mailparser";
import { page } from "../web/layout.ts";

const FILE = /^[\w-]+\.eml$/;

/**
 * `GET /dev/mailbox` (local mode only, like the test-payment page): the outbox's messages, newest first,
 * each readable with its links clickable, so the sign-in flow works without an email account.
 */
export function mailboxRoutes(outboxDir: string): Hono {
  const app = new Hono();
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
