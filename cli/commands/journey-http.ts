import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface WebResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** `Set-Cookie` lines as `name=value`, for the next request's `cookie` header. */
  cookies: string[];
}

export interface WebRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/**
 * HTTP as a customer's browser does it, redirects left to the caller. A local platform serves every
 * `*.localhost` host (tenants, sites) on the one port of its address (RFC 6761: `.localhost` is loopback), so
 * those are sent there with their own `Host`; any other host is reached as it is, over HTTPS in production.
 */
export function webClient(platformUrl: string) {
  const platform = new URL(platformUrl);
  const local = platform.hostname === "localhost" || platform.hostname.endsWith(".localhost");
  return async (url: string, init: WebRequest = {}): Promise<WebResponse> => {
    const target = new URL(url);
    const loopback = local && (target.hostname === "localhost" || target.hostname.endsWith(".localhost"));
    const via = loopback ? platform : target;
    const send = via.protocol === "https:" ? httpsRequest : httpRequest;
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    return await new Promise<WebResponse>((resolve, reject) => {
      const req = send(
        {
          host: loopback ? "127.0.0.1" : via.hostname,
          port: via.port || (via.protocol === "https:" ? 443 : 80),
          servername: via.hostname,
          path: `${target.pathname}${target.search}`,
          method: init.method ?? "GET",
          signal: init.signal,
          headers: {
            host: target.host,
            "user-agent": "websplat-journey-check",
            ...(body ? { "content-length": String(body.length) } : {}),
            ...init.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const setCookie = res.headers["set-cookie"] ?? [];
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString("utf8"),
              cookies: setCookie.map((line) => line.split(";")[0]!),
            });
          });
        },
      );
      req.on("error", (error) =>
        reject(new Error(`could not reach ${target.origin}: ${(error as Error).message}`, { cause: error })),
      );
      req.end(body);
    });
  };
}

export type Web = ReturnType<typeof webClient>;

/** An HTML attribute's value as the browser reads it. */
export function unescapeHtml(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
