/**
 * The development Zendesk's data, in memory: users, organizations, tickets
 * and their comments. Plain records; wire.ts shapes them as Zendesk's JSON.
 */
import { htmlToText, renderMarkdown, sanitizeHtml } from "./markup";
import type { DevZendeskSeed } from "./seed";

/** New tickets are numbered from here unless told otherwise (the seed's tickets are below). */
export const FIRST_TICKET_ID = 100_001;

export interface DevUser {
  id: number;
  name: string;
  email: string | null;
  role: "end-user" | "agent" | "admin";
  organizationId: number | null;
  createdAt: string;
}

export interface DevOrganization {
  id: number;
  name: string;
  domainNames: string[];
  createdAt: string;
}

export interface DevTicket {
  id: number;
  subject: string;
  description: string;
  status: "new" | "open" | "pending" | "hold" | "solved" | "closed";
  requesterId: number;
  organizationId: number | null;
  /** The agent it is assigned to (seeded tickets: nobody; POST /__dev/tickets/{id}/assignee sets one). */
  assigneeId?: number | null;
  /** Its tags (TicketObject.tags): those it was opened with, and what an update's `tags` set. */
  tags?: string[];
  createdAt: string;
  updatedAt: string;
}

export type DevTicketStatus = DevTicket["status"];

export interface DevComment {
  id: number;
  /** The audit the comment was added in; in Zendesk the comment is that audit's Comment event, with the same id. */
  auditId: number;
  ticketId: number;
  authorId: number;
  /** The text as sent (`body`), or the text of the HTML (`html_body`). */
  body: string;
  /** What agents see: the Markdown of `body` rendered, or `html_body` sanitised. */
  htmlBody: string;
  /** The text of htmlBody. */
  plainBody: string;
  public: boolean;
  createdAt: string;
  /** The update's custom metadata (`ticket.metadata`), shown as the audit's and the comment's `metadata.custom`. */
  custom: Record<string, unknown>;
  /** The status the same update set, if it changed it. */
  statusChange: { eventId: number; from: DevTicketStatus; to: DevTicketStatus } | null;
}

/** Zendesk refuses the 5,001st comment on a ticket (422). */
export const MAX_COMMENTS_PER_TICKET = 5000;
/** A comment's text is kept in 64 KB (decision 020): longer is refused (422). */
export const MAX_COMMENT_BYTES = 65_535;
/** The statuses an update may set (a ticket never goes back to new; closing is Zendesk's own doing). */
export const SETTABLE_STATUSES = ["open", "pending", "hold", "solved"] as const;

export interface NewDevComment {
  body?: string;
  htmlBody?: string;
  public?: boolean;
  authorId: number;
  custom?: Record<string, unknown>;
  status?: DevTicketStatus;
}

export type AddCommentFailure = "not_found" | "comment_limit" | "closed" | "too_large" | "author_invalid" | "status_invalid" | "empty";
export type AddCommentResult = { ok: true; comment: DevComment } | { ok: false; reason: AddCommentFailure };

export class DevZendeskStore {
  private readonly tickets = new Map<number, DevTicket>();
  private readonly users = new Map<number, DevUser>();
  private readonly organizations = new Map<number, DevOrganization>();
  private readonly comments = new Map<number, DevComment[]>();
  private nextCommentId: number;
  private nextAuditId: number;

  constructor(
    seed: DevZendeskSeed,
    private readonly clock: () => number = Date.now,
    /** The number a new ticket gets at the least (after a restart: past every ticket Scopedesk already knows). */
    private readonly firstTicketId = FIRST_TICKET_ID,
  ) {
    for (const u of seed.users) this.users.set(u.id, { ...u });
    for (const o of seed.organizations) this.organizations.set(o.id, { ...o, domainNames: [...o.domainNames] });
    for (const t of seed.tickets) {
      this.tickets.set(t.id, { ...t });
      this.comments.set(t.id, []);
    }
    for (const c of seed.comments) this.comments.get(c.ticketId)?.push({ ...c, custom: { ...c.custom } });
    const all = seed.comments;
    this.nextCommentId = Math.max(0, ...all.map((c) => c.id)) + 1;
    this.nextAuditId = Math.max(0, ...all.map((c) => c.auditId)) + 1;
  }

  ticket(id: number): DevTicket | undefined {
    return this.tickets.get(id);
  }

  allTickets(): DevTicket[] {
    return [...this.tickets.values()].sort((a, b) => a.id - b.id);
  }

  user(id: number): DevUser | undefined {
    return this.users.get(id);
  }

  organization(id: number | null): DevOrganization | undefined {
    return id === null ? undefined : this.organizations.get(id);
  }

  /** Oldest first. */
  commentsOf(ticketId: number): readonly DevComment[] {
    return this.comments.get(ticketId) ?? [];
  }

