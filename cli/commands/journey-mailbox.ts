import { unescapeHtml, type Web } from "./journey-http.ts";

export interface MailboxMessage {
  id: string;
  subject: string;
}

/** Where the journey check reads the emails the platform sends to its tenant's owner. */
export interface Mailbox {
  /** Said in a failure: where the check looked. */
  readonly where: string;
  /** Messages to `to`, newest first. */
  list(to: string): Promise<MailboxMessage[]>;
  /** The links in a message's text. */
  links(id: string): Promise<string[]>;
}

/**
 * `platform`: the platform's own outbox (`/dev/mailbox`, local platforms without SMTP), read with the admin
 * token. Any http(s) address: a Mailpit test inbox that the platform's SMTP delivers to (its HTTP API).
 */
export function openMailbox(spec: string, platformUrl: string, adminToken: string, web: Web): Mailbox {
  if (spec === "platform") return platformMailbox(platformUrl, adminToken, web);
  return mailpit(spec.replace(/\/+$/, ""), web);
}

function platformMailbox(platformUrl: string, adminToken: string, web: Web): Mailbox {
  const where = `${platformUrl}/dev/mailbox`;
  const get = async (path: string) => {
    const response = await web(`${platformUrl}${path}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (response.status !== 200)
      throw new Error(
        `${where} answered ${response.status}: a platform with SMTP has no outbox — give the check a test inbox (--mailbox <Mailpit URL>)`,
      );
    return response.text;
  };
  return {
    where,
    async list(to) {
      const page = await get("/dev/mailbox");
      const rows = page.matchAll(
        /<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td><a href="\/dev\/mailbox\/([\w-]+\.eml)">([^<]*)<\/a>/g,
      );
      return [...rows]
        .filter(([, recipients]) => unescapeHtml(recipients!).toLowerCase().includes(to.toLowerCase()))
        .map(([, , id, subject]) => ({ id: id!, subject: unescapeHtml(subject!) }));
    },
    async links(id) {
      const page = await get(`/dev/mailbox/${id}`);
      return [...page.matchAll(/<a href="(https?:\/\/[^"]+)"/g)].map(([, href]) => unescapeHtml(href!));
    },
  };
}

function mailpit(base: string, web: Web): Mailbox {
  const get = async <T>(path: string): Promise<T> => {
    const response = await web(`${base}${path}`, { headers: { accept: "application/json" } });
    if (response.status !== 200) throw new Error(`the test inbox ${base} answered ${response.status}`);
    return JSON.parse(response.text) as T;
  };
  return {
    where: base,
    async list(to) {
      const found = await get<{ messages: Array<{ ID: string; Subject: string }> }>(
        `/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`,
      );
      return found.messages.map((message) => ({ id: message.ID, subject: message.Subject }));
    },
    async links(id) {
      const message = await get<{ Text: string }>(`/api/v1/message/${encodeURIComponent(id)}`);
      return message.Text.match(/https?:\/\/\S+/g) ?? [];
    },
  };
}
