import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";

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
  /** `smtp` or `outbox` (files in the data dir). */
  kind: "smtp" | "outbox";
  deliver(message: OutgoingMessage): Promise<void>;
  close(): void;
}

export interface TransportOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; unset, messages become files in `outboxDir`. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
}

/** SMTP when configured; otherwise each message is an RFC 5322 `.eml` file in the outbox (DESIGN §13). */
export function createMailTransport(options: TransportOptions): MailTransport {
  if (options.smtpUrl) {
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
