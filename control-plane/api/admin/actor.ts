import type { Context } from "hono";

/** The token that acted (`admin:bootstrap`, `admin:token:<name>`), as the audit log names it. */
export const actorOf = (c: Context) => `admin:${c.get("adminActor")}`;
