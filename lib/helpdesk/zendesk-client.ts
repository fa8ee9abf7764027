/**
 * A small typed client for the few Zendesk Support calls Scopedesk makes:
 * read a ticket with its requester and organization, add a comment (internal
 * note or public reply), read a ticket's comments, search users.
 *
 * Every failure is a ZendeskError (zendesk-errors.ts). Zendesk has no
 * idempotency key for comments, so a delivery job de-duplicates itself: every
 * comment is added with a marker, carried in the update's custom metadata
 * (Zendesk keeps it on the audit and shows it as the comment's
 * `metadata.custom`, never to the customer), and when addComment fails with
 * `ambiguous: true`, findComment(ticketId, { marker, body }) tells whether it
 * landed before posting again. Arguments that can never be right (a ticket id
 * that is not one, an empty body) throw a TypeError before any request.
 */
import { createTokenSource } from "./oauth-token";
import { ZendeskError, type ZendeskOperation } from "./zendesk-errors";
import { createTransport, type ZendeskLogger, type ZendeskRequest } from "./zendesk-http";
import { ZENDESK_TICKET_UPDATE_LIMIT, ZendeskRateLimits, type TicketUpdateLimit } from "./zendesk-rate-limits";
import {
  appPublicKeyAnswerSchema,
  commentMarker,
  listCommentsResponseSchema,
  MARKER_METADATA_KEY,
  searchUsersResponseSchema,
  showTicketResponseSchema,
  showUserResponseSchema,
  toComment,
  toUser,
  updateTicketResponseSchema,
  type AddedComment,
  type RawComment,
  type RawUser,
  type ZendeskComment,
  type ZendeskTicket,
  type ZendeskUser,
} from "./zendesk-schemas";

export interface ZendeskClientOptions {
  /** The Zendesk account's origin, e.g. https://acme.zendesk.com (see helpdeskSettings). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per attempt, answer included. Default 10 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, where safe (zendesk-http.ts). Default 3. */
  maxRetries?: number;
  /** Longest total wait between the attempts of one call. A longer Retry-After fails at once, with retryAfterSeconds for the caller to reschedule. Default 15 s. */
  maxRetryWaitMs?: number;
  fetch?: typeof fetch;
  logger?: ZendeskLogger;
  /** Milliseconds since the epoch, for token expiry, Retry-After dates and rate-limit windows. Default Date.now. */
  now?: () => number;
  /** Zendesk's per-ticket update limit, counted for this client's updates. Default 30 per 10 minutes (Zendesk's). */
  ticketUpdateLimit?: TicketUpdateLimit;
}

/** A ticket number: digits (as lib/tickets.ts parses them) or a number. */
export type ZendeskTicketId = number | string;

/** The ticket statuses an update may set together with a comment. */
export const COMMENT_STATUSES = ["open", "pending", "solved"] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

export interface NewComment {
  /** Text, which Zendesk renders as Markdown. Exactly one of body and htmlBody. */
  body?: string;
  /** HTML, which Zendesk sanitises. Exactly one of body and htmlBody. */
  htmlBody?: string;
  /** false: an internal note. Always say: Zendesk's default is the ticket's previous setting. */
  public: boolean;
  /** Unique to this comment; sent as the update's custom metadata (`scopedesk_marker`), never shown to the customer. */
  marker: string;
  /** The agent (or admin) shown as the author; absent or null: the integration's own user. */
  authorId?: number | null;
  /** A status to set in the same update, e.g. "pending" with a reply. */
  status?: CommentStatus | null;
  /**
   * The ticket's whole tag list after the update (`tags` sets it), sent as a safe update: with the ticket's
   * `updated_at` as read (`updated_stamp`), so Zendesk answers 409 instead of losing a tag set in between.
   */
  tags?: { set: readonly string[]; updatedStamp: string } | null;
}

export interface FindCommentQuery {
  /** The marker addComment was given: found in the comment's custom metadata, or in its text (comments of earlier versions). */
  marker: string;
  /** The text sent as `body`: a comment whose text equals it (line endings normalised, trimmed) also matches, should custom metadata be missing. */
  body?: string;
  /** Only comments from about this instant on need to be read (the scan then runs newest first and stops before it). */
  since?: Date;
}

