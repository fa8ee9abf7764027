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
import type { DevRateLimits } from "./limits";
import { allows, type DevTokens } from "./oauth";
import { INTEGRATION_USER } from "./seed";
import { MAX_COMMENT_BYTES, MAX_COMMENTS_PER_TICKET, type AddCommentFailure, type DevComment, type DevZendeskStore } from "./store";
import { commentAuditJson, commentJson, organizationJson, ticketJson, userJson } from "./wire";

export interface ApiDeps {
  store: DevZendeskStore;
  tokens: DevTokens;
  /** Counts applied ticket updates against the per-ticket limit. */
  limits: DevRateLimits;
  /** http://host:port, known once the server listens. */
  origin: () => string;
}

function zendeskError(c: Context, status: ContentfulStatusCode, error: string, description: string, details?: Record<string, unknown>) {
  return c.json({ error, description, ...(details ? { details } : {}) }, status);
}

/** Zendesk's 422 for an update it refuses: RecordInvalid with the field and why in `details`. */
function recordInvalid(c: Context, field: string, description: string, error?: string) {
  return zendeskError(c, 422, "RecordInvalid", "Record validation errors", { [field]: [{ description, ...(error ? { error } : {}) }] });
}

const REFUSALS: Record<Exclude<AddCommentFailure, "not_found">, [field: string, description: string, error?: string]> = {
  // Zendesk's own wording for any update to a closed ticket.
  closed: ["status", "Status: closed prevents ticket update"],
  too_large: ["base", `Comment: body is too long (maximum is ${MAX_COMMENT_BYTES} bytes)`, "TooLong"],
  author_invalid: ["author_id", "Author must be an agent or admin of this account", "InvalidValue"],
  status_invalid: ["status", "Status: an update may set open, pending, hold or solved", "InvalidValue"],
  comment_limit: ["base", `Comment: the ticket has reached the maximum number of comments (${MAX_COMMENTS_PER_TICKET})`],
  empty: ["base", "Comment: body cannot be blank", "BlankValue"],
};

const PAGE_SIZE_MAX = 100;

const STATUSES = ["new", "open", "pending", "hold", "solved", "closed"] as const;

const updateBody = z.strictObject({
  ticket: z.strictObject({
    comment: z
      .strictObject({
        body: z.string().optional(),
        html_body: z.string().optional(),
        public: z.boolean().optional(),
        author_id: z.number().int().positive().nullish(),
      })
      .refine((c) => (c.body === undefined) !== (c.html_body === undefined)),
    status: z.enum(STATUSES).optional(),
    // Custom metadata of the update (the audit's metadata.custom).
    metadata: z.record(z.string(), z.unknown()).optional(),
    // TicketObject.tags ("set tag": the whole list) and a safe update (safe_update with updated_stamp: 409 when the
    // ticket changed since that instant).
    tags: z.union([z.array(z.string().regex(/^[^\s,]{1,80}$/)), z.string().regex(/^[^\s,]{1,80}$/)]).optional(),
    safe_update: z.boolean().optional(),
    updated_stamp: z.iso.datetime({ offset: true }).optional(),
  }),
});

