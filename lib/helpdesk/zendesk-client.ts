/**
 * A small typed client for the few Zendesk Support calls Scopedesk makes:
 * read a ticket with its requester and organization, add a comment (internal
 * note or public reply), read a ticket's comments, search users.
 *
 * Every failure is a ZendeskError (zendesk-errors.ts). Zendesk has no
 * idempotency key for comments, so a delivery job de-duplicates itself: put a
 * marker (e.g. the reset id) in every note and, when addComment fails with
 * `ambiguous: true`, call findCommentContaining(ticketId, marker) before
 * posting again. Arguments that can never be right (a ticket id that is not
 * one, an empty body) throw a TypeError before any request.
 */
import { createTokenSource } from "./oauth-token";
import { ZendeskError, type ZendeskOperation } from "./zendesk-errors";
import { createTransport, type ZendeskLogger, type ZendeskRequest } from "./zendesk-http";
import {
  listCommentsResponseSchema,
  searchUsersResponseSchema,
  showTicketResponseSchema,
  toComment,
  toUser,
  updateTicketResponseSchema,
  type AddedComment,
  type RawComment,
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
  /** Milliseconds since the epoch, for token expiry and Retry-After dates. Default Date.now. */
  now?: () => number;
}

/** A ticket number: digits (as lib/tickets.ts parses them) or a number. */
export type ZendeskTicketId = number | string;

export interface ZendeskClient {
  /** The ticket with its requester and organization (one request, include=users,organizations). */
  getTicket(ticketId: ZendeskTicketId): Promise<ZendeskTicket>;
  /** Adds a comment; `public: false` makes it an internal note. Always pass it: Zendesk's default is the ticket's previous setting. */
  addComment(ticketId: ZendeskTicketId, comment: { body: string; public: boolean }): Promise<AddedComment>;
  /** Every comment, oldest first (all pages). */
  listComments(ticketId: ZendeskTicketId): Promise<ZendeskComment[]>;
  /** The oldest comment whose text contains the marker, or null; stops reading pages at the first match. */
  findCommentContaining(ticketId: ZendeskTicketId, marker: string): Promise<ZendeskComment | null>;
  /** Users matching Zendesk's search syntax (e.g. `email:ops@acme.example`): the first 100 matches. */
  searchUsers(query: string): Promise<ZendeskUser[]>;
}

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
  async function* commentPages(ticketId: number): AsyncGenerator<RawComment[]> {
    let after: string | null = null;
    for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
      const query: Record<string, string> = { "page[size]": String(COMMENTS_PAGE_SIZE) };
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

  async function findComment(ticketId: number, matches: (comment: RawComment) => boolean): Promise<RawComment | null> {
    for await (const page of commentPages(ticketId)) {
      const found = page.find(matches);
      if (found) return found;
    }
    return null;
  }

  return {
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
        organization: organization && { id: organization.id, name: organization.name },
        url: `${baseUrl}/agent/tickets/${ticket.id}`,
      };
    },

    async addComment(ticketId, comment) {
      const id = checkedTicketId(ticketId);
      if (comment.body.trim() === "") throw new TypeError("Zendesk addComment: the comment body is empty");
      if (typeof comment.public !== "boolean") throw new TypeError("Zendesk addComment: say whether the comment is public");
      const { audit } = await authed({
        operation: "addComment",
        method: "PUT",
        path: `/api/v2/tickets/${id}`,
        body: { ticket: { comment: { body: comment.body, public: comment.public } } },
        schema: updateTicketResponseSchema,
      });
      // The new comment is the audit's Comment event (same id). Should an answer lack it, the
      // comment is the one whose audit_id is this audit's id, as List Comments documents.
      const event = audit.events.find((e) => e.type === "Comment");
      if (event?.id !== undefined && audit.created_at !== undefined) return { commentId: event.id, createdAt: audit.created_at };
      const found = await findComment(id, (c) => c.audit_id === audit.id).catch((err: unknown) => {
        throw invalidAnswer("addComment", "added, but the new comment could not be read back", { ambiguous: true, cause: err });
      });
      if (!found) throw invalidAnswer("addComment", "the answer names no new comment", { ambiguous: true });
      return { commentId: found.id, createdAt: found.created_at };
    },

    async listComments(ticketId) {
      const id = checkedTicketId(ticketId);
      const comments: ZendeskComment[] = [];
      for await (const page of commentPages(id)) comments.push(...page.map(toComment));
      return comments;
    },

    async findCommentContaining(ticketId, marker) {
      const id = checkedTicketId(ticketId);
      if (marker.trim() === "") throw new TypeError("Zendesk findCommentContaining: the marker is empty");
      const found = await findComment(id, (c) => c.body.includes(marker) || (c.plain_body?.includes(marker) ?? false));
      return found && toComment(found);
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
  };
}

function invalidAnswer(operation: ZendeskOperation, message: string, extra: { ambiguous?: boolean; cause?: unknown } = {}): ZendeskError {
  return new ZendeskError({ kind: "invalid_response", operation, message, ...extra });
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
