import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { getDb } from "@/lib/platform/db";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { encodeTriageCursor, TRIAGE_STATES, type TriageListQuery, type TriageListState } from "./triage-list-query";

export interface TriagedTicket {
  ticketId: string;
  /** The ticket in Zendesk, and its page in the console. */
  ticketUrl: string;
  ticketPath: string;
  state: TriageListState;
  subject: string | null;
  requesterEmail: string | null;
  account: { id: number; username: string } | null;
  matchedAccounts: number;
  summary: string | null;
  note: {
    status: "pending" | "delivered" | "dead" | "not_posted";
    deliveredAt: string | null;
    commentId: string | null;
    lastError: string | null;
  };
  webhooksReceived: number;
  receivedAt: string;
  triagedAt: string | null;
}

export interface TriagedTicketsPage {
  items: TriagedTicket[];
  nextCursor: string | null;
  /** How many tickets are in each state, of all triaged. */
  counts: Record<TriageListState, number>;
}

interface Row {
  ticket_id: string;
  ticket_url: string;
  state: TriageListState;
  subject: string | null;
  requester_email: string | null;
  account_id: number | null;
  account_username: string | null;
  matched_accounts: number;
  summary: string | null;
  note_status: TriagedTicket["note"]["status"];
  note_delivered_at: Date | null;
  zendesk_comment_id: bigint | null;
  last_error: string | null;
  webhooks_received: number;
  received_at: Date;
  triaged_at: Date | null;
}

/** The console's ticket list: triaged tickets, newest first, all or by state, in keyset pages. */
export async function listTriagedTickets(query: TriageListQuery): Promise<TriagedTicketsPage> {
  const db = getDb();
  const conditions = [
    query.state ? Prisma.sql`state = ${query.state}::ticket_triage_state` : Prisma.sql`TRUE`,
    query.cursor
      ? Prisma.sql`(received_at, ticket_id) < (${query.cursor.receivedAt}::timestamptz, ${query.cursor.ticketId})`
      : Prisma.sql`TRUE`,
  ];
  const [rows, counts] = await Promise.all([
    db.$queryRaw<Row[]>`
      SELECT ticket_id, ticket_url, state::text AS state, subject, requester_email, account_id, account_username, matched_accounts,
             summary, note_status::text AS note_status, note_delivered_at, zendesk_comment_id, last_error, webhooks_received,
             received_at, triaged_at
        FROM ticket_triage
       WHERE ${Prisma.join(conditions, " AND ")}
       ORDER BY received_at DESC, ticket_id DESC
       LIMIT ${query.limit + 1}`,
    db.$queryRaw<{ state: TriageListState; n: bigint }[]>`SELECT state::text AS state, count(*) AS n FROM ticket_triage GROUP BY state`,
  ]);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor:
      rows.length > query.limit && last
        ? encodeTriageCursor(query.state, { receivedAt: last.received_at, ticketId: last.ticket_id })
        : null,
    counts: Object.fromEntries(TRIAGE_STATES.map((s) => [s, Number(counts.find((c) => c.state === s)?.n ?? 0)])) as Record<
      TriageListState,
      number
    >,
  };
}

function toView(r: Row): TriagedTicket {
  return {
    ticketId: r.ticket_id,
    ticketUrl: r.ticket_url,
    ticketPath: ticketPath(r.ticket_id),
    state: r.state,
    subject: r.subject,
    requesterEmail: r.requester_email,
    account: r.account_id !== null && r.account_username !== null ? { id: r.account_id, username: r.account_username } : null,
    matchedAccounts: r.matched_accounts,
    summary: r.summary,
    note: {
      status: r.note_status,
      deliveredAt: r.note_delivered_at?.toISOString() ?? null,
      commentId: r.zendesk_comment_id === null ? null : r.zendesk_comment_id.toString(),
      lastError: r.last_error,
    },
    webhooksReceived: r.webhooks_received,
    receivedAt: r.received_at.toISOString(),
    triagedAt: r.triaged_at?.toISOString() ?? null,
  };
}
