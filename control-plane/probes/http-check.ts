import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** One probe's answer: `idle` is a scaled-to-zero runtime, asleep on purpose (neither up nor down). */
export interface ProbeOutcome {
  state: "up" | "down" | "idle";
  latencyMs: number;
  status: number | null;
  error: string | null;
}

// Kept-alive sockets: probing hundreds of targets a minute must not cost a TCP handshake each.
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

export interface HttpCheck {
  url: string;
  /** Connect here instead of resolving the URL's host (the local gateway on loopback). */
  connectTo?: { host: string; port: number };
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** GET `url`; 2xx is up (the `x-websplat-probe-state: idle` header makes it idle), anything else down. */
export function httpCheck(check: HttpCheck): Promise<ProbeOutcome> {
  const url = new URL(check.url);
  const started = performance.now();
  const secure = url.protocol === "https:";
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const req = (secure ? httpsRequest : httpRequest)(
      {
        host: check.connectTo?.host ?? url.hostname,
        port: check.connectTo?.port ?? (url.port || (secure ? 443 : 80)),
        path: `${url.pathname}${url.search}`,
        method: "GET",
        agent: secure ? agents.https : agents.http,
        servername: secure ? url.hostname : undefined,
        headers: { ...check.headers, host: url.host, "user-agent": "websplat-probe" },
        timeout: check.timeoutMs,
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve({
            state: ok ? (res.headers["x-websplat-probe-state"] === "idle" ? "idle" : "up") : "down",
            latencyMs: elapsed(),
            status,
            error: ok
              ? null
              : `answered ${status}${res.headers["x-websplat-probe-error"] ? `: ${res.headers["x-websplat-probe-error"]}` : ""}`,
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${check.timeoutMs} ms`)));
    req.on("error", (error) =>
      resolve({ state: "down", latencyMs: elapsed(), status: null, error: error.message }),
    );
    req.end();
  });
}

/** Runs a check that is not HTTP (a query, a queue look-up) under the same timeout and timing. */
export async function timedCheck(
  timeoutMs: number,
  check: () => Promise<string | null>,
): Promise<ProbeOutcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const problem = await Promise.race([
      check(),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      }),
    ]);
    return {
      state: problem ? "down" : "up",
      latencyMs: Math.round(performance.now() - started),
      status: null,
      error: problem,
    };
  } catch (error) {
    return {
      state: "down",
      latencyMs: Math.round(performance.now() - started),
      status: null,
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}
