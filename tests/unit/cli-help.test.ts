import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { websplatProgram } from "../../cli/program.ts";

function everyCommand(command: Command, path: string[] = []): Array<[string, Command]> {
  const here: Array<[string, Command]> = path.length > 0 ? [[path.join(" "), command]] : [];
  return [...here, ...command.commands.flatMap((child) => everyCommand(child, [...path, child.name()]))];
}

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

const commands = everyCommand(websplatProgram());

describe("websplat --help", () => {
  it("covers the command tree of the contract", () => {
    expect(commands.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        ...["list", "show", "create", "suspend", "resume", "delete", "reconcile", "owner-link"].map(
          (verb) => `tenants ${verb}`,
        ),
        ...["preview", "up", "refresh", "cancel", "outputs", "export", "render"].map(
          (verb) => `stack ${verb}`,
        ),
        ...["list", "show", "logs"].map((verb) => `ops ${verb}`),
        ...["create", "list", "restore"].map((verb) => `backup ${verb}`),
        "platform preview",
        "platform up",
      ]),
    );
  });

  it.each(commands)("of `websplat %s` shows an example of itself", (path, command) => {
    expect(helpOf(command)).toContain(`Example:\n  $ websplat ${path}`);
  });

  it.each(commands.filter(([, command]) => command.commands.length === 0))(
    "of `websplat %s` offers --json",
    (_, command) => {
      expect(helpOf(command)).toContain("--json");
    },
  );
});

describe("websplat help speaks to operators", () => {
  it.each(commands)("of `websplat %s` names no design document", (_, command) => {
    expect(helpOf(command)).not.toMatch(/DESIGN|§/);
  });

  it("of the top level names no design document", () => {
    expect(helpOf(websplatProgram())).not.toMatch(/DESIGN|§/);
  });
});
