import { once } from "node:events";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  /** The Host header, without the port. */
  host: string;
  /** Path and query. */
  path: string;
}

/** A fault answer in place of the platform's: the request never reaches it. */
export interface FaultAnswer {
  status: number;
  body?: string;
}

export interface FaultProxy {
  /** `http://localhost:<port>`: the platform as seen through the proxy. */
  url: string;
  /** Sets (or, with null, clears) the fault switch: requests it answers for never reach the platform. */
  fault(rule: ((request: ProxiedRequest) => FaultAnswer | undefined) | null): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a control plane whose answers a test can break on purpose, one kind of
 * request at a time (a broken mailbox, a failing runtime, a sites host that 404s…). Everything else, Host
 * header included, passes through unchanged.
 */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let rule: ((request: ProxiedRequest) => FaultAnswer | undefined) | null = null;
  const server = createServer((incoming, outgoing) => {
    const seen = {
      method: incoming.method ?? "GET",
      host: (incoming.headers.host ?? "").replace(/:\d+$/, ""),
      path: incoming.url ?? "/",
    };
    const answer = rule?.(seen);
    if (answer) {
      incoming.resume();
      outgoing.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body ?? "fault");
      return;
    }
    const forwarded = request(
      {
        host: "127.0.0.1",
        port: targetPort,
        method: seen.method,
        path: seen.path,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on("error", (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    fault: (next) => {
      rule = next;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
