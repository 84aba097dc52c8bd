import { createServer } from "node:net";
import { simpleParser } from "mailparser";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import { afterAll, describe, expect, it } from "vitest";
import {
  createMailTransport,
  emailChangeEmail,
  Mailer,
  signInEmail,
} from "../../control-plane/email/index.ts";
import { createTestDatabase } from "../support/db.ts";
import { waitFor } from "../support/wait.ts";

const sender = { publicUrl: "http://localhost:8080", supportAddress: "support@websp.lat" };

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

/** A real SMTP server (the `smtp-server` package) on loopback that keeps what it receives. */
async function startSmtp(port = 0): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: String(session.envelope.mailFrom ? session.envelope.mailFrom.address : ""),
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.server.address() as { port: number };
  return {
    port: address.port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const logger = pino({ level: "silent" });
const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

describe("email over SMTP", () => {
  it("delivers a sign-in email with plain-text and HTML parts to a real SMTP server", async () => {
    const databaseUrl = await createTestDatabase("email_smtp");
    const smtp = await startSmtp();
    stops.push(smtp.close);
    const mailer = new Mailer({
      databaseUrl,
      logger,
      transport: createMailTransport({
        kind: "smtp",
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        from: "WebSplat <hello@websp.lat>",
        outboxDir: "unused",
      }),
    });
    await mailer.start();
    stops.push(() => mailer.stop());
    const link = "http://localhost:8080/signin/link/abc";
    await mailer.send(
      "owner@example.com",
      signInEmail(sender, { link, hosts: ["acme.localhost"], expiresAt: new Date() }),
    );
    const message = await waitFor(() => smtp.received[0], { what: "a delivered message" });
    expect(message.from).toBe("hello@websp.lat");
    expect(message.to).toEqual(["owner@example.com"]);
    const mail = await simpleParser(message.raw);
    expect(mail.subject).toBe("Your WebSplat sign-in link");
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toContain("support@websp.lat");
    expect(mail.text).toContain("http://localhost:8080/privacy");
    // No tracking: nothing loads from anywhere when the message is opened.
    expect(mail.html).not.toMatch(/<img/i);
  });

  it("keeps a message while the SMTP server is down and delivers it once the server is back", async () => {
    // Its own database, so its own queue: no other mailer can pick the message up.
    const databaseUrl = await createTestDatabase("email_smtp_down");
    const port = await freePort();
    const mailer = new Mailer({
      databaseUrl,
      logger,
      transport: createMailTransport({
        kind: "smtp",
        smtpUrl: `smtp://127.0.0.1:${port}`,
        from: "WebSplat <hello@websp.lat>",
        outboxDir: "unused",
      }),
    });
    await mailer.start();
    stops.push(() => mailer.stop());
    await mailer.send(
      "late@example.com",
      signInEmail(sender, {
        link: "http://localhost:8080/x",
        hosts: ["acme.localhost"],
        expiresAt: new Date(),
      }),
    );
    // The first attempt finds nothing listening: the job is failed and scheduled again, not dropped.
    await waitFor(
      async () => {
        const postgres = (await import("postgres")).default;
        const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
        try {
          const [row] =
            await sql`select retry_count from pgboss.job where name = 'send-email' and data->>'to' = 'late@example.com'`;
          return (row?.retry_count ?? 0) >= 1;
        } finally {
          await sql.end();
        }
      },
      { timeoutMs: 20_000, what: "a failed first attempt" },
    );
    const smtp = await startSmtp(port);
    stops.push(smtp.close);
    const message = await waitFor(() => smtp.received.find((item) => item.to.includes("late@example.com")), {
      timeoutMs: 30_000,
      what: "the retried delivery",
    });
    expect((await simpleParser(message.raw)).subject).toBe("Your WebSplat sign-in link");
    expect(smtp.received.filter((item) => item.to.includes("late@example.com"))).toHaveLength(1);
  }, 60_000);

  it("a flood of other mail stuck at a slow SMTP server does not hold up a sign-in link: it has its own lane", async () => {
    const databaseUrl = await createTestDatabase("email_lanes");
    // A real SMTP server that holds every message to the flooded address until released.
    const held: Array<() => void> = [];
    const delivered: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        stream.on("data", () => {});
        stream.on("end", () => {
          if (to.includes("flooded@example.com")) held.push(() => callback());
          else {
            delivered.push(...to);
            callback();
          }
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.server.address() as { port: number }).port;
    const mailer = new Mailer({
      databaseUrl,
      logger,
      transport: createMailTransport({
        kind: "smtp",
        smtpUrl: `smtp://127.0.0.1:${port}`,
        from: "WebSplat <hello@websp.lat>",
        outboxDir: "unused",
      }),
    });
    await mailer.start();
    stops.push(async () => {
      for (const release of held.splice(0)) release();
      await mailer.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const change = emailChangeEmail(sender, {
      host: "acme.localhost",
      link: "http://localhost:8080/account/email/confirm?token=x",
      expiresAt: new Date(),
    });
    for (let n = 0; n < 20; n++) await mailer.send("flooded@example.com", change);
    await waitFor(() => held.length > 0, { what: "the flood reaching the SMTP server" });

    await mailer.send(
      "owner@example.com",
      signInEmail(sender, {
        link: "http://localhost:8080/signin/link?token=y",
        hosts: ["acme.localhost"],
        expiresAt: new Date(),
      }),
      { lane: "sign-in" },
    );
    await waitFor(() => delivered.includes("owner@example.com"), {
      timeoutMs: 20_000,
      what: "the sign-in link delivered while the flood is held",
    });
    expect(held.length).toBeGreaterThan(0);
  }, 60_000);
});
