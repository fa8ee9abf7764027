/**
 * The development Zendesk's data, in memory: users, organizations, tickets
 * and their comments. Plain records; wire.ts shapes them as Zendesk's JSON.
 */
import type { DevZendeskSeed } from "./seed";

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
  createdAt: string;
  updatedAt: string;
}

export interface DevComment {
  id: number;
  /** The audit the comment was added in; in Zendesk the comment is that audit's Comment event, with the same id. */
  auditId: number;
  ticketId: number;
  authorId: number;
  body: string;
  public: boolean;
  createdAt: string;
}

/** Zendesk refuses the 5,001st comment on a ticket (422). */
export const MAX_COMMENTS_PER_TICKET = 5000;

export type AddCommentResult = { ok: true; comment: DevComment } | { ok: false; reason: "not_found" | "comment_limit" };

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
  ) {
    for (const u of seed.users) this.users.set(u.id, { ...u });
    for (const o of seed.organizations) this.organizations.set(o.id, { ...o, domainNames: [...o.domainNames] });
    for (const t of seed.tickets) {
      this.tickets.set(t.id, { ...t });
      this.comments.set(t.id, []);
    }
    for (const c of seed.comments) this.comments.get(c.ticketId)?.push({ ...c });
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

  /** `public` left out means what the ticket's first comment was, as Zendesk does. */
  addComment(ticketId: number, c: { body: string; public?: boolean; authorId: number }): AddCommentResult {
    const ticket = this.tickets.get(ticketId);
    const thread = this.comments.get(ticketId);
    if (!ticket || !thread) return { ok: false, reason: "not_found" };
    if (thread.length >= MAX_COMMENTS_PER_TICKET) return { ok: false, reason: "comment_limit" };
    const createdAt = new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const comment: DevComment = {
      id: this.nextCommentId++,
      auditId: this.nextAuditId++,
      ticketId,
      authorId: c.authorId,
      body: c.body,
      public: c.public ?? thread[0]?.public ?? true,
      createdAt,
    };
    thread.push(comment);
    ticket.updatedAt = createdAt;
    return { ok: true, comment };
  }

  /**
   * A new ticket (tests and the demo open their own, as a customer would): from
   * the user with this e-mail (created when unknown), numbered after the
   * highest ticket unless an unused id is given.
   */
  createTicket(input: {
    id?: number;
    subject: string;
    description: string;
    requesterEmail: string;
    requesterName: string;
  }): DevTicket | null {
    const id = input.id ?? Math.max(100_000, ...this.tickets.keys()) + 1;
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
