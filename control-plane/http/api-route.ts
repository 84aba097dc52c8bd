import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Context, Env } from "hono";
import { ApiError } from "./errors.ts";
import { parseJson } from "./json.ts";
import { unstorableText } from "./text.ts";

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

type Method = "get" | "post" | "patch" | "delete";

export interface ApiRouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Hono path, e.g. `/admin/tenants/:slug`. */
  path: string;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Status → description (and schema of the JSON answer). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Needs `Authorization: Bearer <admin token>`. */
  admin?: boolean;
}

export interface ApiInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

/**
 * Declares a route once: its zod schemas validate the request (400 with the first problem, nothing changed)
 * and describe it in `/openapi.json`.
 */
export function apiRoute<
  E extends Env,
  P extends z.ZodType = z.ZodObject,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUnknown,
>(
  app: OpenAPIHono<E>,
  definition: ApiRouteDefinition<P, Q, B>,
  handler: (c: Context<E>, input: ApiInput<P, Q, B>) => Response | Promise<Response>,
): void {
  app.openAPIRegistry.registerPath({
    method: definition.method,
    path: definition.path.replace(/:([A-Za-z]+)/g, "{$1}"),
    summary: definition.summary,
    tags: definition.tags,
    ...(definition.admin ? { security: [{ adminToken: [] }] } : {}),
    request: {
      ...(definition.params ? { params: definition.params as never } : {}),
      ...(definition.query ? { query: definition.query as never } : {}),
      ...(definition.body
        ? { body: { content: { "application/json": { schema: definition.body } }, required: true } }
        : {}),
    },
    responses: Object.fromEntries(
      Object.entries(definition.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.schema
            ? { content: { [response.contentType ?? "application/json"]: { schema: response.schema } } }
            : {}),
        },
      ]),
    ),
  });
  app.on(definition.method.toUpperCase(), definition.path, async (c) => {
    refuseUnstorable(c.req.param(), "path");
    refuseUnstorable(c.req.query(), "query");
    const params = parse(definition.params, c.req.param(), "path");
    const query = parse(definition.query, c.req.query(), "query");
    const body = definition.body ? parse(definition.body, await jsonBody(c), "body") : undefined;
    return await handler(c as Context<E>, { params, query, body } as ApiInput<P, Q, B>);
  });
}

/**
 * Binds a `createRoute` declaration to its handler with the same checks as `apiRoute` (unstorable text, 400 with
 * the first problem); the handler reads its input with `c.req.valid()` and answers as the route's responses say.
 */
export function bindRoute<E extends Env, R extends RouteConfig>(
  app: OpenAPIHono<E>,
  route: R & { getRoutingPath(): string },
  handler: RouteHandler<R, E>,
): void {
  app.openAPIRegistry.registerPath(route);
  const { params, query, body } = route.request ?? {};
  const json = body?.content["application/json"];
  const bodySchema = json && "schema" in json ? (json.schema as z.ZodType) : undefined;
  app.on(route.method.toUpperCase(), route.getRoutingPath(), async (c, next) => {
    refuseUnstorable(c.req.param(), "path");
    refuseUnstorable(c.req.query(), "query");
    c.req.addValidatedData("param", parse(params as z.ZodType | undefined, c.req.param(), "path") as object);
    c.req.addValidatedData("query", parse(query as z.ZodType | undefined, c.req.query(), "query") as object);
    if (bodySchema) c.req.addValidatedData("json", parse(bodySchema, await jsonBody(c), "body") as object);
    return await handler(c as never, next);
  });
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  const parsed = text.length > 0 ? parseJson(text) : { ok: true as const, value: {} };
  if (!parsed.ok)
    throw new ApiError(400, "invalid_json", `The request body cannot be read: ${parsed.reason}.`);
  const body = parsed.value;
  refuseUnstorable(body, "body");
  return body;
}

function refuseUnstorable(value: unknown, where: string): void {
  const problem = unstorableText(value, where);
  if (problem) throw new ApiError(400, "invalid_text", `Invalid ${problem}: remove it and send again.`);
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join(".") : where;
  throw new ApiError(400, "invalid_request", `Invalid ${field}: ${issue.message}.`);
}
