import type { TenantSpec } from "../tenant-template/index.ts";

/** Longest one tenant operation (a Pulumi update) may run before it is aborted. */
export const OPERATION_TIMEOUT_MS = 15 * 60_000;
/**
 * How long a stopping control plane lets running tenant operations finish before it aborts them and exits:
 * the operation timeout and a margin. A pod's termination grace period must exceed it (infra/control-plane.ts).
 */
export const SHUTDOWN_GRACE_MS = OPERATION_TIMEOUT_MS + 30_000;

/** Where a driver reports progress; every line ends up in the operation's log. */
export interface OperationContext {
  /** Aborted when the operation times out or the control plane shuts down. */
  signal: AbortSignal;
  log(message: string, level?: "info" | "warn" | "error"): void;
  /** Runs one step of the operation in a trace span named `step` (the caller's tracing; absent, just runs it). */
  trace?<T>(step: string, work: () => Promise<T>): Promise<T>;
}

/** What a tenant's stack exposes once it is up. */
export interface StackOutputs {
  /** Public URL of the tenant's runtime. */
  url: string;
  namespace: string;
  databaseSchema: string;
  databaseRole: string;
  /** Replicas the stack runs now (0 when suspended). */
  replicas: number;
  /** Driver-specific details (local port and pid, Kubernetes object names, DNS record id…). */
  details: Record<string, unknown>;
}

export interface StackPreview {
  /** Count of resources per change kind: create, update, delete, same, replace. */
  changes: Record<string, number>;
  /** One human line per planned step. */
  steps: string[];
}

export type StackErrorCode =
  | "concurrent_update"
  | "cli_missing"
  | "config_missing"
  | "timeout"
  | "aborted"
  | "not_found"
  | "failed";

/** A driver failure with a code the reconciler can act on and a sentence an operator can act on. */
export class StackError extends Error {
  readonly code: StackErrorCode;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  constructor(code: StackErrorCode, message: string, options?: { retryable?: boolean; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "StackError";
    this.code = code;
    this.retryable =
      options?.retryable ?? (code === "concurrent_update" || code === "timeout" || code === "failed");
  }
}

/**
 * How a TenantSpec becomes real. Every method is ensure-style: calling it twice is harmless,
 * and a call after a crash picks up where the last one stopped.
 */
export interface StackDriver {
  readonly kind: "local" | "pulumi";
  /** Once at boot: install plugins, re-attach what is already running. */
  start(): Promise<void>;
  /** Create or update everything the spec describes (suspended = zero replicas, data and DNS kept). */
  up(spec: TenantSpec, ctx: OperationContext): Promise<StackOutputs>;
  /** Remove everything of the tenant (data included) and forget its stack. */
  destroy(slug: string, ctx: OperationContext): Promise<void>;
  /** Outputs of the last successful `up`, or null when the stack does not exist. */
  outputs(slug: string): Promise<StackOutputs | null>;
  /** What `up(spec)` would change, without changing anything. */
  preview(spec: TenantSpec, ctx: OperationContext): Promise<StackPreview>;
  /** Bring recorded state in line with what really exists. */
  refresh(slug: string, ctx: OperationContext): Promise<void>;
  /** Cancel an update in progress (and clear its lock). */
  cancel(slug: string, ctx: OperationContext): Promise<void>;
  /** The stack's state as a JSON document (Pulumi's deployment export, or the local equivalent). */
  export(slug: string): Promise<unknown>;
  /** Stop everything the driver runs in this process (runtimes, workspaces). */
  stop(): Promise<void>;
  /**
   * Tenant runtimes running as processes on this machine, which the control plane's gateway routes to.
   * Absent when runtimes run elsewhere (a cluster behind its own ingress).
   */
  readonly runtimes?: LocalRuntimes;
}

/** What a runtime is doing now, as the machine's supervisor sees it. */
export type RuntimeState = "starting" | "running" | "backoff" | "stopped";

/** A runtime as its supervisor sees it at this moment (with its restart counts and last exit besides). */
export interface LiveRuntime {
  state: RuntimeState;
  pid: number | null;
  port: number | null;
}

/** Tenant runtimes on this machine: routed, woken and watched by the control plane. */
export interface LocalRuntimes {
  /** True when an active tenant's runtime may be absent (scaled to zero) and is started by its next request. */
  readonly wakeOnDemand: boolean;
  /** One line each for what start arranged on this machine (relocations, reused or stopped leftovers). */
  readonly notes: readonly string[];
  /** Loopback port serving the tenant now, or null when its runtime is not serving. */
  route(slug: string): number | null;
  /**
   * Starts the runtime of an active tenant that is not running and resolves with its port once it serves;
   * null when the tenant has no running stack to wake.
   */
  wake(slug: string, timeoutMs: number): Promise<number | null>;
  /** Marks a request to the tenant as started (it keeps the runtime from an idle stop); call the result when done. */
  activity(slug: string): () => void;
  /** What the tenant's runtime is doing now (its process and port), or null when none is looked after. */
  state(slug: string): LiveRuntime | null;
  /** Stops the tenant's runtime (its stack stays; `up` or, with scale to zero, a request starts it again). */
  stop(slug: string): Promise<void>;
  /** Runtimes that exited 3 or more times in a row, the last time within `withinMs`. */
  crashLooping(withinMs: number): number;
}
