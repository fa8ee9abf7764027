import type { Context, Hono } from "hono";
import { z } from "zod";
import { can, type Permission } from "@/lib/auth/permissions";
import { AppError } from "@/lib/platform/errors";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { StaffSession } from "@/lib/auth/get-staff";
import type { ConsoleEnv } from "@/lib/http/context";
import { describeIssues, findBadJsonText, queryObject } from "@/lib/http/input";
import { refuseCrossSiteRead } from "@/lib/http/middleware/csrf";
import { BodyReadError, readBody } from "@/lib/http/read-body";

/**
 * One console endpoint, declared once: method, path, the permission it needs,
 * the schemas of its path parameters, query and body, and its handler. The
 * pipeline (../console-app.ts) has already checked the session and, for
 * writes, CSRF; mounting adds the permission check, reads and parses the
 * input (body cut off at its limit, text checked for NUL and lone
 * surrogates, repeated query parameters refused) and answers JSON. A handler
 * only ever sees authorised, parsed input, so no endpoint can forget a check.
 */
type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface ConsoleRequest<P, Q, B> {
  staff: StaffSession;
  meta: RequestMeta;
  params: P;
  query: Q;
  body: B;
  c: Context<ConsoleEnv>;
}

/** A handler's answer with a status other than 200. */
export interface WithStatus<T> {
  readonly status: 200 | 201;
  readonly body: T;
}

export function withStatus<T>(status: 200 | 201, body: T): WithStatus<T> {
  return { status, body };
}

export interface ConsoleEndpoint {
  method: "GET" | "POST";
  path: string;
  permission: Permission;
  mount(app: Hono<ConsoleEnv>): void;
}

/** Schemas may be given as functions building them on first use (for schemas that need the runtime configuration). */
export interface EndpointOptions<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  method: "GET" | "POST";
  /** Relative to /api, in Hono's syntax, e.g. "/accounts/:id". */
  path: string;
  permission: Permission;
  params?: P | (() => P);
  query?: Q | (() => Q);
  body?: B | (() => B);
  /** Larger bodies are refused (413) while reading. Default 16 KiB. */
  maxBodyBytes?: number;
  /** A GET that records something (an audit event): refused when another site sent it (../middleware/csrf.ts). */
  recordsAccess?: boolean;
}

export function consoleEndpoint<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  O = unknown,
>(
  options: EndpointOptions<P, Q, B>,
  handler: (request: ConsoleRequest<Out<P>, Out<Q>, Out<B>>) => Promise<O | WithStatus<O> | Response>,
): ConsoleEndpoint & { readonly output?: O } {
  const resolve = <S extends Schema | undefined>(source: S | (() => S) | undefined): S | undefined =>
    typeof source === "function" ? (source as () => S)() : source;
  return {
    method: options.method,
    path: options.path,
    permission: options.permission,
    mount(app) {
      const route = async (c: Context<ConsoleEnv>) => {
        const staff = c.get("staff");
        if (!can(staff.role, options.permission)) {
          throw new AppError("forbidden", `Your role (${staff.role}) does not allow this (${options.permission}).`);
        }
        if (options.recordsAccess) refuseCrossSiteRead(c);
        const params = parse(resolve(options.params), c.req.param(), "path");
        const query = parse(resolve(options.query), readQuery(c), "query");
        const bodySchema = resolve(options.body);
        const body = bodySchema ? parse(bodySchema, await readJson(c, options.maxBodyBytes ?? 16 * 1024), "body") : undefined;
        const result = await handler({
          staff,
          meta: c.get("meta"),
          params: params as Out<P>,
          query: query as Out<Q>,
          body: body as Out<B>,
          c,
        });
        if (result instanceof Response) return result;
        if (isWithStatus(result)) return c.json(result.body as object, result.status);
        return c.json(result as object);
      };
      if (options.method === "GET") app.get(options.path, route);
      else app.post(options.path, route);
    },
  };
}

function isWithStatus(value: unknown): value is WithStatus<unknown> {
  return typeof value === "object" && value !== null && "status" in value && "body" in value && Object.keys(value).length === 2;
}

function parse<S extends Schema>(schema: S | undefined, input: unknown, where: "path" | "query" | "body"): unknown {
  if (!schema) {
    if (where === "query" && input && Object.keys(input).length > 0) {
      throw new AppError(
        "bad_request",
        `Invalid query: this endpoint takes no parameters (got ${Object.keys(input).slice(0, 3).join(", ")}).`,
      );
    }
    return undefined;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { message, issues } = describeIssues(parsed.error, where);
  throw new AppError("bad_request", message, { issues });
}

function readQuery(c: Context<ConsoleEnv>): Record<string, string> {
  const query = queryObject(new URL(c.req.url).searchParams);
  if (!query.ok) throw new AppError("bad_request", `Invalid query: ${query.problem.message}`, { field: query.problem.where });
  return query.value;
}

async function readJson(c: Context<ConsoleEnv>, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = await readBody(c, maxBytes);
  } catch (error) {
    if (error instanceof BodyReadError) {
      throw error.kind === "too_large"
        ? new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes.`)
        : new AppError("bad_request", error.message);
    }
    throw error;
  }
  if (text.trim() === "") throw new AppError("bad_request", "The request body is empty; send a JSON object.");
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.");
  }
  const bad = findBadJsonText(text, value);
  if (bad) throw new AppError("bad_request", `Invalid body: ${bad.message}`, { field: bad.where });
  return value;
}
