import type { RuntimeConfig } from "../config.ts";
import { RuntimeError } from "../http/errors.ts";

/** What the platform learns of a finished run: its outcome and model tokens, nothing of what was built. */
export interface RunReport {
  runId: string;
  status: "completed" | "stopped" | "failed";
  promptTokens: number;
  completionTokens: number;
  finishedAt: string;
}

/** The platform's tenant API, called with this runtime's own credential (never an admin token). */
export function platformClient(config: RuntimeConfig) {
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    if (!config.platform)
      throw new RuntimeError(
        "platform_unavailable",
        `Feedback and uptime are not connected on this WebSplat. Write to ${config.supportEmail} instead.`,
        503,
      );
    let response: Response;
    try {
      response = await fetch(`${config.platform.url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${config.platform.token}`,
          "x-websplat-tenant": config.tenant,
          "content-type": "application/json",
        },
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      throw new RuntimeError(
        "platform_unreachable",
        `WebSplat could not reach the platform just now. Try again in a minute, or write to ${config.supportEmail}.`,
        503,
      );
    }
    const body = (await response.json().catch(() => null)) as T & { error?: { message: string } };
    if (!response.ok)
      throw new RuntimeError(
        "platform_refused",
        body?.error?.message ?? `The platform answered ${response.status}. Write to ${config.supportEmail}.`,
        response.status >= 500 ? 503 : 400,
      );
    return body;
  };
  return {
    sendFeedback: (feedback: { message: string; mayContact: boolean; page?: string | null }) =>
      call<{ id: number }>("/api/tenant/feedback", { method: "POST", body: JSON.stringify(feedback) }),
    uptime: () =>
      call<{
        state: "up" | "down" | "idle" | null;
        since: string | null;
        uptime: number | null;
        days: Array<{ day: string; uptime: number | null }>;
      }>("/api/tenant/uptime"),
    /** A finished run, for the platform's usage figures; `recorded: false` when it had it already. */
    reportRun: (run: RunReport) =>
      call<{ recorded: boolean }>("/api/tenant/runs", { method: "POST", body: JSON.stringify(run) }),
  };
}
