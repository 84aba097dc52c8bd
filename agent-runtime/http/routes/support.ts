import { Hono } from "hono";
import { z } from "zod";
import type { RuntimeConfig } from "../../config.ts";
import { platformClient } from "../../support/platform-client.ts";
import { helpPage } from "../../ui/help-page.ts";
import { supportAssets } from "../../ui/support-panel.ts";
import { parseBody } from "../validate.ts";

const FeedbackBody = z.object({
  message: z.string().trim().min(1, "write what happened").max(4000, "keep it under 4000 characters"),
  mayContact: z.boolean(),
  page: z.string().max(200).nullish(),
});

/** "Help and feedback" in the builder: the help page, the feedback form's target, this WebSplat's uptime. */
export function supportRoutes(config: RuntimeConfig) {
  const platform = platformClient(config);
  const assets = supportAssets();
  return new Hono()
    .get("/help", (c) => c.html(helpPage(config)))
    .get(assets.script.url, (c) =>
      c.body(assets.script.body, 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=31536000, immutable",
      }),
    )
    .post("/api/support/feedback", async (c) => {
      const body = await parseBody(c, FeedbackBody);
      return c.json(await platform.sendFeedback(body), 201);
    })
    .get("/api/support/uptime", async (c) => c.json(await platform.uptime()));
}