export interface ZendeskClient {
  /** The ticket with its requester and organization (one request, include=users,organizations). */
  getTicket(ticketId: ZendeskTicketId): Promise<ZendeskTicket>;
  /**
   * Adds a comment (PUT /api/v2/tickets/{id}: `{ ticket: { comment: { body | html_body, public, author_id? },
   * status?, metadata: { scopedesk_marker } } }`). A comment over COMMENT_MAX_BYTES, or an update that would
   * pass Zendesk's per-ticket update limit, is refused before sending (see ZendeskError.reason).
   */
  addComment(ticketId: ZendeskTicketId, comment: NewComment): Promise<AddedComment>;
  /** @deprecated Without a marker the comment can only be found by its text: pass a NewComment. */
  addComment(ticketId: ZendeskTicketId, comment: { body: string; public: boolean }): Promise<AddedComment>;
  /** Every comment, oldest first (all pages). */
  listComments(ticketId: ZendeskTicketId): Promise<ZendeskComment[]>;
  /** The oldest comment that carries the marker (metadata or text) or, with `body`, equals it; null when none. Stops reading at the first match. */
  findComment(ticketId: ZendeskTicketId, query: FindCommentQuery): Promise<ZendeskComment | null>;
  /** @deprecated findComment(ticketId, { marker }). */
  findCommentContaining(ticketId: ZendeskTicketId, marker: string): Promise<ZendeskComment | null>;
  /** Users matching Zendesk's search syntax (e.g. `email:ops@acme.example`): the first 100 matches. */
  searchUsers(query: string): Promise<ZendeskUser[]>;
  /** The agent or admin with this e-mail address (case-insensitive), or null. */
  findAgentByEmail(email: string): Promise<ZendeskUser | null>;
  /** Show User: the user with this id, with whether it is active (not suspended); null when Zendesk has none. */
  getUser(userId: number | string): Promise<(ZendeskUser & { role: string; active: boolean }) | null>;
  /** The installed app's public key for signed URLs (PEM), as Zendesk publishes it (the sidebar app, decision 030). */
  getAppPublicKeyPem(appId: number | string): Promise<string>;
}

/**
 * The most a comment may hold, in UTF-8 bytes: Zendesk keeps a comment's text in 64 KB ("~65,000
 * characters, depending on encoding and markup", decision 020). Longer ones are refused before sending.
 */
export const COMMENT_MAX_BYTES = 65_535;
/** A marker is a short reference, not a text. */
const MARKER_MAX_CHARS = 200;
/** Comments from this long before `since` are read too: Zendesk's clock and ours may differ. */
const SINCE_MARGIN_MS = 10 * 60_000;

/** The most List Comments returns per page. */
const COMMENTS_PAGE_SIZE = 100;
/** A ticket holds at most 5,000 comments (50 pages); more pages means a cursor going round in circles. */
const MAX_COMMENT_PAGES = 60;
const TICKET_ID = /^[1-9][0-9]{0,14}$/;

