import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { can, type Permission } from "@/lib/auth/permissions";
import { AppError, type ApiErrorBody } from "@/lib/errors";
import type { RequestMeta } from "./audit";
import { getLogger } from "./logger";
import { requestMetaFrom } from "./request-meta";
import { getStaff, type StaffSession } from "./session";

/**
 * The one wrapper every /api route handler goes through: session, permission,
 * zod parsing of params, query and body, typed errors. A handler cannot skip
 * the checks because it only ever receives parsed, authorised input.
 */

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface ApiContext<P, Q, B> {
  staff: StaffSession;
  params: P;
  query: Q;
  body: B;
  meta: RequestMeta;
  request: NextRequest;
}

/** A schema, or a function building it on first use (for schemas that need the runtime configuration). */
type SchemaSource<S> = S | (() => S);

export interface ApiRouteOptions<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  permission: Permission;
  params?: SchemaSource<P>;
  query?: SchemaSource<Q>;
  body?: SchemaSource<B>;
  /** Bodies larger than this are refused before parsing. Default 64 KiB. */
  maxBodyBytes?: number;
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export function apiRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(
  options: ApiRouteOptions<P, Q, B>,
  handler: (ctx: ApiContext<Infer<P>, Infer<Q>, Infer<B>>) => Promise<unknown>,
): (request: NextRequest, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    const meta = requestMetaFrom(request.headers);
    try {
      const staff = await getStaff();
      if (!staff) throw new AppError("unauthenticated", "Sign in to use the Scopedesk API.");
      if (!can(staff.role, options.permission)) {
        throw new AppError("forbidden", `Your role (${staff.role}) does not allow this (${options.permission}).`);
      }
      const paramsSchema = resolveSchema(options.params);
      const querySchema = resolveSchema(options.query);
      const bodySchema = resolveSchema(options.body);
      const params = paramsSchema ? parseOrThrow(paramsSchema, await context.params, "path") : undefined;
      const query = querySchema ? parseOrThrow(querySchema, Object.fromEntries(request.nextUrl.searchParams), "query") : undefined;
      const body = bodySchema ? parseOrThrow(bodySchema, await readJsonBody(request, options.maxBodyBytes), "body") : undefined;
      const result = await handler({
        staff,
        params: params as Infer<P>,
        query: query as Infer<Q>,
        body: body as Infer<B>,
        meta,
        request,
      });
      const response = result instanceof Response ? result : NextResponse.json(result);
      response.headers.set("x-request-id", meta.requestId);
      return response;
    } catch (error) {
      return errorResponse(error, meta);
    }
  };
}

function resolveSchema<S extends Schema | undefined>(source: SchemaSource<S> | undefined): S | undefined {
  return typeof source === "function" ? (source as () => S)() : source;
}

export function parseOrThrow<S extends Schema>(schema: S, input: unknown, where: "path" | "query" | "body"): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError("bad_request", `Invalid ${where}: ${summarizeIssues(parsed.error)}`, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

export function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

async function readJsonBody(request: NextRequest, maxBytes = 64 * 1024): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > maxBytes) {
    throw new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  }
  if (text.trim() === "") throw new AppError("bad_request", "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.");
  }
}

export function errorResponse(error: unknown, meta: RequestMeta): Response {
  let body: ApiErrorBody;
  let status: number;
  if (error instanceof AppError) {
    status = error.status;
    body = { error: { code: error.code, message: error.message, requestId: meta.requestId, details: error.details } };
    // A user's mistake is not an error of ours.
    getLogger().info({ requestId: meta.requestId, code: error.code, status }, error.message);
  } else {
    status = 500;
    body = {
      error: {
        code: "internal",
        message: `Something went wrong on our side. Quote request id ${meta.requestId} when reporting it.`,
        requestId: meta.requestId,
      },
    };
    getLogger().error({ requestId: meta.requestId, err: error }, "unhandled error in route handler");
  }
  return NextResponse.json(body, { status, headers: { "x-request-id": meta.requestId } });
}
