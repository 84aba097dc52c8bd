import { describe, expect, it } from "vitest";
import { duration, table, when } from "../../cli/output.ts";

describe("CLI output for humans", () => {
  it("aligns table columns to their widest cell without padding the last one", () => {
    expect(
      table(
        ["SLUG", "STATUS", "URL"],
        [
          ["acme", "active", "http://acme.localhost:8080"],
          ["bo-and-co", "failed", "-"],
        ],
      ),
    ).toBe(
      [
        "SLUG       STATUS  URL",
        "acme       active  http://acme.localhost:8080",
        "bo-and-co  failed  -",
      ].join("\n"),
    );
  });

  it("states how long an operation took, or that it has not started", () => {
    expect(duration("2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.250Z")).toBe("250ms");
    expect(duration("2025-01-01T00:00:00.000Z", "2025-01-01T00:00:12.340Z")).toBe("12.3s");
    expect(duration(null, null)).toBe("-");
  });

  it("shows times in UTC to the minute", () => {
    expect(when("2025-03-01T12:04:31.000Z")).toBe("2025-03-01 12:04");
    expect(when(null)).toBe("-");
  });
});
