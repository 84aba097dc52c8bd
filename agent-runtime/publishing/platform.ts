import { RuntimeError } from "../http/errors.ts";

/** The platform's tenant API, called with this tenant's site token (DESIGN §12). */
export class PlatformClient {
  readonly #base: string;
  readonly #token: string;

  constructor(options: { platformUrl: string; token: string }) {
    this.#base = `${options.platformUrl}/tenant-api/v1`;
    this.#token = options.token;
  }

  // biome-ignore lint/suspicious/noExplicitAny: answers are the platform's JSON, typed by the callers
  async call<T = any>(method: string, path: string, body?: unknown, raw?: Uint8Array): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(raw ? { "content-type": "application/octet-stream" } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: raw ? new Blob([new Uint8Array(raw)]) : body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new RuntimeError(
        "platform_unreachable",
        `The publishing service did not answer (${(error as Error).message}); try again in a moment.`,
        503,
      );
    }
    const answer = (await response.json().catch(() => null)) as
      | (T & { error?: { code: string; message: string } })
      | null;
    if (!response.ok) {
      const error = answer?.error;
      const status = response.status >= 400 && response.status < 500 ? response.status : 503;
      throw new RuntimeError(
        error?.code ?? "platform_error",
        error?.message ?? `The publishing service answered ${response.status}; try again in a moment.`,
        status as 400,
      );
    }
    return answer as T;
  }
}
