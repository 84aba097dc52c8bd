import { Command } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { type Context, createContext } from "./command-kit.ts";
import { auditCommand } from "./commands/audit.ts";
import { backupCommand } from "./commands/backup.ts";
import { checkCommand } from "./commands/check.ts";
import { domainsCommand } from "./commands/domains.ts";
import { feedbackCommand } from "./commands/feedback.ts";
import { opsCommand } from "./commands/ops.ts";
import { platformCommand } from "./commands/platform.ts";
import { probesCommand } from "./commands/probes.ts";
import { sitesCommand } from "./commands/sites.ts";
import { stackCommand } from "./commands/stack.ts";
import { statsCommand } from "./commands/stats.ts";
import { tenantsCommand } from "./commands/tenants.ts";
import { tokensCommand } from "./commands/tokens.ts";
import { DEFAULT_URL } from "./connection.ts";

/**
 * The `websplat` command tree. Usage mistakes surface as CommanderErrors (exit 2), not process exits;
 * with `json`, commander prints none of its text, so the caller can print the error as JSON.
 */
export function websplatProgram(context: Context = createContext(), json = false): Command {
  const program = new Command("websplat")
    .version(packageJson.version, "-V, --version", "print the CLI's version")
    .option("--json", "print JSON for scripts instead of text (before or after the command)")
    .description(
      "Administer a WebSplat control plane: tenants, their stacks, operations, backups, admin tokens and the platform.",
    )
    .addHelpText(
      "after",
      `
Environment:
  WEBSPLAT_URL          the control plane (default ${DEFAULT_URL})
  WEBSPLAT_ADMIN_TOKEN  its admin token (default: the file <WEBSPLAT_DATA_DIR or .data>/admin-token)

Exit codes: 0 ok, 1 failed, 2 usage.
  1: the control plane, or the operation, said no; 2: a mistake in the command line or the
  environment (nothing was sent). With --json, errors are a JSON object on stdout too.

Example:
  $ websplat tenants list --status active
`,
    );
  const groups: Array<[Command, string]> = [
    [tenantsCommand(context), "websplat tenants show acme"],
    [stackCommand(context), "websplat stack preview acme"],
    [opsCommand(context), "websplat ops list --status failed"],
    [backupCommand(context), "websplat backup list acme"],
    [tokensCommand(context), "websplat tokens list"],
    [sitesCommand(context), "websplat sites list acme"],
    [domainsCommand(context), "websplat domains check acme"],
    [platformCommand(), "websplat platform preview"],
    [feedbackCommand(context), "websplat feedback list"],
    [checkCommand(), "websplat check journey --url http://localhost:8080"],
  ];
  for (const [group, example] of groups) {
    program.addCommand(group.addHelpText("after", `\nExample:\n  $ ${example}\n`));
  }
  program.addCommand(auditCommand(context));
  program.addCommand(statsCommand(context));
  program.addCommand(probesCommand(context));
  everyCommand(program, (command) =>
    command
      .exitOverride()
      .showHelpAfterError("(add --help for usage)")
      .configureOutput(json ? silent : {}),
  );
  // `websplat --json tenants list` means the same as `websplat tenants list --json`.
  program.hook("preAction", (root, action) => {
    if (root.opts().json) action.setOptionValue("json", true);
  });
  return program;
}

const silent = { outputError: () => {}, writeErr: () => {} };

/** `addCommand` does not pass settings down, so apply them to the whole tree once it is built. */
function everyCommand(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const child of command.commands) everyCommand(child, apply);
}
