import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { websplatProgram } from "../../cli/program.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** Every `websplat …` invocation written in the runbooks, up to the end of its code span or line. */
function invocations(markdown: string): string[] {
  return [
    ...markdown.matchAll(
      /(?:npx |`|^)websplat ((?:[\w-]+|<[^>]+>|"[^"]*"|--?[\w-]+)(?: (?:[\w-]+|<[^>]+>|"[^"]*"|--?[\w-]+))*)/gm,
    ),
  ]
    .map((m) => m[1]!)
    .filter((args) => args !== "--help");
}

function find(program: Command, words: string[]): { command: Command; rest: string[] } {
  let command = program;
  let i = 0;
  for (; i < words.length; i++) {
    const child = command.commands.find((c) => c.name() === words[i]);
    if (!child) break;
    command = child;
  }
  return { command, rest: words.slice(i) };
}

describe("docs/operations.md", () => {
  const program = websplatProgram();
  const runbook = readFileSync(resolve(ROOT, "docs/operations.md"), "utf8");

  it("names only websplat commands and options that exist", () => {
    const seen = invocations(runbook);
    expect(seen.length).toBeGreaterThan(15);
    for (const args of seen) {
      const words = args.split(" ");
      const { command, rest } = find(program, words);
      expect(command, args).not.toBe(program);
      expect(command.commands.length, `${args}: "${command.name()}" needs a subcommand`).toBe(0);
      for (const word of rest.filter((w) => w.startsWith("-"))) {
        const known = command.options.some((o) => o.long === word || o.short === word);
        expect(known, `${args}: ${command.name()} has no option ${word}`).toBe(true);
      }
    }
  });
});
