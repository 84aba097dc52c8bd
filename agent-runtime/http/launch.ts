import type { RequestListener, ServerResponse } from "node:http";

export type LaunchState = "starting" | "ready" | "failed";

export interface LaunchDeps {
  tenant: string;
  state(): LaunchState;
  /** The builder's request handler; loading it (agents, model, UI) is what the first other request waits for. */
  builder(): Promise<RequestListener>;
  /** Called once a `/healthz` 200 has been sent: whoever waits for ready has it. */
  readyAnswered?(): void;
}

/**
 * The runtime's HTTP handler from its first moment: `/healthz` answers at once (503 until migrations are
 * applied, as the control plane expects), and every other request waits for the builder, then is its.
 */
export function launchListener(deps: LaunchDeps): RequestListener {
  let builder: RequestListener | undefined;
  return (request, response) => {
    if (builder) return builder(request, response);
    if (request.url === "/healthz" || request.url?.startsWith("/healthz?")) {
      const state = deps.state();
      if (state === "ready" && deps.readyAnswered) response.once("finish", deps.readyAnswered);
      return sendJson(response, state === "ready" ? 200 : 503, {
        status: state === "ready" ? "ok" : state,
        tenant: deps.tenant,
      });
    }
    deps.builder().then(
      (loaded) => {
        builder = loaded;
        loaded(request, response);
      },
      () =>
        sendJson(response, 503, {
          error: {
            code: "builder_unavailable",
            message: "The builder could not start; see the runtime's log.",
          },
        }),
    );
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
