import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface MeteredCall {
  body: Record<string, unknown>;
  /** Resolves when the proxy closed the connection before the answer ended. */
  aborted: Promise<void>;
}

/**
 * An OpenAI-compatible model on loopback whose answers say what they cost: a last message `spend <n>` is
 * answered (as JSON, or streamed when asked) with a usage of n prompt tokens and 1 completion token; `hang`
 * streams a chunk, then waits until the proxy lets go.
 */
export async function startMeteredModel() {
  const calls: MeteredCall[] = [];
  const server = createServer(async (req, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || "{}") as Record<string, unknown> & {
      messages?: Array<{ content?: string }>;
    };
    let closed: () => void = () => {};
    const aborted = new Promise<void>((resolve) => {
      closed = resolve;
    });
    res.on("close", () => {
      if (!res.writableFinished) closed();
    });
    calls.push({ body, aborted });
    const prompt = String(body.messages?.at(-1)?.content ?? "");
    const usage = { prompt_tokens: Number(/^spend (\d+)$/.exec(prompt)?.[1] ?? 10), completion_tokens: 1 };
    const chunk = (delta: object, extra: object = {}) =>
      res.write(
        `data: ${JSON.stringify({ id: "m", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`,
      );
    if (prompt === "hang" || body.stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      chunk({ role: "assistant", content: "the first words of a long answer" });
      if (prompt === "hang") return;
      res.write(`data: ${JSON.stringify({ id: "m", choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "m",
        object: "chat.completion",
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage,
      }),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
