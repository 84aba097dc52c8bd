import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake answers to one chat completion request. */
export type FakeAnswer =
  | { json: unknown }
  | { text: string }
  | { status: number; headers?: Record<string, string> }
  /** Streams a few chunks and then never finishes (until the client aborts). */
  | { hang: true };

export interface FakeRequest {
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string } };
    temperature?: number;
    stream?: boolean;
  };
  schemaName: string;
  /** The request line's path and the headers it came with, to see what crossed a proxy. */
  path: string;
  headers: IncomingMessage["headers"];
  /** Resolves when the client closed the connection before the answer ended. */
  aborted: Promise<void>;
}

/** An OpenAI-compatible chat completions server on loopback, answering from a script. */
export async function startFakeOpenAi(script: (request: FakeRequest, index: number) => FakeAnswer) {
  const requests: FakeRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || "{}");
    let closed: () => void = () => {};
    const aborted = new Promise<void>((resolve) => {
      closed = resolve;
    });
    res.on("close", () => {
      if (!res.writableFinished) closed();
    });
    const request: FakeRequest = {
      body,
      schemaName: body.response_format?.json_schema?.name ?? "",
      path: req.url ?? "",
      headers: req.headers,
      aborted,
    };
    requests.push(request);
    const answer = script(request, requests.length - 1);
    if ("status" in answer) {
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify({ error: { message: "fake error", type: "server_error" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (delta: object, extra: object = {}) =>
      res.write(
        `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`,
      );
    if ("hang" in answer) {
      chunk({ role: "assistant", content: '{"title":' });
      const timer = setInterval(() => chunk({ content: " " }), 50);
      res.on("close", () => clearInterval(timer));
      return;
    }
    const text = "json" in answer ? JSON.stringify(answer.json) : answer.text;
    chunk({ role: "assistant", content: "" });
    for (let at = 0; at < text.length; at += 80) chunk({ content: text.slice(at, at + 80) });
    res.write(
      `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 } })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Valid answers for each agent, as a compatible model would give them. */
export const goodAnswers = {
  plan: (extra: object = {}) => ({
    siteName: "Harbor Beans",
    subject: "café",
    audience: "coffee lovers",
    sections: [
      { id: "about", title: "About", purpose: "who we are", requested: true },
      { id: "menu", title: "Menu", purpose: "what we serve", requested: true },
      { id: "gallery", title: "Gallery", purpose: "show the room", requested: false },
      { id: "events", title: "Events", purpose: "live music nights", requested: false },
    ],
    ideas: [{ id: "newsletter", title: "Newsletter", purpose: "stay in touch" }],
    questions: [],
    facts: [],
    pages: [],
    ...extra,
  }),
  design: () => ({
    directions: [
      {
        name: "Harbour",
        palette: {
          background: "#fbf8f4",
          surface: "#f1e9df",
          text: "#2a1f17",
          muted: "#6b5a4c",
          accent: "#8a4b1f",
          accentText: "#ffffff",
        },
        typography: { heading: "Georgia, serif", body: "system-ui, sans-serif", scale: 1.25 },
        layout: "split",
        radius: 8,
      },
    ],
    chosen: 0,
    rationale: "warm and calm",
  }),
  build: (ids: string[]) => ({
    title: "Harbor Beans",
    description: "A café by the harbour.",
    tagline: "Coffee by the water.",
    sections: ids.map((id) => ({
      id,
      heading: id.toUpperCase(),
      html: `<p>All about ${id}.</p><script>alert(1)</script>`,
    })),
    footer: "Harbor Beans",
  }),
  review: () => ({ score: 9, passed: true, issues: [] }),
};
