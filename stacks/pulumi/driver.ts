import { lstat, mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { stackName, TENANT_PULUMI_PROJECT, type TenantSpec } from "../../tenant-template/index.ts";
import {
  OPERATION_TIMEOUT_MS,
  type OperationContext,
  type StackDriver,
  StackError,
  type StackOutputs,
  type StackPreview,
} from "../driver.ts";
import type { PulumiDriverOptions } from "./config.ts";
import { pulumiFailure, toStackError } from "./errors.ts";
import { StackLocks, sleep } from "./locks.ts";
import { pluginVersions } from "./plugins.ts";
import { stackOutputs, tenantProgram, tenantStackConfig } from "./program.ts";
import { hasPendingOperations, resolvePendingOperations, tenantIdLookup } from "./recovery.ts";
import {
  automationWorkspaces,
  type RunOptions,
  type StackWorkspaces,
  type WorkspaceStack,
} from "./workspace.ts";

/** One operation's surroundings: its work dir, its signal and its log. */
interface Session {
  slug: string;
  what: string;
  workDir: string;
  signal: AbortSignal;
  ctx: OperationContext;
}

/** Tenant stacks with the Automation API (DESIGN §10): one stack per slug in project `websplat-tenant`. */
export class PulumiStackDriver implements StackDriver {
  readonly kind = "pulumi" as const;
  readonly #options: PulumiDriverOptions;
  readonly #workspaces: StackWorkspaces;
  readonly #locks: StackLocks;
  readonly #workRoot: string;
  /** Slugs whose last operation died mid-way (found at boot, or aborted): recover before the next update. */
  readonly #interrupted = new Set<string>();
  readonly #stopping = new AbortController();
  /** Operations changing a stack now: a stop lets them finish first. */
  readonly #running = new Set<Promise<unknown>>();
  readonly #program: PulumiFn;

  constructor(options: PulumiDriverOptions) {
    this.#options = options;
    this.#workspaces = options.workspaces ?? automationWorkspaces();
    // Each operation runs the CLI and four provider plugins in this pod's memory: see docs/deploy.md.
    this.#locks = new StackLocks(options.maxConcurrentUpdates ?? 2);
    this.#program = tenantProgram(options);
    this.#workRoot = options.workRoot ?? join(tmpdir(), "websplat-pulumi");
  }

  async start(): Promise<void> {
    try {
      await this.#workspaces.cliVersion();
    } catch (error) {
      throw toStackError(error, "Checking the Pulumi CLI");
    }
    await mkdir(this.#workRoot, { recursive: true });
    // A work dir left behind means the process died during that operation.
    for (const entry of await readdir(this.#workRoot)) {
      const [slug, what] = entry.split(".");
      if (slug && what && !slug.startsWith("_")) this.#interrupted.add(slug);
      await rm(join(this.#workRoot, entry), { recursive: true, force: true });
    }
    await this.#preparePulumiHome();
    const workDir = await mkdtemp(join(this.#workRoot, "_boot."));
    const request = { workDir, envVars: this.#envVars() };
    try {
      const present = new Set(await this.#workspaces.installedPlugins(request));
      const missing = (await pluginVersions()).filter(
        (plugin) => !present.has(`${plugin.name}@${plugin.version}`),
      );
      if (missing.length > 0) {
        try {
          await this.#workspaces.installPlugins(missing, request);
        } catch (error) {
          const names = missing.map((plugin) => `${plugin.name} v${plugin.version}`).join(", ");
          throw toStackError(
            error,
            `Installing the Pulumi provider plugins ${names} (missing from ${this.#options.bakedPluginDir ?? "PULUMI_HOME"}; rebuild the image so they are baked in)`,
          );
        }
      }
      try {
        await this.#workspaces.checkBackend(request);
      } catch (error) {
        throw toStackError(
          error,
          `Opening the tenant state backend ${this.#options.backendUrl} (check PULUMI_BACKEND_URL and the pod's access to it)`,
        );
      }
    } catch (error) {
      throw toStackError(error, "Checking the Pulumi provider plugins");
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** PULUMI_HOME must be writable (the CLI keeps workspaces there); baked plugins are linked into it. */
  async #preparePulumiHome(): Promise<void> {
    const home = this.#options.pulumiHome;
    if (!home) return;
    await mkdir(home, { recursive: true });
    const baked = this.#options.bakedPluginDir;
    if (!baked) return;
    const link = join(home, "plugins");
    const existing = await lstat(link).catch(() => null);
    if (!existing) await symlink(baked, link, "dir");
  }

  async up(spec: TenantSpec, ctx: OperationContext): Promise<StackOutputs> {
    return this.#operation(spec.slug, "up", ctx, async (session) => {
      const stack = await this.#createOrSelect(session);
      await stack.setAllConfig(tenantStackConfig(spec, this.#options, await this.#customDomains(spec, ctx)));
      await this.#recoverIfNeeded(stack, session);
      const result = await this.#update(session, stack, () =>
        stack.up({ ...this.#streams(session), ...this.#policies() }),
      );
      const outputs = stackOutputs(result.outputs);
      if (!outputs) throw new StackError("failed", `Stack ${spec.slug} finished without its url output.`);
      return outputs;
    });
  }

  async preview(spec: TenantSpec, ctx: OperationContext): Promise<StackPreview> {
    return this.#operation(spec.slug, "preview", ctx, async (session) => {
      const stack = await this.#createOrSelect(session);
      await stack.setAllConfig(tenantStackConfig(spec, this.#options, await this.#customDomains(spec, ctx)));
      const steps: string[] = [];
      const streams = this.#streams(session, (event) => {
        const step = event.resourcePreEvent?.metadata;
        if (step && step.op !== "same") steps.push(`${step.op} ${step.type} ${step.urn.split("::").pop()}`);
      });
      const result = await this.#update(session, stack, () =>
        stack.preview({ ...streams, ...this.#policies() }),
      );
      const changes: Record<string, number> = {};
      for (const [kind, count] of Object.entries(result.changeSummary)) if (count) changes[kind] = count;
      return { changes, steps };
    });
  }

  async refresh(slug: string, ctx: OperationContext): Promise<void> {
    await this.#operation(slug, "refresh", ctx, async (session) => {
      const stack = await this.#select(session);
      if (!stack) throw new StackError("not_found", `Tenant ${slug} has no stack to refresh.`);
      await this.#update(session, stack, () => stack.refresh(this.#streams(session)));
    });
  }

  async destroy(slug: string, ctx: OperationContext): Promise<void> {
    await this.#operation(slug, "destroy", ctx, async (session) => {
      const stack = await this.#select(session);
      if (!stack) {
        ctx.log(`Tenant ${slug} has no stack: nothing to destroy.`);
        return;
      }
      await this.#recoverIfNeeded(stack, session);
      await this.#update(session, stack, () => stack.destroy({ ...this.#streams(session), remove: true }));
      ctx.log(`Stack ${slug} destroyed and removed.`);
    });
  }

  async cancel(slug: string, ctx: OperationContext): Promise<void> {
    // Behind the tenant's lock: an update of this process is never cancelled under its feet (a stuck
    // one is ended by its own timeout first); what is cancelled is a dead process's lock.
    await this.#operation(slug, "cancel", ctx, async (session) => {
      const stack = await this.#select(session);
      if (!stack) throw new StackError("not_found", `Tenant ${slug} has no stack to cancel.`);
      await this.#cancelQuietly(stack, session);
    });
  }

  async outputs(slug: string): Promise<StackOutputs | null> {
    return this.#session(slug, "outputs", silent(), async (session) => {
      const stack = await this.#select(session);
      return stack ? stackOutputs(await stack.outputs()) : null;
    });
  }

  async export(slug: string): Promise<unknown> {
    return this.#session(slug, "export", silent(), async (session) => {
      const stack = await this.#select(session);
      if (!stack) throw new StackError("not_found", `Tenant ${slug} has no stack to export.`);
      return stack.exportStack();
    });
  }

  async stop(): Promise<void> {
    // A rolling update or a drained node must not cut a Pulumi update short (the pod's grace period covers
    // this wait); what still runs after it is aborted, and its stack is recovered on the next update.
    const drain = AbortSignal.timeout(this.#options.drainTimeoutMs ?? this.#timeoutMs());
    const drained = new Promise<void>((resolve) => drain.addEventListener("abort", () => resolve()));
    await Promise.race([Promise.allSettled([...this.#running]), drained]);
    this.#stopping.abort(new StackError("aborted", "The control plane is shutting down."));
  }

  #timeoutMs(): number {
    return this.#options.operationTimeoutMs ?? OPERATION_TIMEOUT_MS;
  }

  /**
   * The tenant's verified custom domains, when its tier has them: a downgraded tenant's custom hostnames are
   * removed by the update instead of failing it.
   */
  async #customDomains(spec: TenantSpec, ctx: OperationContext): Promise<string[]> {
    const source = this.#options.customDomains;
    if (!source) return [];
    const hostnames = [...new Set(await source.hostnames(spec.slug))].sort();
    if (hostnames.length > 0 && !spec.limits.customDomain) {
      ctx.log(`The ${spec.tier} tier has no custom domains: ${hostnames.join(", ")} are not served.`, "warn");
      return [];
    }
    return hostnames;
  }

  /** An operation that changes the stack: one at a time per stack, under the global cap. */
  #operation<T>(
    slug: string,
    what: string,
    ctx: OperationContext,
    work: (session: Session) => Promise<T>,
  ): Promise<T> {
    const signal = this.#signal(ctx);
    const running = this.#locks
      .run(slug, signal, () => this.#session(slug, what, ctx, work, signal))
      .catch((error: unknown) => {
        throw this.#failure(error, slug, what, ctx, signal);
      });
    const tracked = running.catch(() => {});
    this.#running.add(tracked);
    void tracked.finally(() => this.#running.delete(tracked));
    return running;
  }

  /** A fresh work dir for one operation, removed afterwards whatever happens. */
  async #session<T>(
    slug: string,
    what: string,
    ctx: OperationContext,
    work: (session: Session) => Promise<T>,
    signal = this.#signal(ctx),
  ): Promise<T> {
    await mkdir(this.#workRoot, { recursive: true });
    const workDir = await mkdtemp(join(this.#workRoot, `${slug}.${what}.`));
    try {
      return await work({ slug, what: `Pulumi ${what} of tenant ${slug}`, workDir, signal, ctx });
    } catch (error) {
      throw this.#failure(error, slug, what, ctx, signal);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  #signal(ctx: OperationContext): AbortSignal {
    const timeout = AbortSignal.timeout(this.#timeoutMs());
    return AbortSignal.any([ctx.signal, this.#stopping.signal, timeout]);
  }

  #failure(
    error: unknown,
    slug: string,
    what: string,
    ctx: OperationContext,
    signal: AbortSignal,
  ): StackError {
    if (error instanceof StackError) return error;
    if (signal.aborted) {
      // The engine was killed mid-way: the stack may hold a lock and pending operations.
      if (what !== "outputs" && what !== "export" && what !== "preview") this.#interrupted.add(slug);
      if (ctx.signal.aborted || this.#stopping.signal.aborted) {
        return new StackError("aborted", `Pulumi ${what} of tenant ${slug} was aborted.`, { cause: error });
      }
      const minutes = Math.round(this.#timeoutMs() / 60_000);
      return new StackError(
        "timeout",
        `Pulumi ${what} of tenant ${slug} took longer than ${minutes} min and was stopped; it is recovered on the next try.`,
        { cause: error },
      );
    }
    const failure = toStackError(error, `Pulumi ${what} of tenant ${slug}`);
    ctx.log(failure.message, "error");
    return failure;
  }

  /** Runs an engine operation, retrying while another update holds the stack and recovering a crashed one. */
  async #update<T>(session: Session, stack: WorkspaceStack, run: () => Promise<T>): Promise<T> {
    const attempts = this.#options.concurrentUpdateAttempts ?? 3;
    let recovered = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await run();
        this.#interrupted.delete(session.slug);
        return result;
      } catch (error) {
        if (session.signal.aborted) throw error;
        const failure = pulumiFailure(error);
        if (failure === "pending_operations" && !recovered) {
          recovered = true;
          await this.#recover(stack, session);
          continue;
        }
        if (failure !== "concurrent_update") throw error;
        if (attempt >= attempts && !recovered && this.#options.breakStaleLocks !== false) {
          // Operations of a tenant are serialised (reconciler lock + this stack's lock): a lock still
          // held now belongs to a process that died, e.g. a replaced pod. Cancel it and go on.
          session.ctx.log(
            `Stack ${session.slug} is still locked after ${attempts} tries by an update no live process runs; recovering it.`,
            "warn",
          );
          recovered = true;
          await this.#recover(stack, session);
          continue;
        }
        if (attempt >= attempts) {
          throw new StackError(
            "concurrent_update",
            `${session.what}: another update still holds the stack after ${attempts} tries; it is retried later (or run \`websplat stack cancel ${session.slug}\` if that update died).`,
            { cause: error, retryable: true },
          );
        }
        session.ctx.log(
          `Another update holds stack ${session.slug}; trying again (${attempt}/${attempts}).`,
          "warn",
        );
        await sleep(this.#options.retryDelayMs ?? 10_000, session.signal);
      }
    }
  }

  /**
   * Before an update: recover when this process saw the last operation die, or when the state itself
   * says so (pending operations left by any pod); after a cluster rebuild, refresh first.
   */
  async #recoverIfNeeded(stack: WorkspaceStack, session: Session): Promise<void> {
    if (this.#interrupted.has(session.slug) || hasPendingOperations(await stack.exportStack())) {
      await this.#recover(stack, session);
    } else if (this.#options.clusterRebuilt) {
      session.ctx.log(
        `Refreshing stack ${session.slug}: objects of the lost cluster leave its state.`,
        "warn",
      );
      await stack.refresh(this.#streams(session));
    }
  }

  /**
   * After a crash: cancel the dead update, import the creates it had started (found by name) instead
   * of dropping them, refresh, then go on.
   */
  async #recover(stack: WorkspaceStack, session: Session): Promise<void> {
    session.ctx.log(
      `Stack ${session.slug} was interrupted: cancelling its update and repairing its state.`,
      "warn",
    );
    await this.#cancelQuietly(stack, session);
    const state = await stack.exportStack();
    if (hasPendingOperations(state)) {
      const lookup = tenantIdLookup({ cloudflare: this.#options.cloudflare, fetch: this.#options.fetch });
      const recovered = await resolvePendingOperations(state, lookup);
      await stack.importStack(recovered.state);
      for (const urn of recovered.imported)
        session.ctx.log(`Imported ${urn.split("::").pop()}, created before the crash.`);
      for (const urn of recovered.dropped)
        session.ctx.log(`Dropped the unfinished ${urn.split("::").pop()}; it is created again.`);
    }
    await stack.refresh(this.#streams(session));
    this.#interrupted.delete(session.slug);
  }

  async #cancelQuietly(stack: WorkspaceStack, session: Session): Promise<void> {
    try {
      await stack.cancel();
      session.ctx.log(`Cancelled the update in progress on stack ${session.slug}.`);
    } catch (error) {
      if (pulumiFailure(error) === "cli_missing") throw error;
      // Usually "no update in progress": cancelling is ensure-style.
      session.ctx.log(
        `Nothing to cancel on stack ${session.slug}: ${String((error as Error)?.message ?? error).split("\n")[0]}`,
      );
    }
  }

  /** Selects the stack, creating it when missing; a stack created meanwhile by someone else is selected. */
  async #createOrSelect(session: Session): Promise<WorkspaceStack> {
    const existing = await this.#select(session);
    if (existing) return existing;
    try {
      const created = await this.#workspaces.createStack(this.#request(session));
      session.ctx.log(`Created stack ${TENANT_PULUMI_PROJECT}/${stackName(session.slug)}.`);
      return created;
    } catch (error) {
      if (pulumiFailure(error) !== "already_exists") throw error;
      session.ctx.log(`Stack ${session.slug} was created meanwhile; selecting it.`);
      return this.#workspaces.selectStack(this.#request(session));
    }
  }

  async #select(session: Session): Promise<WorkspaceStack | null> {
    try {
      return await this.#workspaces.selectStack(this.#request(session));
    } catch (error) {
      if (pulumiFailure(error) === "not_found") return null;
      throw error;
    }
  }

  #request(session: Session) {
    return {
      project: TENANT_PULUMI_PROJECT,
      stackName: stackName(session.slug),
      workDir: session.workDir,
      program: this.#program,
      envVars: this.#envVars(),
      secretsProvider: this.#options.secretsProvider,
    };
  }

  /** Environment of every CLI run: the state backend, the passphrase, PULUMI_HOME. */
  #envVars(): Record<string, string> {
    const envVars: Record<string, string> = { PULUMI_BACKEND_URL: this.#options.backendUrl };
    if (this.#options.passphrase) envVars.PULUMI_CONFIG_PASSPHRASE = this.#options.passphrase;
    if (this.#options.pulumiHome) envVars.PULUMI_HOME = this.#options.pulumiHome;
    return envVars;
  }

  /** The guardrails pack, run by the engine on every tenant preview and update. */
  #policies(): { policyPacks?: string[] } {
    return this.#options.policyPack ? { policyPacks: [this.#options.policyPack] } : {};
  }

  /** Pulumi's output and events, streamed into the operation's log as they happen. */
  #streams(session: Session, onStep?: (event: EngineEvent) => void): RunOptions {
    let partial = "";
    return {
      signal: session.signal,
      onOutput: (text) => {
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) if (line.trim()) session.ctx.log(line.trimEnd());
      },
      onEvent: (event) => {
        onStep?.(event);
        const failed = event.resOpFailedEvent;
        if (failed) session.ctx.log(`${failed.metadata.op} ${failed.metadata.urn} failed`, "error");
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity === "error" && !diagnostic.ephemeral) {
          session.ctx.log(diagnostic.message.trim(), "error");
        }
      },
    };
  }
}

/** An operation context for reads that belong to no operation. */
function silent(): OperationContext {
  return { signal: new AbortController().signal, log: () => {} };
}
