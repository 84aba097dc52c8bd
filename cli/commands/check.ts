import { Command, InvalidArgumentError } from "commander";
import { AdminClient } from "../admin-client.ts";
import { type JsonOption, leaf } from "../command-kit.ts";
import { adminToken } from "../connection.ts";
import { CliError, reported, usageError } from "../errors.ts";
import { print, printJson } from "../output.ts";
import { type JourneyResult, runJourney, type StepResult } from "./journey.ts";
import { webClient } from "./journey-http.ts";
import { openMailbox } from "./journey-mailbox.ts";
import { automationPlatformStacks, type PlatformStacks, recordJourney, runningImages } from "./promotion.ts";

interface JourneyCommandOptions extends JsonOption {
  url: string;
  email: string;
  mailbox: string;
  timeout: number;
  sweepAfter: number;
  recordStack?: string;
}

/** `websplat check journey`: a customer's whole journey against a running platform (docs/release.md). */
export function checkCommand(
  env: NodeJS.ProcessEnv = process.env,
  openStacks: () => Promise<PlatformStacks> = automationPlatformStacks,
): Command {
  const check = new Command("check").description("end-to-end checks of a running platform");
  leaf(
    check
      .command("journey")
      .description(
        "buy a tenant, sign in, build, publish, visit the site, submit its form, sign in by email, cancel, see it suspended and delete it — each step timed; exits 1 at the first failure, naming the step",
      )
      .option("--url <url>", "the platform (its control plane)", platformUrl, env.WEBSPLAT_URL)
      .option(
        "--email <address>",
        "the owner's address; +<slug> is added to it for each run (env WEBSPLAT_CHECK_EMAIL)",
        emailAddress,
        env.WEBSPLAT_CHECK_EMAIL || "journey@check.websplat.test",
      )
      .option(
        "--mailbox <where>",
        "where the check reads its emails: platform (the platform's outbox, read with the admin token) or a Mailpit test inbox URL (env WEBSPLAT_CHECK_MAILBOX)",
        env.WEBSPLAT_CHECK_MAILBOX || "platform",
      )
      .option("--timeout <seconds>", "how long any one step may wait", seconds("--timeout"), 120)
      .option(
        "--sweep-after <seconds>",
        "check tenants older than this, left by a check that died, are deleted first",
        seconds("--sweep-after"),
        1800,
      )
      .option(
        "--record-stack <stack>",
        "record the outcome, with the images the stack runs, in that platform stack's config (what `platform promote` requires)",
      ),
    "websplat check journey --url https://staging.websp.lat",
  ).action(async (options: JourneyCommandOptions) => {
    if (!options.url) throw usageError("give the platform with --url (or WEBSPLAT_URL)");
    const token = await adminToken(env);
    const web = webClient(options.url);
    const stacks = options.recordStack ? await openStacks() : null;
    const imagesBefore = stacks ? await runningImages(stacks, options.recordStack!) : null;
    const result = await runJourney({
      url: options.url,
      admin: new AdminClient(options.url, token),
      adminToken: token,
      web,
      mailbox: openMailbox(options.mailbox, options.url, token, web),
      email: options.email,
      timeoutMs: options.timeout * 1000,
      sweepAfterMs: options.sweepAfter * 1000,
      onStep: options.json ? undefined : (step) => print(stepLine(step)),
    });
    if (stacks) {
      const failed = result.steps.find((step) => !step.ok);
      await recordJourney(
        stacks,
        options.recordStack!,
        {
          passed: result.passed,
          at: new Date().toISOString(),
          url: options.url,
          failedStep: failed?.step ?? null,
        },
        imagesBefore,
      );
    }
    if (options.json) printJson(result);
    else print(summary(result));
    if (!result.passed) {
      const failed = result.steps.at(-1)!;
      throw reported(new CliError("journey_failed", `journey failed at ${failed.step}: ${failed.detail}`));
    }
  });
  return check;
}

function stepLine(step: StepResult): string {
  return `${step.ok ? "ok  " : "FAIL"} ${step.step.padEnd(14)} ${step.seconds.toFixed(2).padStart(7)} s  ${step.detail}`;
}

function summary(result: JourneyResult): string {
  const total = result.steps.reduce((sum, step) => sum + step.seconds, 0).toFixed(1);
  return result.passed
    ? `journey passed in ${total} s (tenant ${result.slug}, deleted)`
    : `journey FAILED at ${result.failedStep} after ${total} s (tenant ${result.slug})`;
}

function platformUrl(value: string): string {
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value))
    throw new InvalidArgumentError(
      "--url must be an http:// or https:// address, e.g. http://localhost:8080.",
    );
  return value.replace(/\/+$/, "");
}

function emailAddress(value: string): string {
  if (!/^[^@\s+]+@[^@\s]+\.[^@\s]+$/.test(value))
    throw new InvalidArgumentError("--email must be an address without a +tag, such as journey@example.com.");
  return value;
}

function seconds(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0)
      throw new InvalidArgumentError(`${name} must be a number of seconds.`);
    return number;
  };
}