  /**
   * What an update with a comment does, checked as Zendesk checks it: the ticket exists and is not
   * closed, the text is not empty nor over 64 KB, the author is an agent or admin, the status one an
   * update may set, the ticket not full. `public` left out means what the ticket's first comment was.
   */
  addComment(ticketId: number, c: NewDevComment): AddCommentResult {
    const ticket = this.tickets.get(ticketId);
    const thread = this.comments.get(ticketId);
    if (!ticket || !thread) return { ok: false, reason: "not_found" };
    if (ticket.status === "closed") return { ok: false, reason: "closed" };
    const text = c.htmlBody ?? c.body ?? "";
    if (text.trim() === "") return { ok: false, reason: "empty" };
    if (Buffer.byteLength(text, "utf8") > MAX_COMMENT_BYTES) return { ok: false, reason: "too_large" };
    const author = this.users.get(c.authorId);
    if (!author || (author.role !== "agent" && author.role !== "admin" && author.id !== ticket.requesterId))
      return { ok: false, reason: "author_invalid" };
    if (c.status !== undefined && !(SETTABLE_STATUSES as readonly string[]).includes(c.status))
      return { ok: false, reason: "status_invalid" };
    if (thread.length >= MAX_COMMENTS_PER_TICKET) return { ok: false, reason: "comment_limit" };
    const createdAt = new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const htmlBody = c.htmlBody !== undefined ? sanitizeHtml(c.htmlBody) : renderMarkdown(c.body!);
    const plainBody = htmlToText(htmlBody);
    const id = this.nextCommentId++;
    const statusChange =
      c.status !== undefined && c.status !== ticket.status ? { eventId: this.nextCommentId++, from: ticket.status, to: c.status } : null;
    const comment: DevComment = {
      id,
      auditId: this.nextAuditId++,
      ticketId,
      authorId: c.authorId,
      body: c.body ?? plainBody,
      htmlBody,
      plainBody,
      public: c.public ?? thread[0]?.public ?? true,
      createdAt,
      custom: { ...c.custom },
      statusChange,
    };
    thread.push(comment);
    ticket.updatedAt = createdAt;
    if (statusChange) ticket.status = statusChange.to;
    return { ok: true, comment };
  }

  /** An update's `tags`: the ticket's whole list, as Zendesk's "set tags" (lower-cased, each once). */
  setTags(ticketId: number, tags: readonly string[]): void {
    const ticket = this.tickets.get(ticketId);
    if (ticket) ticket.tags = [...new Set(tags.map((t) => t.toLowerCase()))];
  }

  /** A status set from outside an update (the dev control; Zendesk closes solved tickets on its own after a while). */
  setStatus(ticketId: number, status: DevTicketStatus): DevTicket | undefined {
    const ticket = this.tickets.get(ticketId);
    if (ticket) ticket.status = status;
    return ticket;
  }

  /**
   * Assigns the ticket to the agent with this e-mail (an agent user is made
   * for an address Zendesk does not know yet), or to nobody (null).
   */
  assign(ticketId: number, agent: { email: string; name?: string } | null): DevTicket | undefined {
    const ticket = this.tickets.get(ticketId);
    if (!ticket) return undefined;
    if (agent === null) {
      ticket.assigneeId = null;
      return ticket;
    }
    let user = [...this.users.values()].find((u) => u.email?.toLowerCase() === agent.email.toLowerCase());
    if (!user) {
      user = {
        id: Math.max(0, ...this.users.keys()) + 1,
        name: agent.name ?? agent.email.split("@")[0]!,
        email: agent.email,
        role: "agent",
        organizationId: null,
        createdAt: new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      };
      this.users.set(user.id, user);
    } else if (user.role === "end-user") user.role = "agent";
    ticket.assigneeId = user.id;
    return ticket;
  }

  /**
   * A new ticket (tests and the demo open their own, as a customer would): from
   * the user with this e-mail (created when unknown), numbered after the
   * highest ticket, and from `firstTicketId` on, unless an unused id is given.
   */
  createTicket(input: {
    id?: number;
    subject: string;
    description: string;
    requesterEmail: string;
    requesterName: string;
    tags?: readonly string[];
  }): DevTicket | null {
    const id = input.id ?? Math.max(this.firstTicketId - 1, ...this.tickets.keys()) + 1;
    if (this.tickets.has(id)) return null;
    const now = new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
    let requester = [...this.users.values()].find((u) => u.email?.toLowerCase() === input.requesterEmail.toLowerCase());
    if (!requester) {
      requester = {
        id: Math.max(0, ...this.users.keys()) + 1,
        name: input.requesterName,
        email: input.requesterEmail,
        role: "end-user",
        organizationId: null,
        createdAt: now,
      };
      this.users.set(requester.id, requester);
    }
    const ticket: DevTicket = {
      id,
      subject: input.subject,
      description: input.description,
      status: "open",
      requesterId: requester.id,
      organizationId: requester.organizationId,
      tags: [...new Set(input.tags ?? [])],
      createdAt: now,
      updatedAt: now,
    };
    this.tickets.set(id, ticket);
    this.comments.set(id, []);
    this.addComment(id, { body: input.description, public: true, authorId: requester.id });
    return ticket;
  }

  /**
   * A little of Zendesk's search syntax: `email:<address>` (exact), `name:<text>`
   * or free text (part of the name or e-mail address), case-insensitive, quotes allowed.
   */
  searchUsers(query: string): DevUser[] {
    const unquote = (s: string) =>
      s
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .trim()
        .toLowerCase();
    const field = /^(email|name):(.*)$/i.exec(query.trim());
    const needle = unquote(field ? field[2]! : query);
    if (needle === "") return [];
    const kind = field?.[1]!.toLowerCase();
    const matches = (u: DevUser) => {
      const email = u.email?.toLowerCase() ?? "";
      if (kind === "email") return email === needle;
      if (kind === "name") return u.name.toLowerCase().includes(needle);
      return u.name.toLowerCase().includes(needle) || email.includes(needle);
    };
    return [...this.users.values()].filter(matches).sort((a, b) => a.id - b.id);
  }
}
