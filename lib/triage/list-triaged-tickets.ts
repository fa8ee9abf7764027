import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { getDb } from "@/lib/platform/db";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import {
  encodeTriageCursor,
  RESET_ANSWERS_ACCOUNT,
  TRIAGE_STATES,
  type TriageFoundState,
  type TriageListQuery,
  type TriageListState,
} from "./triage-list-query";

export interface TriagedTicket {
  ticketId: string;
  /** The ticket in Zendesk, and its page in the console. */
  ticketUrl: string;
  ticketPath: string;
  /** The state now: what triage found, or reset_done once a reset answered it since. */
  state: TriageListState;
  /** What triage found on arrival. */
  foundState: TriageFoundState;
  /** The latest successful reset made since the ticket arrived, on it or of its account (when state is reset_done). */
  reset: { id: string; at: string; accountId: number; onThisTicket: boolean } | null;
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
  /** How many tickets are in each current state, of all triaged. */
  counts: Record<TriageListState, number>;
}

interface Row {
  ticket_id: string;
  ticket_url: string;
  state: TriageListState;
  found_state: TriageFoundState;
  reset_id: string | null;
  reset_at: Date | null;
  reset_account_id: number | null;
  reset_ticket_id: string | null;
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

/**
 * Every triaged ticket with its current state (decision 031, amended): the
 * latest successful reset made since it arrived, on the ticket itself (any
 * found state but ticket_not_found) or of the account triage found needing one
 * (RESET_ANSWERS_ACCOUNT), makes it reset_done. Two index probes per ticket
 * (scope_reset by ticket and by account, both on created_at).
 */
const CURRENT = (answers: readonly TriageFoundState[]) => Prisma.sql`
  SELECT t.*, t.state::text AS found_state,
         CASE WHEN r.id IS NULL THEN t.state::text ELSE 'reset_done' END AS current_state,
         r.id AS reset_id, r.created_at AS reset_at, r.account_id AS reset_account_id, r.ticket_id AS reset_ticket_id
    FROM ticket_triage t
    LEFT JOIN LATERAL (
      SELECT x.* FROM (
        (SELECT s.id, s.created_at, s.account_id, s.ticket_id FROM scope_reset s
          WHERE s.ticket_id = t.ticket_id AND s.outcome = 'succeeded' AND s.created_at >= t.received_at
          ORDER BY s.created_at DESC LIMIT 1)
        UNION ALL
        (SELECT s.id, s.created_at, s.account_id, s.ticket_id FROM scope_reset s
          WHERE s.account_id = t.account_id AND t.state::text = ANY(${answers as string[]}::text[])
            AND s.outcome = 'succeeded' AND s.created_at >= t.received_at
          ORDER BY s.created_at DESC LIMIT 1)
      ) x ORDER BY x.created_at DESC LIMIT 1
    ) r ON t.state <> 'ticket_not_found'`;

/** The console's ticket list: triaged tickets, newest first, all or by current state, in keyset pages. */
export async function listTriagedTickets(query: TriageListQuery): Promise<TriagedTicketsPage> {
  const db = getDb();
  const conditions = [
    query.state ? Prisma.sql`current_state = ${query.state}` : Prisma.sql`TRUE`,
    query.cursor
      ? Prisma.sql`(received_at, ticket_id) < (${query.cursor.receivedAt}::timestamptz, ${query.cursor.ticketId})`
      : Prisma.sql`TRUE`,
  ];
  const current = CURRENT(RESET_ANSWERS_ACCOUNT);
  // Both reads in one transaction: the counts and the page see the same resets.
  const [rows, counts] = await db.$transaction(
    async (tx) => [
      await tx.$queryRaw<Row[]>`
        SELECT ticket_id, ticket_url, current_state AS state, found_state, reset_id::text AS reset_id, reset_at, reset_account_id,
               reset_ticket_id, subject, requester_email, account_id, account_username, matched_accounts,
               summary, note_status::text AS note_status, note_delivered_at, zendesk_comment_id, last_error, webhooks_received,
               received_at, triaged_at
          FROM (${current}) listed
         WHERE ${Prisma.join(conditions, " AND ")}
         ORDER BY received_at DESC, ticket_id DESC
         LIMIT ${query.limit + 1}`,
      await tx.$queryRaw<{ state: TriageListState; n: bigint }[]>`
        SELECT current_state AS state, count(*) AS n FROM (${current}) listed GROUP BY current_state`,
    ],
    { isolationLevel: "RepeatableRead" },
  );
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
    foundState: r.found_state,
    reset:
      r.reset_id !== null && r.reset_at !== null && r.reset_account_id !== null
        ? { id: r.reset_id, at: r.reset_at.toISOString(), accountId: r.reset_account_id, onThisTicket: r.reset_ticket_id === r.ticket_id }
        : null,
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