export function createZendeskClient(options: ZendeskClientOptions): ZendeskClient {
  const baseUrl = checkedBaseUrl(options.baseUrl);
  const now = options.now ?? Date.now;
  const transport = createTransport({
    baseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 3,
    maxRetryWaitMs: options.maxRetryWaitMs ?? 15_000,
    fetch: options.fetch ?? fetch,
    logger: options.logger,
    now,
    rateLimits: new ZendeskRateLimits(options.ticketUpdateLimit ?? ZENDESK_TICKET_UPDATE_LIMIT, now),
  });
  const tokens = createTokenSource({ transport, clientId: options.clientId, clientSecret: options.clientSecret, now });

  /** With the cached token. A 401 means it was revoked or expired early: nothing was applied, so renew it once and repeat. */
  async function authed<T>(request: Omit<ZendeskRequest<T>, "authorization">): Promise<T> {
    const token = await tokens.get();
    try {
      return await transport({ ...request, authorization: `Bearer ${token}` });
    } catch (err) {
      if (!(err instanceof ZendeskError && err.status === 401)) throw err;
      tokens.invalidate(token);
      return transport({ ...request, authorization: `Bearer ${await tokens.get()}` });
    }
  }

  /** Cursor pagination as the description recommends. The next page is built from meta.after_cursor, never from links.next, so the token only ever goes to baseUrl. */
  async function* commentPages(ticketId: number, order: "oldest_first" | "newest_first" = "oldest_first"): AsyncGenerator<RawComment[]> {
    let after: string | null = null;
    for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
      const query: Record<string, string> = { "page[size]": String(COMMENTS_PAGE_SIZE) };
      // Cursor pagination sorts with `sort` (ListTicketComments' description); oldest first is the default.
      if (order === "newest_first") query.sort = "-created_at";
      if (after !== null) query["page[after]"] = after;
      const path = `/api/v2/tickets/${ticketId}/comments`;
      const answer = await authed({ operation: "listComments", method: "GET", path, query, schema: listCommentsResponseSchema });
      yield answer.comments;
      if (!answer.meta.has_more) return;
      if (!answer.meta.after_cursor || answer.meta.after_cursor === after) break;
      after = answer.meta.after_cursor;
    }
    throw invalidAnswer("listComments", "the comment pages do not end");
  }

  async function firstComment(ticketId: number, matches: (comment: RawComment) => boolean): Promise<RawComment | null> {
    for await (const page of commentPages(ticketId)) {
      const found = page.find(matches);
      if (found) return found;
    }
    return null;
  }

  /** Newest first down to `since`: the last match seen is the oldest one after it. */
  async function oldestCommentSince(
    ticketId: number,
    since: number,
    matches: (comment: RawComment) => boolean,
  ): Promise<RawComment | null> {
    let oldest: RawComment | null = null;
    for await (const page of commentPages(ticketId, "newest_first")) {
      for (const comment of page) {
        if (Date.parse(comment.created_at) < since) return oldest;
        if (matches(comment)) oldest = comment;
      }
    }
    return oldest;
  }

  const client: ZendeskClient = {
    async getTicket(ticketId) {
      const id = checkedTicketId(ticketId);
      const answer = await authed({
        operation: "getTicket",
        method: "GET",
        path: `/api/v2/tickets/${id}`,
        query: { include: "users,organizations" },
        schema: showTicketResponseSchema,
      });
      const { ticket } = answer;
      const requester = answer.users.find((u) => u.id === ticket.requester_id);
      const organizationId = ticket.organization_id ?? null;
      const organization = organizationId === null ? null : answer.organizations.find((o) => o.id === organizationId);
      if (ticket.id !== id) throw invalidAnswer("getTicket", "the answer is about another ticket");
      if (!requester) throw invalidAnswer("getTicket", "the requester is not in the answer's users");
      if (organization === undefined) throw invalidAnswer("getTicket", "the organization is not in the answer's organizations");
      return {
        id: ticket.id,
        subject: ticket.subject,
        status: ticket.status,
        requester: { id: requester.id, name: requester.name, email: requester.email ?? null },
        assigneeId: ticket.assignee_id ?? null,
        assignee: assigneeOf(ticket.assignee_id ?? null, answer.users),
        organization: organization && { id: organization.id, name: organization.name },
        tags: ticket.tags == null ? [] : [ticket.tags].flat(),
        updatedAt: ticket.updated_at ?? null,
        url: `${baseUrl}/agent/tickets/${ticket.id}`,
      };
    },

    async addComment(ticketId: ZendeskTicketId, comment: NewComment | { body: string; public: boolean }): Promise<AddedComment> {
      const id = checkedTicketId(ticketId);
      const c = checkedComment(comment);
      const { audit } = await authed({
        operation: "addComment",
        method: "PUT",
        path: `/api/v2/tickets/${id}`,
        body: {
          ticket: {
            comment: {
              ...(c.htmlBody !== undefined ? { html_body: c.htmlBody } : { body: c.body }),
              public: c.public,
              ...(c.authorId != null ? { author_id: c.authorId } : {}),
            },
            ...(c.status != null ? { status: c.status } : {}),
            ...(c.tags != null ? { tags: [...c.tags.set], safe_update: true, updated_stamp: c.tags.updatedStamp } : {}),
            ...(c.marker !== undefined ? { metadata: { [MARKER_METADATA_KEY]: c.marker } } : {}),
          },
        },
        ticketUpdate: id,
        schema: updateTicketResponseSchema,
      });
      // The new comment is the audit's Comment event (same id). Should an answer lack it, the
      // comment is the one whose audit_id is this audit's id, as List Comments documents.
      const event = audit.events.find((e) => e.type === "Comment");
      if (event?.id !== undefined && audit.created_at !== undefined)
        return { commentId: event.id, createdAt: audit.created_at, auditId: audit.id };
      const found = await firstComment(id, (raw) => raw.audit_id === audit.id).catch((err: unknown) => {
        throw invalidAnswer("addComment", "added, but the new comment could not be read back", { ambiguous: true, cause: err });
      });
      if (!found) throw invalidAnswer("addComment", "the answer names no new comment", { ambiguous: true });
      return { commentId: found.id, createdAt: found.created_at, auditId: audit.id };
    },

    async listComments(ticketId) {
      const id = checkedTicketId(ticketId);
      const comments: ZendeskComment[] = [];
      for await (const page of commentPages(id)) comments.push(...page.map(toComment));
      return comments;
    },

    async findComment(ticketId, query) {
      const id = checkedTicketId(ticketId);
      const marker = checkedMarker(query.marker, "findComment");
      const body = query.body === undefined ? undefined : normalisedText(query.body);
      if (body === "") throw new TypeError("Zendesk findComment: the body is empty");
      const since = query.since?.getTime();
      if (since !== undefined && Number.isNaN(since)) throw new TypeError("Zendesk findComment: since is not a date");
      const matches = (raw: RawComment) =>
        commentMarker(raw) === marker ||
        raw.body.includes(marker) ||
        (raw.plain_body?.includes(marker) ?? false) ||
        (body !== undefined &&
          (normalisedText(raw.body) === body || (raw.plain_body !== undefined && normalisedText(raw.plain_body) === body)));
      const found = since === undefined ? await firstComment(id, matches) : await oldestCommentSince(id, since - SINCE_MARGIN_MS, matches);
      return found && toComment(found);
    },

    findCommentContaining(ticketId, marker) {
      return client.findComment(ticketId, { marker });
    },

    async searchUsers(query) {
      if (query.trim() === "") throw new TypeError("Zendesk searchUsers: the query is empty");
      const answer = await authed({
        operation: "searchUsers",
        method: "GET",
        path: "/api/v2/users/search",
        query: { query, per_page: "100" },
        schema: searchUsersResponseSchema,
      });
      return answer.users.map(toUser);
    },

    async findAgentByEmail(email) {
      const address = email.trim();
      // Zendesk's search syntax takes the address as one term: no spaces, quotes or parentheses.
      if (!/^[^\s@"()]{1,64}@[^\s@"()]{1,253}$/.test(address)) throw new TypeError("Zendesk findAgentByEmail: not an e-mail address");
      const users = await client.searchUsers(`email:${address}`);
      const wanted = address.toLowerCase();
      return users.find((u) => (u.role === "agent" || u.role === "admin") && u.email?.toLowerCase() === wanted) ?? null;
    },

    async getUser(userId) {
      const id = checkedId(userId, "getUser");
      try {
        const { user } = await authed({ operation: "getUser", method: "GET", path: `/api/v2/users/${id}`, schema: showUserResponseSchema });
        if (user.id !== id) throw invalidAnswer("getUser", "the answer is about another user");
        return {
          ...toUser(user),
          role: user.role,
          active: user.active !== false && user.suspended !== true,
        };
      } catch (err) {
        if (err instanceof ZendeskError && err.kind === "not_found") return null;
        throw err;
      }
    },

    async getAppPublicKeyPem(appId) {
      const id = checkedId(appId, "getAppPublicKeyPem");
      return authed({
        operation: "getAppPublicKey",
        method: "GET",
        path: `/api/v2/apps/${id}/public_key.pem`,
        answer: { accept: "application/x-pem-file, text/plain", text: true },
        schema: appPublicKeyAnswerSchema,
      });
    },
  };
  return client;
}

