import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Config } from "../config.ts";

/** The control plane's HTTP port, bound before anything else starts. */
export interface Listening {
  /** The port bound (PORT, or the one the system chose for PORT=0). */
  port: number;
  /** The public URL: WEBSPLAT_PUBLIC_URL, else this machine at the bound port. */
  publicUrl: string;
  /** The port tenant URLs carry, when the public URL names one. */
  publicPort: number | undefined;
  /** Starts answering with `app`; until then every request is told the control plane is starting. */
  serve(app: { fetch: (request: Request) => Response | Promise<Response> }): void;
  /** Stops accepting requests and ends open ones (idempotent). */
  close(): Promise<void>;
}

/** Binds first, so the public URL is known (also with PORT=0) before anything that names it is built. */
export async function listen(config: Config): Promise<Listening> {
  let handle = starting;
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const publicUrl = config.WEBSPLAT_PUBLIC_URL ? config.publicUrl : `http://localhost:${port}`;
  const publicPort = new URL(publicUrl).port;
  let closed: Promise<void> | null = null;
  return {
    port,
    publicUrl,
    publicPort: publicPort ? Number(publicPort) : undefined,
    serve: (app) => {
      handle = getRequestListener(app.fetch);
    },
    close: () => {
      closed ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        // Open streams (SSE, proxied runtimes) would hold the close forever.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closed;
    },
  };
}

function starting(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
  response.end(
    JSON.stringify({
      error: { code: "starting", message: "The control plane is starting; try again in a few seconds." },
    }),
  );
}
