import type { ApiError } from "./api-types.ts";
import { CliError } from "./errors.ts";
import { type ServerEvent, serverEvents } from "./server-events.ts";
import { terminalSafe, terminalText } from "./terminal-text.ts";

/**
 * The control plane's admin API over HTTP, with errors turned into sentences that say what to do. Answers carry
 * tenants' own text: every string comes back without terminal control characters, whatever prints it.
 */
export class AdminClient {
  readonly url: string;
  readonly #token: string;

  constructor(url: string, token: string) {
    this.url = url;
    this.#token = token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body ?? {});
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = terminalText(await response.text());
    const parsed = terminalSafe(parseJson(text));
    if (!response.ok) throw this.#failure(method, path, response.status, parsed, text);
    return parsed as T;
  }

  /** Opens an event stream; `lastEventId` resumes after the last event seen. */
  async events(path: string, options: { lastEventId?: string; signal?: AbortSignal } = {}) {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
    const response = await this.#fetch(path, { headers, signal: options.signal });
    if (!response.ok || !response.body) {
      const text = terminalText(await response.text());
      throw this.#failure("GET", path, response.status, terminalSafe(parseJson(text)), text);
    }
    return safeEvents(serverEvents(response.body));
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.#token}` },
      });
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      throw new CliError(
        "unreachable",
        `cannot reach the control plane at ${this.url} — is it running? \`npm start\` (or set WEBSPLAT_URL)`,
      );
    }
  }

  #failure(method: string, path: string, status: number, parsed: unknown, text: string): CliError {
    const error = (parsed as { error?: ApiError } | undefined)?.error;
    if (status === 401) {
      return new CliError(
        "unauthorized",
        `the control plane at ${this.url} refused the admin token — set WEBSPLAT_ADMIN_TOKEN to the token \`npm start\` printed`,
      );
    }
    // A 400 changed nothing and says the input was wrong: a usage mistake, as the CLI's own checks are.
    if (error?.code && error.message)
      return new CliError(error.code, error.message, status === 400 ? 2 : 1, status);
    const detail = text.trim().slice(0, 200) || "no body";
    return new CliError(
      status === 404 ? "route_not_found" : `http_${status}`,
      `${method} ${path} answered ${status} (${detail})`,
      1,
      status,
    );
  }
}

/** Events whose JSON data is made terminal-safe like any other answer. */
async function* safeEvents(events: AsyncGenerator<ServerEvent>): AsyncGenerator<ServerEvent> {
  for await (const event of events) {
    const data = parseJson(event.data);
    yield {
      ...event,
      data: data === undefined ? terminalText(event.data) : JSON.stringify(terminalSafe(data)),
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
