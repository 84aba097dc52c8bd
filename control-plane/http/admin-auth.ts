import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

/** `Authorization: Bearer <token>`, compared in constant time (hashes of equal length). */
export function adminAuth(token: string): MiddlewareHandler {
  const expected = createHash("sha256").update(token).digest();
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const given = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    if (!match || !timingSafeEqual(given, expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="websplat-admin"');
      return c.json(
        errorBody(
          "unauthorized",
          "Send Authorization: Bearer <admin token> (printed at start, and kept in the data dir as admin-token).",
        ),
        401,
      );
    }
    await next();
  };
}
