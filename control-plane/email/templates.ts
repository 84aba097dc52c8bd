import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** What every message says about who sent it and where to get help (DESIGN §13). */
export interface Sender {
  /** The platform's public URL: legal pages and sign-in live there. */
  publicUrl: string;
  supportAddress: string;
}

interface Body {
  /** Paragraphs of plain text; `{link}` marks where the action's URL goes in the text part. */
  paragraphs: string[];
  action?: { label: string; url: string };
  after?: string[];
}

/** One layout for every message: plain text and HTML saying the same, no images, no tracking. */
function compose(sender: Sender, subject: string, body: Body): EmailContent {
  const legal = ["terms", "privacy", "cookies"].map((name) => `${sender.publicUrl}/${name}`);
  const footer = [
    `WebSplat, a private AI website builder: ${sender.publicUrl}`,
    `Questions? Write to ${sender.supportAddress}.`,
    `Terms: ${legal[0]} · Privacy: ${legal[1]} · Cookies: ${legal[2]}`,
  ];
  const text = [
    ...body.paragraphs,
    ...(body.action ? [`${body.action.label}: ${body.action.url}`] : []),
    ...(body.after ?? []),
    "--",
    ...footer,
  ].join("\n\n");
  const paragraphs = (lines: string[]) => lines.map((line) => html`<p>${line}</p>`);
  const page: HtmlEscapedString | Promise<HtmlEscapedString> = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;color:#14161a;max-width:36rem;margin:0 auto;padding:1.5rem">
<p style="font-weight:800;color:#4338ca;font-size:1.2rem">WebSplat</p>
${paragraphs(body.paragraphs)}
${body.action ? html`<p><a href="${body.action.url}" style="display:inline-block;background:#4338ca;color:#fff;padding:.7rem 1.2rem;border-radius:.5rem;text-decoration:none;font-weight:600">${body.action.label}</a></p><p style="font-size:.9rem;color:#4b5260">Or paste this address into your browser: ${body.action.url}</p>` : ""}
${paragraphs(body.after ?? [])}
<hr style="border:0;border-top:1px solid #d4d8de">
<p style="font-size:.85rem;color:#4b5260">WebSplat, a private AI website builder: <a href="${sender.publicUrl}">${sender.publicUrl}</a><br>
Questions? Write to <a href="mailto:${sender.supportAddress}">${sender.supportAddress}</a>.<br>
<a href="${legal[0]}">Terms</a> · <a href="${legal[1]}">Privacy</a> · <a href="${legal[2]}">Cookies</a></p>
</body></html>`;
  return { subject, text, html: String(page) };
}

export function welcomeEmail(sender: Sender, input: { host: string; link: string; expiresAt: Date }) {
  return compose(sender, `Your WebSplat ${input.host} is ready`, {
    paragraphs: [
      "Thank you for your payment. Your private AI website builder is being set up and will be ready in a minute.",
      `Your builder's address: ${input.host}`,
    ],
    action: { label: "Sign in to your builder", url: input.link },
    after: [
      `This link works once, until ${input.expiresAt.toUTCString()}. Afterwards, ask for a new one at ${sender.publicUrl}/signin.`,
    ],
  });
}

export function signInEmail(sender: Sender, input: { link: string; hosts: string[]; expiresAt: Date }) {
  return compose(sender, "Your WebSplat sign-in link", {
    paragraphs: [
      input.hosts.length === 1
        ? `Someone (hopefully you) asked to sign in to ${input.hosts[0]}.`
        : `Someone (hopefully you) asked to sign in. This email owns ${input.hosts.length} builders: ${input.hosts.join(", ")}; the link lets you pick one.`,
    ],
    action: { label: "Sign in", url: input.link },
    after: [
      `The link works once, until ${input.expiresAt.toUTCString()}. If you did not ask for it, ignore this email: nobody can sign in without it.`,
    ],
  });
}

export function emailChangeEmail(sender: Sender, input: { host: string; link: string; expiresAt: Date }) {
  return compose(sender, "Confirm your new WebSplat email address", {
    paragraphs: [
      `The owner of ${input.host} asked to use this address from now on. Confirm it to finish the change; every device signed in with the old address is then signed out.`,
    ],
    action: { label: "Confirm this address", url: input.link },
    after: [
      `The link works once, until ${input.expiresAt.toUTCString()}. If you did not ask for this, ignore the email and nothing changes.`,
    ],
  });
}

export function paymentFailedEmail(sender: Sender, input: { host: string; url: string }) {
  return compose(sender, `Payment failed for ${input.host}`, {
    paragraphs: [
      `We could not collect the latest payment for ${input.host}. Your builder and sites keep running during a grace period while the payment is retried.`,
      "Update your card under Plan and billing in your builder, or the subscription will be suspended when the retries run out.",
    ],
    action: { label: "Open Plan and billing", url: `${input.url}/billing` },
  });
}

export function suspendedEmail(sender: Sender, input: { host: string }) {
  return compose(sender, `${input.host} is suspended`, {
    paragraphs: [
      `Your subscription for ${input.host} is no longer paid, so the builder is suspended. Nothing is deleted: your sites, history and data are kept.`,
      "Settle the subscription to resume at once.",
    ],
    action: { label: "Sign in to manage billing", url: `${sender.publicUrl}/signin` },
  });
}

export function cancelledEmail(sender: Sender, input: { host: string; deleteAfter: Date }) {
  return compose(sender, `${input.host} is cancelled`, {
    paragraphs: [
      `Your subscription for ${input.host} has ended and the builder is suspended.`,
      `Your data is kept until ${input.deleteAfter.toUTCString()} and deleted after that date. Resubscribe before then to keep everything.`,
    ],
    action: { label: "Sign in to resume", url: `${sender.publicUrl}/signin` },
  });
}

export function exportReadyEmail(sender: Sender, input: { host: string; url: string; expiresAt: Date }) {
  return compose(sender, `Your data export of ${input.host} is ready`, {
    paragraphs: [
      `The export of everything stored for ${input.host} is ready to download: one zip with your account, your sites' files and the builder's database.`,
    ],
    action: { label: "Download the export", url: input.url },
    after: [
      `The link works until ${input.expiresAt.toUTCString()}; after that it is deleted and a new export must be asked for. Anyone with the link can download it, so keep this email to yourself.`,
    ],
  });
}
