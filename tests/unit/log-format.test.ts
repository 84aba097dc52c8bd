import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logFormat, withLogContext } from "../../control-plane/logging.ts";

/** Everything a logger wrote, as lines, once it has flushed. */
function capture() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, lines: () => text.split("\n").filter(Boolean) };
}

describe("control-plane log format", () => {
  it("is pretty on a terminal, JSON otherwise, and LOG_FORMAT decides when set", () => {
    expect(logFormat(undefined, true)).toBe("pretty");
    expect(logFormat(undefined, false)).toBe("json");
    expect(logFormat(undefined, undefined)).toBe("json");
    expect(logFormat("json", true)).toBe("json");
    expect(logFormat("pretty", false)).toBe("pretty");
  });

  it("pretty: a request is one readable line with its tenant, and no JSON", async () => {
    const out = capture();
    const logger = createLogger("info", out.stream, "pretty");
    withLogContext({ requestId: "r1", tenant: "acme" }, () =>
      logger.info({ method: "GET", path: "/api/projects", status: 200, ms: 12 }, "request"),
    );
    logger.warn({ slug: "acme", attempt: 2 }, "reconcile retried");
    await new Promise((resolve) => setImmediate(resolve));

    const [request, retried] = out.lines();
    expect(out.lines()).toHaveLength(2);
    expect(request).toMatch(/INFO.*\[acme\] GET \/api\/projects 200 12ms$/);
    expect(request).not.toContain("{");
    expect(retried).toMatch(/WARN.*reconcile retried.*"attempt":2/);
  });

  it("json: one JSON object per line, as before", async () => {
    const out = capture();
    const logger = createLogger("info", out.stream, "json");
    logger.info({ method: "GET", path: "/", status: 200, ms: 1 }, "request");
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.parse(out.lines()[0]!)).toMatchObject({ msg: "request", method: "GET", status: 200 });
  });
});
