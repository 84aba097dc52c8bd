import { Command, Option } from "commander";
import { slugProblem, TIER_NAMES } from "../../tenant-template/index.ts";
import { leaf } from "../command-kit.ts";
import { CliError, usageError } from "../errors.ts";
import { print } from "../output.ts";

interface RenderOptions {
  slug: string;
  tier: string;
  suspended: boolean;
  format: "json" | "yaml";
}

/**
 * `stack render`: the tenant program run offline, like `helm template`. No control plane needed;
 * the renderer (and with it the Pulumi SDK) is loaded only when this command runs.
 */
export function renderCommand(): Command {
  return leaf(
    new Command("render")
      .description("print every resource the tenant program declares, without deploying (offline)")
      .argument("<slug>")
      .addOption(new Option("--tier <tier>", "the plan to render").choices(TIER_NAMES).makeOptionMandatory())
      .addOption(
        new Option("--format <format>", "JSON resources or Kubernetes YAML")
          .choices(["json", "yaml"])
          .default("json"),
      )
      .option("--suspended", "render the suspended state (zero replicas)"),
    "websplat stack render acme --tier pro --format yaml",
  ).action(
    async (
      slug: string,
      options: { tier: string; format: "json" | "yaml"; suspended?: boolean; json?: boolean },
    ) => {
      const problem = slugProblem(slug);
      if (problem) throw usageError(`"${slug}" is not a valid slug: ${problem.message}`);
      const renderTenant = await loadRenderer();
      const rendered = await renderTenant({
        slug,
        tier: options.tier,
        suspended: options.suspended === true,
        format: options.json ? "json" : options.format,
      });
      print(typeof rendered === "string" ? rendered : JSON.stringify(rendered, null, 2));
    },
  );
}

async function loadRenderer(): Promise<(options: RenderOptions) => Promise<unknown> | unknown> {
  const path = "../../stacks/pulumi/render.ts";
  let module: { renderTenant?: unknown };
  try {
    module = await import(path);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" ||
      !String(error).includes("render.ts")
    )
      throw error;
    throw new CliError(
      "renderer_missing",
      "this checkout has no tenant renderer (stacks/pulumi/render.ts); update it to a version that has `stack render`",
    );
  }
  if (typeof module.renderTenant !== "function") {
    throw new CliError(
      "renderer_missing",
      "stacks/pulumi/render.ts does not export renderTenant; update the checkout",
    );
  }
  return module.renderTenant as (options: RenderOptions) => Promise<unknown>;
}