function assigneeOf(id: number | null, users: readonly RawUser[]): ZendeskTicket["assignee"] {
  const user = id === null ? undefined : users.find((u) => u.id === id);
  return user ? { id: user.id, name: user.name, email: user.email ?? null } : null;
}

/** What addComment sends, checked: exactly one non-empty text within the size limit, a marker, a valid author and status. */
function checkedComment(comment: NewComment | { body: string; public: boolean }): {
  body?: string;
  htmlBody?: string;
  public: boolean;
  marker?: string;
  authorId?: number | null;
  status?: CommentStatus | null;
  tags?: { set: readonly string[]; updatedStamp: string } | null;
} {
  const c = comment as NewComment;
  if ((c.body === undefined) === (c.htmlBody === undefined))
    throw new TypeError("Zendesk addComment: give exactly one of body and htmlBody");
  const text = c.body ?? c.htmlBody!;
  if (typeof text !== "string" || text.trim() === "") throw new TypeError("Zendesk addComment: the comment body is empty");
  if (typeof c.public !== "boolean") throw new TypeError("Zendesk addComment: say whether the comment is public");
  const marker = "marker" in c ? checkedMarker(c.marker, "addComment") : undefined;
  if (c.authorId != null && !(Number.isSafeInteger(c.authorId) && c.authorId > 0))
    throw new TypeError("Zendesk addComment: authorId must be a user id");
  if (c.status != null && !(COMMENT_STATUSES as readonly string[]).includes(c.status))
    throw new TypeError(`Zendesk addComment: status must be one of ${COMMENT_STATUSES.join(", ")}`);
  if (c.tags != null && (!c.tags.set.every((t) => /^[^\s,]{1,80}$/.test(t)) || Number.isNaN(Date.parse(c.tags.updatedStamp))))
    throw new TypeError("Zendesk addComment: tags must be words without spaces or commas, with the ticket's updated_at");
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > COMMENT_MAX_BYTES) {
    throw new ZendeskError({
      kind: "rejected",
      operation: "addComment",
      reason: "comment_too_large",
      message: `the comment is ${bytes} bytes, over Zendesk's ${COMMENT_MAX_BYTES}; not sent`,
    });
  }
  return { body: c.body, htmlBody: c.htmlBody, public: c.public, marker, authorId: c.authorId, status: c.status, tags: c.tags };
}

