import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { waitFor } from "./wait.ts";

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  mail: ParsedMail;
}

/** Every message the control plane wrote to `<data dir>/outbox/` (RFC 5322 files), oldest first. */
export async function readOutbox(dataDir: string): Promise<OutboxMessage[]> {
  const dir = join(dataDir, "outbox");
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.endsWith(".eml"))
    .sort();
  return await Promise.all(
    files.map(async (file) => {
      const mail = await simpleParser(await readFile(join(dir, file)));
      const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(", ") : (mail.to?.text ?? "");
      return {
        file,
        to,
        subject: mail.subject ?? "",
        text: mail.text ?? "",
        html: String(mail.html || ""),
        mail,
      };
    }),
  );
}

/** Waits for the next message to `to` whose subject matches, beyond the ones already seen. */
export async function waitForEmail(
  dataDir: string,
  to: string,
  subject: RegExp,
  options: { after?: number; timeoutMs?: number } = {},
): Promise<OutboxMessage> {
  return await waitFor(
    async () => {
      const matching = (await readOutbox(dataDir)).filter(
        (m) => m.to.includes(to) && subject.test(m.subject),
      );
      return matching[options.after ?? 0];
    },
    { timeoutMs: options.timeoutMs ?? 20_000, what: `an email to ${to} matching ${subject}` },
  );
}

/** The first URL in a message's plain-text part that contains `fragment`. */
export function linkIn(message: OutboxMessage, fragment: string): string {
  const url = message.text.match(/https?:\/\/\S+/g)?.find((candidate) => candidate.includes(fragment));
  if (!url) throw new Error(`no link with ${fragment} in:\n${message.text}`);
  return url;
}
