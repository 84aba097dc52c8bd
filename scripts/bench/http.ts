import { request } from "node:http";

export interface PlainResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One HTTP request to 127.0.0.1 (never anywhere else), with an optional Host header so tenant hosts
 * can be reached through the control plane's gateway. Bounded by `timeoutMs`.
 */
export function loopback(
  port: number,
  path: string,
  init: {
    method?: string;
    host?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.host) headers.host = init.host;
    if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
    const req = request(
      { host: "127.0.0.1", port, path, method: init.method ?? "GET", headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            headers: res.headers,
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(init.timeoutMs ?? 10_000, () =>
      req.destroy(new Error(`timed out: ${init.method ?? "GET"} ${path}`)),
    );
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** An admin API call; throws on a non-2xx answer with the body. */
export async function admin<T>(
  plane: { port: number; adminToken: string },
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await loopback(plane.port, path, {
    method: init.method,
    headers: {
      authorization: `Bearer ${plane.adminToken}`,
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  if (response.status < 200 || response.status >= 300)
    throw new Error(
      `${init.method ?? "GET"} ${path} answered ${response.status}: ${response.body.slice(0, 300)}`,
    );
  return JSON.parse(response.body) as T;
}

/** Polls `probe` every `intervalMs` until it is true; false after `timeoutMs`. */
export async function pollUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
