import { describe, expect, it } from "vitest";
import { type ServerEvent, serverEvents } from "../../cli/server-events.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  for await (const event of serverEvents(streamOf(chunks))) events.push(event);
  return events;
}

describe("server-sent events as the CLI reads them", () => {
  it("reads named events with their id and data", async () => {
    expect(
      await collect([
        'event: log\nid: 3\ndata: {"seq":3}\n\n',
        'event: end\ndata: {"status":"succeeded"}\n\n',
      ]),
    ).toEqual([
      { event: "log", id: "3", data: '{"seq":3}' },
      { event: "end", id: "3", data: '{"status":"succeeded"}' },
    ]);
  });

  it("joins events split anywhere across network chunks, including inside CRLF", async () => {
    expect(await collect(["ev", "ent: log\r", "\ndata: a", "bc\r\n\r", "\n"])).toEqual([
      { event: "log", data: "abc" },
    ]);
  });

  it("joins multi-line data, skips comments and keep-alives, and defaults the name to message", async () => {
    expect(await collect([": keep-alive\n\n", "data: one\ndata: two\n\n"])).toEqual([
      { event: "message", data: "one\ntwo" },
    ]);
  });

  it("drops an event the server did not finish before closing", async () => {
    expect(await collect(["event: log\ndata: partial\n"])).toEqual([]);
  });
});
