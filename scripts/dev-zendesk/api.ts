/**
 * The Zendesk Support API calls Scopedesk makes, answered from the store as
 * the official description shapes them: POST /oauth/tokens, GET and PUT
 * /api/v2/tickets/{id}, GET /api/v2/tickets/{id}/comments (cursor
 * pagination) and GET /api/v2/users/search. Every /api call needs a live
 * bearer token with the scope for it. Error bodies are Zendesk's
 * {"error", "description"} (OAuth errors: {"error", "error_description"}).
 */
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { allows, type DevTokens } from "./oauth";
import { INTEGRATION_USER } from "./seed";
import { MAX_COMMENTS_PER_TICKET, type DevZendeskStore } from "./store";
import { commentAuditJson, commentJson, organizationJson, ticketJson, userJson } from "./wire";

export interface ApiDeps {
  store: DevZendeskStore;
  tokens: DevTokens;
  /** http://host:port, known once the server listens. */
  origin: () => string;
}

function zendeskError(c: Context, status: ContentfulStatusCode, error: string, description: string) {
  return c.json({ error, description }, status);
}

const PAGE_SIZE_MAX = 100;

const updateBody = z.strictObject({
  ticket: z.strictObject({
    comment: z.strictObject({ body: z.string(), public: z.boolean().optional() }),
  }),
});

export function zendeskApi({ store, tokens, origin }: ApiDeps): Hono {
  const api = new Hono();

  api.post("/oauth/tokens", async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const answer = tokens.issue(body);
    return c.json(answer.body, answer.status);
  });

  api.use("/api/*", async (c, next) => {
    const token = tokens.verify(c.req.header("authorization"));
    if (!token) {
      c.header("WWW-Authenticate", 'Bearer realm="Zendesk", error="invalid_token"');
      return c.json(
        {
          error: "invalid_token",
          error_description: "The access token provided is expired, revoked, malformed or invalid for other reasons.",
        },
        401,
      );
    }
    const resource = c.req.path.startsWith("/api/v2/users") ? "users" : "tickets";
    if (!allows(token, resource, c.req.method === "GET" ? "read" : "write")) {
      return zendeskError(
        c,
        403,
        "Forbidden",
        "You do not have access to this page. Please contact the account owner of this help desk for further help.",
      );
    }
    await next();
  });

  api.get("/api/v2/tickets/:ticket_id{[0-9]+}", (c) => {
    const ticket = store.ticket(Number(c.req.param("ticket_id")));
    if (!ticket) return zendeskError(c, 404, "RecordNotFound", "Not found");
    const include = new Set((c.req.query("include") ?? "").split(",").map((s) => s.trim()));
    const requester = store.user(ticket.requesterId);
    const organization = store.organization(ticket.organizationId);
    return c.json({
      ticket: ticketJson(ticket, origin()),
      ...(include.has("users") ? { users: requester ? [userJson(requester, origin())] : [] } : {}),
      ...(include.has("organizations") ? { organizations: organization ? [organizationJson(organization, origin())] : [] } : {}),
    });
  });

  api.put("/api/v2/tickets/:ticket_id{[0-9]+}", async (c) => {
    const id = Number(c.req.param("ticket_id"));
    if (!store.ticket(id)) return zendeskError(c, 404, "RecordNotFound", "Not found");
    const parsed = updateBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return zendeskError(
        c,
        400,
        "InvalidRequest",
        'The development Zendesk only adds comments: {"ticket":{"comment":{"body":…,"public":…}}}',
      );
    }
    const { comment } = parsed.data.ticket;
    if (comment.body.trim() === "") return zendeskError(c, 422, "RecordInvalid", "Record validation errors: Comment: body cannot be blank");
    const added = store.addComment(id, { body: comment.body, public: comment.public, authorId: INTEGRATION_USER.id });
    if (!added.ok) {
      return zendeskError(
        c,
        422,
        "RecordInvalid",
        `Record validation errors: the ticket has reached the limit of ${MAX_COMMENTS_PER_TICKET} comments`,
      );
    }
    return c.json({ ticket: ticketJson(store.ticket(id)!, origin()), audit: commentAuditJson(added.comment) });
  });

  api.get("/api/v2/tickets/:ticket_id{[0-9]+}/comments", (c) => {
    const id = Number(c.req.param("ticket_id"));
    if (!store.ticket(id)) return zendeskError(c, 404, "RecordNotFound", "Not found");
    const size = pageSize(c.req.query("page[size]"));
    const after = c.req.query("page[after]");
    const afterId = after === undefined ? 0 : cursorId(after);
    if (size === undefined || afterId === undefined)
      return zendeskError(
        c,
        400,
        "InvalidPaginationParameter",
        "page[size] must be 1 to 100 and page[after] a cursor from meta.after_cursor",
      );
    const rest = store.commentsOf(id).filter((comment) => comment.id > afterId);
    const page = rest.slice(0, size);
    const hasMore = rest.length > size;
    const first = page[0];
    const last = page.at(-1);
    const link = (key: string, cursor: string) =>
      `${origin()}/api/v2/tickets/${id}/comments.json?page%5B${key}%5D=${cursor}&page%5Bsize%5D=${size}`;
    return c.json({
      comments: page.map(commentJson),
      meta: { has_more: hasMore, after_cursor: last ? cursorFor(last.id) : null, before_cursor: first ? cursorFor(first.id) : null },
      links: { prev: first ? link("before", cursorFor(first.id)) : null, next: hasMore && last ? link("after", cursorFor(last.id)) : null },
    });
  });

  api.get("/api/v2/users/search", (c) => {
    const query = c.req.query("query");
    const perPage = pageSize(c.req.query("per_page"));
    const page = Number(c.req.query("page") ?? "1");
    if (query === undefined || perPage === undefined || !Number.isInteger(page) || page < 1) {
      return zendeskError(c, 400, "InvalidParameter", "query is required, per_page must be 1 to 100 and page a whole number from 1");
    }
    const matches = store.searchUsers(query);
    const offsetLink = (n: number) =>
      `${origin()}/api/v2/users/search.json?page=${n}&per_page=${perPage}&query=${encodeURIComponent(query)}`;
    return c.json({
      users: matches.slice((page - 1) * perPage, page * perPage).map((u) => userJson(u, origin())),
      next_page: page * perPage < matches.length ? offsetLink(page + 1) : null,
      previous_page: page > 1 ? offsetLink(page - 1) : null,
      count: matches.length,
    });
  });

  api.all("/api/*", (c) => zendeskError(c, 404, "InvalidEndpoint", "Not found"));
  return api;
}

function pageSize(value: string | undefined): number | undefined {
  if (value === undefined) return PAGE_SIZE_MAX;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= PAGE_SIZE_MAX && /^\d+$/.test(value) ? n : undefined;
}

/** Opaque to clients, as Zendesk's are: the last comment id seen. */
function cursorFor(commentId: number): string {
  return Buffer.from(`c:${commentId}`).toString("base64url");
}

function cursorId(cursor: string): number | undefined {
  const match = /^c:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match ? Number(match[1]) : undefined;
}
