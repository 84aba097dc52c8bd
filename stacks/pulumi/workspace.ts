import type {
  ConfigMap,
  Deployment,
  EngineEvent,
  OutputMap,
  PulumiFn,
} from "@pulumi/pulumi/automation/index.js";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation/index.js";

/**
 * The seam between the driver and Pulumi's Automation API: the driver decides what to run and
 * when; a `StackWorkspaces` runs it. Production uses `automationWorkspaces()`; tests pass a fake.
 */

/** Streams and limits of one engine operation. */
export interface RunOptions {
  onOutput: (text: string) => void;
  onEvent: (event: EngineEvent) => void;
  signal: AbortSignal;
  /** Policy packs (directories) the engine runs against every resource of the update or preview. */
  policyPacks?: string[];
}

/** The part of an Automation API `Stack` the driver uses (a real `Stack` satisfies it as is). */
export interface WorkspaceStack {
  setAllConfig(config: ConfigMap): Promise<void>;
  up(options: RunOptions): Promise<{ outputs: OutputMap }>;
  preview(options: RunOptions): Promise<{ changeSummary: Record<string, number | undefined> }>;
  refresh(options: RunOptions & { clearPendingCreates?: boolean }): Promise<unknown>;
  destroy(options: RunOptions & { remove?: boolean }): Promise<unknown>;
  cancel(): Promise<void>;
  outputs(): Promise<OutputMap>;
  exportStack(): Promise<Deployment>;
  /** Replaces the stack's state (crash recovery: pending creates turned into imports). */
  importStack(state: Deployment): Promise<void>;
}

/** Where and how to open one stack for one operation. */
export interface StackRequest {
  project: string;
  stackName: string;
  /** Fresh for this operation; the driver removes it afterwards. */
  workDir: string;
  program: PulumiFn;
  /** Environment of the Pulumi CLI (backend URL, passphrase). */
  envVars: Record<string, string>;
  /** KMS secrets provider for new stacks; the passphrase provider when absent. */
  secretsProvider?: string;
}

/** A CLI run outside any stack: a scratch work dir and the CLI's environment. */
export type CliRequest = Pick<StackRequest, "workDir" | "envVars">;

export interface StackWorkspaces {
  /** The CLI's version; throws when it cannot be run. */
  cliVersion(): Promise<string>;
  installPlugins(plugins: { name: string; version: string }[], request: CliRequest): Promise<void>;
  /** Resource plugins present in PULUMI_HOME (baked into the image), as `name@version`. */
  installedPlugins(request: CliRequest): Promise<string[]>;
  /** Opens the state backend (`pulumi whoami`); throws when it cannot be reached. Answers its URL. */
  checkBackend(request: CliRequest): Promise<string>;
  /** Throws an error named `StackAlreadyExistsError` when the stack exists. */
  createStack(request: StackRequest): Promise<WorkspaceStack>;
  /** Throws an error named `StackNotFoundError` when the stack does not exist. */
  selectStack(request: StackRequest): Promise<WorkspaceStack>;
}

/**
 * What the CLI and the provider plugins it starts may inherit from this process: the platform's own secrets
 * (Stripe, the model key, signing keys, the admin token, the database URL) never reach them. The
 * Automation API spawns the CLI with this process's environment merged under `envVars`, so every other
 * variable is overridden with an empty value.
 */
const CLI_INHERITS = [
  /^PATH$/,
  /^HOME$/,
  /^USER$/,
  /^LANG$/,
  /^LC_[A-Z]+$/,
  /^TZ$/,
  /^TMPDIR$/,
  /^PULUMI_[A-Z_]+$/,
  // Pod Identity credentials and region (S3 backend, KMS secrets provider).
  /^AWS_(REGION|DEFAULT_REGION|CONTAINER_CREDENTIALS_FULL_URI|CONTAINER_AUTHORIZATION_TOKEN_FILE|STS_REGIONAL_ENDPOINTS|PROFILE|CONFIG_FILE|SHARED_CREDENTIALS_FILE|ROLE_ARN|WEB_IDENTITY_TOKEN_FILE)$/,
  // The Kubernetes provider's in-cluster configuration.
  /^KUBERNETES_SERVICE_(HOST|PORT)$/,
  // Trust stores and proxies the Go binaries and Node need.
  /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|PGSSLROOTCERT)$/,
  /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)$/,
];

/** The CLI's environment: `envVars` over this process's environment with everything not inherited blanked. */
export function cliEnvironment(
  envVars: Record<string, string>,
  inherited: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const blanked = Object.fromEntries(
    Object.keys(inherited)
      .filter((key) => !CLI_INHERITS.some((allowed) => allowed.test(key)))
      .map((key) => [key, ""]),
  );
  return { ...blanked, PULUMI_SKIP_UPDATE_CHECK: "true", ...envVars };
}

/** The real thing: Pulumi's LocalWorkspace with an inline program, one work dir per operation. */
export function automationWorkspaces(): StackWorkspaces {
  let command: Promise<PulumiCommand> | undefined;
  const pulumiCommand = () => {
    command ??= PulumiCommand.get();
    // A failed lookup is not cached: installing the CLI fixes the next operation without a restart.
    command.catch(() => {
      command = undefined;
    });
    return command;
  };
  const open = async (request: StackRequest) => {
    return LocalWorkspace.create({
      workDir: request.workDir,
      program: request.program,
      pulumiCommand: await pulumiCommand(),
      envVars: cliEnvironment(request.envVars),
      secretsProvider: request.secretsProvider,
      projectSettings: {
        name: request.project,
        runtime: "nodejs",
        backend: request.envVars.PULUMI_BACKEND_URL ? { url: request.envVars.PULUMI_BACKEND_URL } : undefined,
      },
    });
  };
  const bare = async (request: CliRequest) =>
    LocalWorkspace.create({
      workDir: request.workDir,
      pulumiCommand: await pulumiCommand(),
      envVars: cliEnvironment(request.envVars),
    });
  return {
    async cliVersion() {
      return String((await pulumiCommand()).version ?? "unknown");
    },
    async installPlugins(plugins, request) {
      const workspace = await bare(request);
      for (const plugin of plugins) await workspace.installPlugin(plugin.name, `v${plugin.version}`);
    },
    async installedPlugins(request) {
      const workspace = await bare(request);
      return (await workspace.listPlugins())
        .filter((plugin) => plugin.kind === "resource")
        .map((plugin) => `${plugin.name}@${String(plugin.version).replace(/^v/, "")}`);
    },
    async checkBackend(request) {
      const workspace = await bare(request);
      const who = await workspace.whoAmI();
      return who.url ?? request.envVars.PULUMI_BACKEND_URL ?? "";
    },
    async createStack(request) {
      return Stack.create(request.stackName, await open(request));
    },
    async selectStack(request) {
      return Stack.select(request.stackName, await open(request));
    },
  };
}
