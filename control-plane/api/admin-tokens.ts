import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { notFound } from "../http/errors.ts";
import type { Services } from "../platform-services.ts";
import {
  adminTokenView,
  createAdminToken,
  listAdminTokens,
  revokeAdminToken,
} from "../registry/admin-tokens.ts";
import { audit } from "../registry/audit.ts";

const TokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const errors = {
  400: { description: "Invalid input", schema: ErrorSchema },
  401: { description: "Missing or wrong admin token", schema: ErrorSchema },
};

/** Named admin tokens (create, list, revoke), audited; the bootstrap token keeps working beside them. */
export function adminTokenRoutes(app: OpenAPIHono, services: Services) {
  const actor = (c: Context) => `admin:${c.get("adminActor")}`;

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tokens",
      summary: "Create a named admin token; its value is in this answer only (audited)",
      tags: ["admin"],
      admin: true,
      body: z.object({
        name: z
          .string()
          .trim()
          .min(1)
          .max(100)
          .regex(/^[\w .@-]+$/, "letters, digits, spaces and . _ @ - only"),
      }),
      responses: {
        201: { description: "The token, shown once", schema: TokenSchema.extend({ token: z.string() }) },
        400: errors[400],
        401: errors[401],
      },
    },
    async (c, { body }) => {
      const { token, row } = await createAdminToken(services.db, { name: body.name, createdBy: actor(c) });
      await audit(services, actor(c), "admin_token.create", null, { id: row.id, name: row.name });
      return c.json({ ...adminTokenView(row), token }, 201);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tokens",
      summary: "Admin tokens with their last use (never their values)",
      tags: ["admin"],
      admin: true,
      responses: {
        200: { description: "Tokens, oldest first", schema: z.object({ tokens: z.array(TokenSchema) }) },
        401: errors[401],
      },
    },
    async (c) => c.json({ tokens: (await listAdminTokens(services.db)).map(adminTokenView) }, 200),
  );

  apiRoute(
    app,
    {
      method: "delete",
      path: "/admin/tokens/:id",
      summary: "Revoke an admin token at once (audited; revoking twice changes nothing)",
      tags: ["admin"],
      admin: true,
      params: z.object({ id: z.uuid("not a token id") }),
      responses: {
        200: { description: "The revoked token", schema: TokenSchema },
        400: errors[400],
        401: errors[401],
        404: { description: "No such token", schema: ErrorSchema },
      },
    },
    async (c, { params }) => {
      const row = await revokeAdminToken(services.db, params.id);
      if (!row) throw notFound(`Admin token ${params.id}`);
      await audit(services, actor(c), "admin_token.revoke", null, { id: row.id, name: row.name });
      return c.json(adminTokenView(row), 200);
    },
  );
}
