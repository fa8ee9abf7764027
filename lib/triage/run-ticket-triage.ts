import "server-only";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { isZendeskError } from "@/lib/helpdesk/zendesk-errors";
import type { ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { computeTriage } from "./compute-triage";

/**
 * The triage job of one ticket (decision 031): read the ticket, triage it,
 * post one internal note, once. The recipe of decision 016, as the reset
 * notes' delivery follows it:
 *  - one worker at a time per ticket: a lease on the row, claimed by one
 *    UPDATE and given back when the try ends, so no database connection is
 *    held across the Zendesk requests (a worker that dies leaves a lease
 *    that runs out by itself);
 *  - `note_in_flight_since` is committed just before posting and cleared when
 *    the answer is recorded; whenever it is set, the ticket is searched for
 *    the note's marker before anything is posted again;
 *  - the note is computed again before each post (the account may have been
 *    reset while Zendesk was away), so what it says is true when it is sent;
 *  - failures a person must fix go dead at once, the others retry with backoff
 *    (the queue's policy) and go dead on the last try.
 * It reads accounts, never changes one. Every delivery and death is an audit event.
 */
export type TriageOutcome = "delivered" | "recovered" | "already_delivered" | "dead" | "ticket_not_found" | "not_posted";

/** Another worker holds the ticket's lease: this try changes nothing and the job is tried again later. */
export class TriageBusy extends Error {
  override name = "TriageBusy";
}

const SYSTEM = { id: null, name: "ticket triage", email: null };
const LEASE = "2 minutes";
const DONE: Record<string, TriageOutcome> = { delivered: "already_delivered", dead: "dead", not_posted: "not_posted" };

export async function runTicketTriage(
  ticketId: string,
  client: ZendeskClient,
  attempt: { finalAttempt: boolean; jobId: string },
): Promise<TriageOutcome> {
  const db = getDb();
  const meta: RequestMeta = { requestId: `job:${attempt.jobId}`, ip: null, userAgent: null };
  const [claimed] = await db.$queryRaw<
    { note_status: string; note_marker: string; note_body: string | null; note_in_flight_since: Date | null }[]
  >`
    UPDATE ticket_triage SET note_lease_until = now() + ${LEASE}::interval
     WHERE ticket_id = ${ticketId} AND note_status = 'pending' AND (note_lease_until IS NULL OR note_lease_until < now())
    RETURNING note_status::text AS note_status, note_marker, note_body, note_in_flight_since`;
  if (!claimed) {
    const row = await db.ticketTriage.findUniqueOrThrow({ where: { ticketId }, select: { noteStatus: true } });
    if (DONE[row.noteStatus]) return DONE[row.noteStatus]!;
    throw new TriageBusy(`Ticket #${ticketId} is being triaged by another worker.`);
  }
  try {
    return await triageOnce(ticketId, claimed, client, attempt, meta);
  } finally {
    await db.ticketTriage.update({ where: { ticketId }, data: { noteLeaseUntil: null } });
  }
}

async function triageOnce(
  ticketId: string,
  row: { note_marker: string; note_body: string | null; note_in_flight_since: Date | null },
  client: ZendeskClient,
  attempt: { finalAttempt: boolean },
  meta: RequestMeta,
): Promise<TriageOutcome> {
  const db = getDb();
  // Once the note is on its way, only a clear refusal by Zendesk says it was not posted.
  let posting = false;
  try {
    if (row.note_in_flight_since) {
      // An earlier try may have posted it: look before posting again (by its marker, or the text it sent).
      const found = await client.findComment(ticketId, {
        marker: row.note_marker,
        ...(row.note_body ? { body: row.note_body } : {}),
        since: new Date(row.note_in_flight_since.getTime() - 60_000),
      });
      if (found) {
        await markDelivered(ticketId, { commentId: found.id, at: new Date(found.createdAt) }, true, meta);
        return "recovered";
      }
    }
    let ticket;
    try {
      ticket = await client.getTicket(ticketId);
    } catch (error) {
      if (!(isZendeskError(error) && error.kind === "not_found")) throw error;
      await db.ticketTriage.update({
        where: { ticketId },
        data: {
          state: "ticket_not_found",
          noteStatus: "not_posted",
          summary: "Zendesk has no such ticket.",
          noteInFlightSince: null,
          triagedAt: new Date(),
          updatedAt: new Date(),
        },
      });
      return "ticket_not_found";
    }
    const triage = await computeTriage(ticket);
    await db.ticketTriage.update({
      where: { ticketId },
      data: {
        state: triage.state,
        subject: ticket.subject?.slice(0, 300) ?? null,
        requesterEmail: ticket.requester.email?.slice(0, 320) ?? null,
        accountId: triage.accountId,
        accountUsername: triage.accountUsername,
        matchedAccounts: triage.matchedAccounts,
        summary: triage.summary.slice(0, 300),
        noteBody: triage.body,
        triagedAt: new Date(),
        noteInFlightSince: new Date(),
        noteAttempts: { increment: 1 },
        updatedAt: new Date(),
      },
    });
    posting = true;
    const added = await client.addComment(ticketId, { body: triage.body, public: false, marker: triage.marker });
    await markDelivered(ticketId, { commentId: added.commentId, at: new Date(added.createdAt) }, false, meta);
    return "delivered";
  } catch (error) {
    const zendesk = isZendeskError(error) ? error : null;
    const permanent = zendesk !== null && !zendesk.transient && !zendesk.ambiguous;
    const dead = permanent || attempt.finalAttempt;
    const message = (zendesk?.message ?? (error instanceof Error ? error.message : String(error))).slice(0, 500);
    await db.ticketTriage.update({
      where: { ticketId },
      data: {
        lastError: message,
        ...(dead ? { noteStatus: "dead" as const } : {}),
        // Kept when the note may have been posted: the next try searches first.
        ...(posting && (zendesk === null || zendesk.ambiguous) ? {} : { noteInFlightSince: null }),
        updatedAt: new Date(),
      },
    });
    if (dead) await recordDead(ticketId, message, permanent, meta);
    getLogger().warn({ ticketId, dead, err: message }, "ticket triage failed");
    if (dead) return "dead";
    throw error;
  }
}

async function markDelivered(
  ticketId: string,
  comment: { commentId: number; at: Date },
  recovered: boolean,
  meta: RequestMeta,
): Promise<void> {
  await getDb().$transaction(async (tx) => {
    const row = await tx.ticketTriage.update({
      where: { ticketId },
      data: {
        noteStatus: "delivered",
        zendeskCommentId: BigInt(comment.commentId),
        noteDeliveredAt: comment.at,
        noteInFlightSince: null,
        lastError: null,
        updatedAt: new Date(),
      },
      select: { state: true, accountId: true },
    });
    await appendAuditEvent(tx, {
      actor: SYSTEM,
      action: "triage.note_delivered",
      target: { type: "ticket", id: ticketId },
      ticketId,
      details: { state: row.state, accountId: row.accountId, commentId: comment.commentId, recovered },
      meta,
    });
  });
}

async function recordDead(ticketId: string, error: string, permanent: boolean, meta: RequestMeta): Promise<void> {
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, {
      actor: SYSTEM,
      action: "triage.note_dead",
      target: { type: "ticket", id: ticketId },
      ticketId,
      details: { error, permanent },
      meta,
    }),
  );
}

/** The dead-letter queue: a job whose tries ran out (or whose worker died on the last one) leaves its note dead, with an audit event. */
export async function markTriageNoteDead(ticketId: string, reason: string, requestId: string): Promise<boolean> {
  const updated = await getDb().ticketTriage.updateMany({
    where: { ticketId, noteStatus: "pending" },
    data: { noteStatus: "dead", lastError: reason, updatedAt: new Date() },
  });
  if (updated.count === 0) return false;
  await recordDead(ticketId, reason, false, { requestId, ip: null, userAgent: null });
  return true;
}
