import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { bindTenant, createLogger, withLogContext } from "../../control-plane/logging.ts";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: createLogger("info", stream), lines, raw };
}

describe("control plane log lines", () => {
  it("carry the request id and tenant of the context they were written in, including from promises it started", async () => {
    const { logger, lines } = capture();
    await withLogContext({ requestId: "req-1" }, async () => {
      logger.info("before the tenant is known");
      bindTenant("acme");
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info("later");
    });
    logger.info("outside");
    expect(lines.map(({ requestId, tenant, msg }) => ({ requestId, tenant, msg }))).toEqual([
      { requestId: "req-1", tenant: undefined, msg: "before the tenant is known" },
      { requestId: "req-1", tenant: "acme", msg: "later" },
      { requestId: undefined, tenant: undefined, msg: "outside" },
    ]);
  });

  it("never hold secrets, whether in a secret-named field, in free text or inside an error", () => {
    const { logger, raw } = capture();
    const secrets = [
      "hunter2-db-password",
      "Tk3n.value-123",
      // Shaped like Stripe's secrets, assembled here so no secret-looking literal sits in the source.
      ["whsec", "FAKEforTestsOnly"].join("_"),
      ["sk", "live", "FAKEforTestsOnly"].join("_"),
      "wsa_AbCdEf0123456789",
      "one-time-sign-in",
      "t=1,v1=deadbeef",
      "session-cookie-value",
    ];
    logger.info(
      {
        headers: {
          authorization: `Bearer ${secrets[1]}`,
          cookie: `websplat_session=${secrets[7]}`,
          "stripe-signature": secrets[6],
        },
        adminToken: secrets[4],
        password: secrets[0],
        databaseUrl: `postgres://t_acme:${secrets[0]}@127.0.0.1:5432/websplat`,
      },
      `called /auth/callback?token=${secrets[5]} with ${secrets[2]} and ${secrets[3]}`,
    );
    logger.error(new Error(`connect to postgresql://admin:${secrets[0]}@db failed`));
    logger.warn({ err: Object.assign(new Error(`bad key ${secrets[4]}`), { apiKey: secrets[3] }) }, "boom");
    const text = raw.join("\n");
    for (const secret of secrets) expect(text).not.toContain(secret);
    // What is not secret stays readable.
    expect(text).toContain("postgres://t_acme:[redacted]@127.0.0.1:5432/websplat");
    expect(text).toContain("/auth/callback?token=[redacted]");
  });
});