export function zendeskApi({ store, tokens, limits, origin }: ApiDeps): Hono {
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
    const assignee = ticket.assigneeId ? store.user(ticket.assigneeId) : undefined;
    const organization = store.organization(ticket.organizationId);
    // Zendesk's users sideload holds the requester, submitter, assignee and CCs (here the requester is the submitter).
    const users = [requester, ...(assignee && assignee !== requester ? [assignee] : [])].filter((u) => u !== undefined);
    return c.json({
      ticket: ticketJson(ticket, origin()),
      ...(include.has("users") ? { users: users.map((u) => userJson(u, origin())) } : {}),
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
        'The development Zendesk only adds comments: {"ticket":{"comment":{"body" or "html_body",…,"public","author_id"?},"status"?,"metadata"?,"tags"?,"safe_update"?,"updated_stamp"?}}',
      );
    }
    const { comment, status, metadata, tags, safe_update: safeUpdate, updated_stamp: stamp } = parsed.data.ticket;
    const current = store.ticket(id)!;
    if (safeUpdate !== undefined && stamp !== undefined && Date.parse(stamp) !== Date.parse(current.updatedAt))
      return zendeskError(c, 409, "UpdateConflict", "The ticket was updated since updated_stamp: read it again and retry.");
    const author = comment.author_id == null ? INTEGRATION_USER.id : comment.author_id;
    const authorUser = store.user(author);
    if (!authorUser || (authorUser.role !== "agent" && authorUser.role !== "admin")) return recordInvalid(c, ...REFUSALS.author_invalid);
    const added = store.addComment(id, {
      body: comment.body,
      htmlBody: comment.html_body,
      public: comment.public,
      authorId: author,
      custom: metadata,
      status,
    });
    if (!added.ok) {
      if (added.reason === "not_found") return zendeskError(c, 404, "RecordNotFound", "Not found");
      return recordInvalid(c, ...REFUSALS[added.reason]);
    }
    if (tags !== undefined) store.setTags(id, [tags].flat());
    limits.ticketUpdated(id);
    return c.json({ ticket: ticketJson(store.ticket(id)!, origin()), audit: commentAuditJson(added.comment) });
  });

  /**
   * List Comments. Cursor pagination (`page[size]`, `page[after]`/`page[before]`, `sort=created_at|-created_at`)
   * as the description recommends; offset pagination (`page`, `per_page`, `sort_order=asc|desc`) when asked
   * for it or when no page[…] parameter is given, as Zendesk does.
   */
  api.get("/api/v2/tickets/:ticket_id{[0-9]+}/comments", (c) => {
    const id = Number(c.req.param("ticket_id"));
    if (!store.ticket(id)) return zendeskError(c, 404, "RecordNotFound", "Not found");
    const q = (name: string) => c.req.query(name);
    const cursorMode = q("page[size]") !== undefined || q("page[after]") !== undefined || q("page[before]") !== undefined;
    const all = store.commentsOf(id);
    const base = `${origin()}/api/v2/tickets/${id}/comments.json`;
    if (!cursorMode) {
      const perPage = pageSize(q("per_page"));
      const page = wholeNumber(q("page") ?? "1");
      const order = q("sort_order") ?? "asc";
      if (perPage === undefined || page === undefined || page < 1 || (order !== "asc" && order !== "desc"))
        return zendeskError(
          c,
          400,
          "InvalidPaginationParameter",
          "page must be a whole number from 1, per_page 1 to 100, sort_order asc or desc",
        );
      const sorted = order === "asc" ? [...all] : [...all].reverse();
      const link = (n: number) => `${base}?page=${n}&per_page=${perPage}&sort_order=${order}`;
      return c.json({
        comments: sorted.slice((page - 1) * perPage, page * perPage).map(commentJson),
        next_page: page * perPage < sorted.length ? link(page + 1) : null,
        previous_page: page > 1 ? link(page - 1) : null,
        count: sorted.length,
      });
    }
    const size = pageSize(q("page[size]"));
    const sort = q("sort") ?? "created_at";
    const descending = sort === "-created_at";
    const after = q("page[after]");
    const before = q("page[before]");
    const afterId = after === undefined ? undefined : cursorId(after, descending);
    const beforeId = before === undefined ? undefined : cursorId(before, descending);
    if (
      size === undefined ||
      (sort !== "created_at" && sort !== "-created_at") ||
      (after !== undefined && before !== undefined) ||
      afterId === null ||
      beforeId === null
    )
      return zendeskError(
        c,
        400,
        "InvalidPaginationParameter",
        "page[size] must be 1 to 100, sort created_at or -created_at, and page[after] or page[before] a cursor from meta (for the same sort)",
      );
    const sorted = descending ? [...all].reverse() : [...all];
    // "after" a comment: later in this order; "before": earlier, nearest first.
    const position = (commentId: number) => sorted.findIndex((comment) => comment.id === commentId);
    let page: DevComment[];
    let hasMore: boolean;
    if (beforeId !== undefined) {
      const end = Math.max(0, position(beforeId));
      page = sorted.slice(Math.max(0, end - size), end);
      hasMore = end - size > 0;
    } else {
      const start = afterId === undefined ? 0 : position(afterId) + 1;
      page = sorted.slice(start, start + size);
      hasMore = start + size < sorted.length;
    }
    const first = page[0];
    const last = page.at(-1);
    const link = (key: string, cursor: string) =>
      `${base}?page%5B${key}%5D=${cursor}&page%5Bsize%5D=${size}${descending ? "&sort=-created_at" : ""}`;
    return c.json({
      comments: page.map(commentJson),
      meta: {
        has_more: hasMore,
        after_cursor: last ? cursorFor(last.id, descending) : null,
        before_cursor: first ? cursorFor(first.id, descending) : null,
      },
      links: {
        prev: first ? link("before", cursorFor(first.id, descending)) : null,
        next: hasMore && last && beforeId === undefined ? link("after", cursorFor(last.id, descending)) : null,
      },
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

function wholeNumber(value: string): number | undefined {
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** Opaque to clients, as Zendesk's are: the comment id seen, bound to the sort order. */
function cursorFor(commentId: number, descending: boolean): string {
  return Buffer.from(`c:${descending ? "d" : "a"}:${commentId}`).toString("base64url");
}

/** The comment id in a cursor of this sort order; null for anything else. */
function cursorId(cursor: string, descending: boolean): number | null {
  const match = /^c:([ad]):(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match && match[1] === (descending ? "d" : "a") ? Number(match[2]) : null;
}
