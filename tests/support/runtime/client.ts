import pino from "pino";
import { loadConfig } from "../../../agent-runtime/config.ts";
import { type RunningRuntime, startRuntime } from "../../../agent-runtime/runtime.ts";
import type { TestTenant } from "./tenant.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in tests, checked by expect
export type Json = any;

/** A signed-in HTTP client of a runtime: real HTTP, real session cookie. */
export interface OwnerClient {
  url: string;
  /** The session cookie (`name=value`). */
  cookie: string;
  get<T = Json>(path: string): Promise<{ status: number; body: T }>;
  post<T = Json>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Resolves with the run once its status is one of `statuses` (read from the event stream). */
  waitForStatus(runId: string, statuses: string[]): Promise<Json>;
}

export async function signIn(url: string, tenant: TestTenant): Promise<OwnerClient> {
  const response = await fetch(`${url}/auth/callback?token=${tenant.signInToken()}`, { redirect: "manual" });
  if (response.status !== 302) throw new Error(`sign-in failed: ${response.status}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const client: OwnerClient = {
    url,
    cookie,
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body ?? {}),
    async waitForStatus(runId, statuses) {
      for (;;) {
        const { body } = await client.get(`/api/runs/${runId}`);
        if (statuses.includes(body.run.status)) return body.run;
        // Wait for the next event rather than polling blindly.
        await nextEvent(url, cookie, runId);
      }
    },
  };
  return client;
}

/** Reads the run's event stream until the next `run_status` event (or a second passes). */
async function nextEvent(url: string, cookie: string, runId: string) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 1000);
  try {
    const response = await fetch(`${url}/api/runs/${runId}/events`, {
      headers: { cookie },
      signal: controller.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    let replayed = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      seen += value;
      // The first chunk replays history; wait for a status change after it.
      if (replayed && seen.includes("event: run_status")) return;
      if (!replayed) {
        replayed = true;
        seen = "";
      }
    }
  } catch {
    // aborted after a second: the caller re-reads the run
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** The runtime in this process (faster than a child process where the process itself is not under test). */
export async function startInProcess(
  tenant: TestTenant,
  env: Record<string, string> = {},
): Promise<RunningRuntime & { url: string }> {
  const config = loadConfig({ ...tenant.env, ...env });
  const runtime = await startRuntime(config, pino({ level: process.env.TEST_RUNTIME_LOG ?? "silent" }));
  return { ...runtime, url: `http://127.0.0.1:${runtime.port}` };
}