function checkedMarker(marker: unknown, operation: string): string {
  if (typeof marker !== "string" || marker.trim() === "") throw new TypeError(`Zendesk ${operation}: the marker is empty`);
  if (marker.length > MARKER_MAX_CHARS || /[\u0000-\u001f\u007f]/.test(marker))
    throw new TypeError(`Zendesk ${operation}: the marker must be one line of at most ${MARKER_MAX_CHARS} characters`);
  return marker;
}

/** Line endings as \n, surrounding blanks trimmed: what makes two texts the same comment. */
function normalisedText(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

function invalidAnswer(operation: ZendeskOperation, message: string, extra: { ambiguous?: boolean; cause?: unknown } = {}): ZendeskError {
  return new ZendeskError({ kind: "invalid_response", operation, message, ...extra });
}

function checkedId(value: number | string, operation: string): number {
  const text = String(value);
  if (!/^[1-9][0-9]{0,17}$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new TypeError(`Zendesk ${operation}: ${JSON.stringify(text.slice(0, 40))} is not an id`);
  return Number(text);
}

function checkedTicketId(value: ZendeskTicketId): number {
  const text = String(value);
  if (!TICKET_ID.test(text)) throw new TypeError(`Zendesk: ${JSON.stringify(text.slice(0, 40))} is not a ticket id`);
  return Number(text);
}

function checkedBaseUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new TypeError(`Zendesk: the base URL must be an http(s) URL (got ${JSON.stringify(value.slice(0, 100))})`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
