import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailTransport, Mailer, signInEmail } from "../../control-plane/email/index.ts";
import { createTestDatabase } from "../support/db.ts";
import { startFakeSes, verifySigV4 } from "../support/fake-ses.ts";
import { waitFor } from "../support/wait.ts";

const sender = { publicUrl: "https://websp.lat", supportAddress: "support@websp.lat" };
const logger = pino({ level: "silent" });
const stops: Array<() => Promise<void>> = [];
// Made for each run, as the pod identity would hand them out: no credential is written in the repository.
const ACCESS_KEY = `TEST${randomBytes(8).toString("hex").toUpperCase()}`;
const SECRET_KEY = randomBytes(30).toString("base64");

// The default credential chain, as a pod's identity hands it over (here: the environment's variables).
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = SECRET_KEY;
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  process.env.AWS_ACCESS_KEY_ID = saved.id;
  process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

async function sesMailer(endpoint: string, prefix: string): Promise<Mailer> {
  const mailer = new Mailer({
    databaseUrl: await createTestDatabase(prefix),
    logger,
    retryDelaySeconds: 1,
    transport: createMailTransport({
      kind: "ses",
      ses: { region: "eu-central-1", endpoint },
      from: "WebSplat <hello@websp.lat>",
      outboxDir: "unused",
    }),
  });
  await mailer.start();
  stops.push(() => mailer.stop());
  return mailer;
}

describe("email through Amazon SES", () => {
  it("sends the raw MIME message with SendEmail, signed with the pod's credentials for the SES region", async () => {
    const ses = await startFakeSes();
    stops.push(ses.close);
    const mailer = await sesMailer(ses.url, "email_ses");
    const link = "https://acme.websp.lat/auth/callback?token=abc";
    const id = await mailer.send(
      "owner@example.com",
      signInEmail(sender, { link, hosts: ["acme.websp.lat"], expiresAt: new Date() }),
    );
    const request = await waitFor(() => ses.requests[0], { what: "a SendEmail request" });
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v2/email/outbound-emails");
    expect(verifySigV4(request, SECRET_KEY)).toMatchObject({
      accessKeyId: ACCESS_KEY,
      region: "eu-central-1",
      service: "ses",
    });
    // The check is real: the same bytes do not verify under another secret, nor once the body is changed.
    expect(verifySigV4(request, "another-secret")).toBeNull();
    expect(
      verifySigV4({ ...request, body: Buffer.concat([request.body, Buffer.from(" ")]) }, SECRET_KEY),
    ).toBeNull();

    const body = JSON.parse(request.body.toString("utf8"));
    expect(body.FromEmailAddress).toBe("WebSplat <hello@websp.lat>");
    expect(body.Destination).toEqual({ ToAddresses: ["owner@example.com"] });
    const mail = await simpleParser(Buffer.from(body.Content.Raw.Data, "base64"));
    expect(mail.messageId).toBe(`<${id}@websplat>`);
    expect(mail.subject).toBe("Your WebSplat sign-in link");
    expect(mail.from?.text).toBe('"WebSplat" <hello@websp.lat>');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link.replaceAll("&", "&amp;")}"`);
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(ses.requests).toHaveLength(1);
  });

  it("keeps a message SES refused and sends it again once SES accepts it", async () => {
    const ses = await startFakeSes((_request, index) =>
      index === 0
        ? { status: 400, body: { __type: "MessageRejected", message: "Sending paused for this account" } }
        : { status: 200, body: { MessageId: "0107018f-second-try" } },
    );
    stops.push(ses.close);
    const mailer = await sesMailer(ses.url, "email_ses_refused");
    await mailer.send(
      "late@example.com",
      signInEmail(sender, { link: "https://websp.lat/x", hosts: ["acme.websp.lat"], expiresAt: new Date() }),
    );
    await waitFor(() => ses.requests.length >= 2, { what: "a second SendEmail", timeoutMs: 30_000 });
    // The same message (rendered once when queued): its id, date and text; only the MIME boundary is new.
    const [first, second] = await Promise.all(
      ses.requests
        .slice(0, 2)
        .map((request) =>
          simpleParser(Buffer.from(JSON.parse(String(request.body)).Content.Raw.Data, "base64")),
        ),
    );
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.date).toEqual(first?.date);
    expect(second?.text).toBe(first?.text);
    expect(second?.to).toEqual(first?.to);
  });
});

describe("email explicitly off", () => {
  it("drops each message with a log line and writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "websplat-mail-off-"));
    try {
      const lines: Array<{ fields: object; message: string }> = [];
      const transport = createMailTransport({
        kind: "off",
        from: "WebSplat <hello@websp.lat>",
        outboxDir: dir,
        logger: { info: (fields: object, message: string) => lines.push({ fields, message }) } as never,
      });
      await transport.deliver({
        id: "m-1",
        to: "owner@example.com",
        subject: "Your WebSplat sign-in link",
        text: "t",
        html: "<p>t</p>",
        date: new Date().toISOString(),
      });
      expect(transport.kind).toBe("off");
      expect(lines).toEqual([
        {
          fields: { email: "m-1", subject: "Your WebSplat sign-in link" },
          message: "email not sent: WEBSPLAT_EMAIL_TRANSPORT=off",
        },
      ]);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
