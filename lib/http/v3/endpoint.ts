import type { Context, Hono } from "hono";
import type { z } from "zod";
import { V3Error, v3Errors, type V3ErrorItem } from "@/lib/erasure/errors";
import { missingScopeMessage } from "@/lib/api-keys/missing-scope-message";
import { type ActingAccount, type ApiCaller } from "@/lib/api-keys/authenticate-api-key";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { V3Env } from "@/lib/http/context";
import { findBadJsonText, queryObject } from "@/lib/http/input";
import { BodyReadError, readBody } from "@/lib/http/read-body";
import { v3Headers } from "./v3-errors";

/**
 * One customer-API endpoint, declared once: the scopes the key must hold
 * (effective scopes, naming who lacks one), the body's schema and limit, and
 * the handler. The /v3 stack (../v3-app.ts) has already authenticated the key,
 * counted the request and resolved on-behalf-of.
 */
type Schema = z.ZodType;

export interface V3Request<B, P = undefined> {
  caller: ApiCaller;
  acting: ActingAccount;
  body: B;
  /** The path's parameters, parsed by the endpoint's `params` schema. */
  params: P;
  query: Record<string, string>;
  meta: RequestMeta;
}

export interface V3Endpoint {
  method: "GET" | "POST";
  path: string;
  mount(app: Hono<V3Env>): void;
}

export function v3Endpoint<B extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
  options: { method: "GET" | "POST"; path: string; scopes?: readonly string[]; body?: B; params?: P; maxBodyBytes?: number },
  handler: (
    request: V3Request<B extends Schema ? z.output<B> : undefined, P extends Schema ? z.output<P> : undefined>,
  ) => Promise<{ status: 200 | 201 | 202; body: unknown }>,
): V3Endpoint {
  return {
    method: options.method,
    path: options.path,
    mount(app) {
      const route = async (c: Context<V3Env>) => {
        const acting = c.get("acting");
        const missing = (options.scopes ?? []).filter((s) => !acting.scopes.includes(s));
        if (missing.length > 0)
          throw v3Errors.notAuthorized(`Not authorized: ${missing.map((s) => missingScopeMessage(s, acting.chain)).join("; ")}`);
        const params = options.params ? parseBody(options.params, c.req.param()) : undefined;
        const query = queryObject(new URL(c.req.url).searchParams);
        if (!query.ok) throw v3Errors.badRequest(query.problem.message, query.problem.where);
        const timing = c.get("timing");
        const body = options.body
          ? parseBody(options.body, await timing.measure("read", () => readJson(c, options.maxBodyBytes ?? 16 * 1024)))
          : undefined;
        const result = await timing.measure("handler", () =>
          handler({
            caller: c.get("caller"),
            acting,
            body: body as never,
            params: params as never,
            query: query.value,
            meta: c.get("meta"),
          }),
        );
        return c.json(result.body as object, result.status, v3Headers(c));
      };
      if (options.method === "GET") app.get(options.path, route);
      else app.post(options.path, route);
    },
  };
}

async function readJson(c: Context<V3Env>, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = await readBody(c, maxBytes);
  } catch (error) {
    if (error instanceof BodyReadError) {
      throw v3Errors.badRequest(
        error.kind === "too_large" ? `The request body is larger than ${Math.round(maxBytes / 1024)} KB` : error.message,
      );
    }
    throw error;
  }
  if (text.trim() === "") throw v3Errors.badRequest("The request body is empty; send a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw v3Errors.badRequest("The request body is not valid JSON");
  }
  const bad = findBadJsonText(text, value, "body");
  if (bad) throw v3Errors.badRequest(`Invalid ${bad.message}`, bad.where.split(/[.[]/)[1] ?? "");
  return value;
}

/** A body or the path's parameters, refused as the contract shapes errors: one entry per problem, on its field. */
function parseBody<S extends Schema>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors: V3ErrorItem[] = parsed.error.issues.map((issue) => ({
    message: issue.message,
    field: typeof issue.path[0] === "string" ? issue.path[0] : "",
  }));
  throw new V3Error(400, errors);
}
