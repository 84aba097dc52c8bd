import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "pino";

/** One message as it is queued: rendered once, so every retry sends the same bytes. */
export interface OutgoingMessage {
  /** Stable across retries: the Message-ID and the outbox file name. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** ISO time the message was written; its Date header. */
  date: string;
}

export interface MailTransport {
  /** `ses` (Amazon SES), `smtp`, `outbox` (files in the data dir) or `off` (dropped, logged). */
  kind: "ses" | "smtp" | "outbox" | "off";
  deliver(message: OutgoingMessage): Promise<void>;
  close(): void;
}

export interface TransportOptions {
  /** How mail leaves; `smtp` needs `smtpUrl`, `ses` needs `ses`. */
  kind: MailTransport["kind"];
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  smtpUrl?: string;
  /** Amazon SES (v2 API) with the default credential chain: the pod's identity in production. */
  ses?: { region: string; endpoint?: string };
  from: string;
  outboxDir: string;
  /** Where a message dropped by `off` is noted. */
  logger?: Pick<Logger, "info">;
}

/** DESIGN §13/§15: SES or SMTP when configured; otherwise each message is an RFC 5322 `.eml` file in the outbox. */
export function createMailTransport(options: TransportOptions): MailTransport {
  switch (options.kind) {
    case "smtp":
      return smtpTransport(options);
    case "ses":
      return sesTransport(options);
    case "off":
      return {
        kind: "off",
        deliver: async (message) => {
          options.logger?.info(
            { email: message.id, subject: message.subject },
            "email not sent: WEBSPLAT_EMAIL_TRANSPORT=off",
          );
        },
        close: () => {},
      };
    case "outbox":
      return outboxTransport(options);
  }
}

function smtpTransport(options: TransportOptions): MailTransport {
  if (!options.smtpUrl) throw new Error("the smtp transport needs an SMTP_URL");
  const smtp = nodemailer.createTransport(options.smtpUrl, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: "smtp",
    deliver: async (message) => {
      await smtp.sendMail(envelope(options.from, message));
    },
    close: () => smtp.close(),
  };
}

/**
 * nodemailer's SES transport over the SES v2 API (`SendEmail` with the raw MIME message), so what SES sends is
 * byte for byte what SMTP or the outbox would have. The SDK is loaded on the first message, not at start.
 */
function sesTransport(options: TransportOptions): MailTransport {
  const settings = options.ses;
  if (!settings) throw new Error("the ses transport needs an AWS region");
  let transport: Promise<{ mail: Transporter; client: { destroy(): void } }> | null = null;
  const load = async () => {
    const { SESv2Client, SendEmailCommand } = await import("@aws-sdk/client-sesv2");
    const client = new SESv2Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      maxAttempts: 3,
    });
    return { mail: nodemailer.createTransport({ SES: { sesClient: client, SendEmailCommand } }), client };
  };
  return {
    kind: "ses",
    deliver: async (message) => {
      transport ??= load().catch((error) => {
        transport = null;
        throw error;
      });
      await (await transport).mail.sendMail(envelope(options.from, message));
    },
    close: () => {
      void transport?.then(({ mail, client }) => {
        mail.close();
        client.destroy();
      });
    },
  };
}

function outboxTransport(options: TransportOptions): MailTransport {
  const files = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    kind: "outbox",
    deliver: async (message) => {
      const info = await files.sendMail(envelope(options.from, message));
      await mkdir(options.outboxDir, { recursive: true, mode: 0o700 });
      const file = join(options.outboxDir, outboxFileName(message));
      // Written whole, then renamed: the mailbox never lists half a message.
      await writeFile(`${file}.tmp`, info.message as Buffer, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    },
    close: () => files.close(),
  };
}

/** Sortable by time, unique by message id: a retried delivery overwrites its own file. */
export function outboxFileName(message: Pick<OutgoingMessage, "id" | "date">): string {
  return `${message.date.replace(/[:.]/g, "-")}-${message.id}.eml`;
}

function envelope(from: string, message: OutgoingMessage) {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    date: new Date(message.date),
    messageId: `<${message.id}@websplat>`,
    // Transactional mail: no tracking pixels, no rewritten links, nothing to unsubscribe from.
    headers: { "Auto-Submitted": "auto-generated" },
  };
}
