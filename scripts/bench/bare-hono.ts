import { serve } from "@hono/node-server";
import { Hono } from "hono";

// The comparison for webhook ingestion: a Hono route on @hono/node-server that reads and parses the
// body and answers 200, with no signature, no database and no queue. Prints its port, stops on SIGTERM.
const app = new Hono();
app.post("/webhooks/stripe", async (c) => {
  const event = JSON.parse(await c.req.text()) as { id?: string };
  return c.json({ received: true, duplicate: false, id: event.id ?? null });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`port ${info.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
