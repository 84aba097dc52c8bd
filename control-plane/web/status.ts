import { Hono } from "hono";
import type { Services } from "../platform-services.ts";
import { platformStatus } from "../probes/index.ts";
import { statusPage } from "./status-page.ts";

/** `GET /status` (public, DESIGN §14) and the same data as JSON; cached briefly so it stays cheap. */
export function statusRoutes(services: Pick<Services, "db" | "sql">) {
  let cached: { at: number; data: ReturnType<typeof platformStatus> } | null = null;
  const data = () => {
    if (!cached || Date.now() - cached.at > 5000) {
      cached = { at: Date.now(), data: platformStatus(services.db, services.sql) };
      cached.data.catch(() => {
        cached = null;
      });
    }
    return cached.data;
  };
  return new Hono()
    .get("/status", async (c) => {
      c.header("cache-control", "public, max-age=5");
      return c.html(statusPage(await data()));
    })
    .get("/status.json", async (c) => {
      const { components, incidents } = await data();
      c.header("cache-control", "public, max-age=5");
      return c.json({
        components: components.map((x) => ({ name: x.name, state: x.state, uptime90d: x.uptime.uptime })),
        incidents,
      });
    });
}
