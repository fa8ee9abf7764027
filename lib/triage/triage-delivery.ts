import "server-only";
import { randomUUID } from "node:crypto";
import { storableField } from "@/lib/helpdesk/helpdesk-text";
import { isZendeskError } from "@/lib/helpdesk/zendesk-errors";
import type { NewComment, ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { getConfig } from "@/lib/platform/config";
import type { ZendeskTicket } from "@/lib/helpdesk/zendesk-schemas";
import { getDb, type Tx } from "@/lib/platform/db";
import type { HelpdeskDelivery } from "@/lib/generated/prisma/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { computeTriage } from "./compute-triage";
import { tagsWithTriage } from "./triage-note";

/**
 * The triage note as a helpdesk delivery (decision 042): the ticket's
 * `ticket_triage` row says what triage found and what the console lists;
 * its note is a `helpdesk_delivery` of kind triage_note with the same marker,
 * posted by the one delivery mechanism the reset notes and replies use
 * (lib/helpdesk/deliver-helpdesk-comment.ts). What that mechanism learns is
 * mirrored into the triage row here.
 */

/**
 * The delivery of a ticket's triage note, made on its first try (the marker is unique: one per ticket, ever).
 * It starts when the webhook came (the search for the marker reads the ticket's comments from then on), and a
 * row of an earlier version whose note may have landed (note_in_flight_since) starts "in flight": searched first.
 */
export async function ensureTriageDelivery(row: { ticketId: string; noteMarker: string }): Promise<string> {
  const db = getDb();
  const id = randomUUID();
  await db.$executeRaw`
    INSERT INTO helpdesk_delivery (id, ticket_id, kind, body, body_format, public, marker, requested_by_name, in_flight_since, created_at)
    SELECT ${id}::uuid, ${row.ticketId}, 'triage_note', ${`Triage of ticket #${row.ticketId} (computed when posted)`}, 'html', false,
           ${row.noteMarker}, 'ticket triage', t.note_in_flight_since, t.received_at
      FROM ticket_triage t WHERE t.note_marker = ${row.noteMarker}
    ON CONFLICT (marker) DO NOTHING`;
  const delivery = await db.helpdeskDelivery.findUniqueOrThrow({ where: { marker: row.noteMarker }, select: { id: true, kind: true } });
  if (delivery.kind !== "triage_note") throw new Error(`The marker of ticket #${row.ticketId}'s triage belongs to another delivery.`);
  return delivery.id;
}

export type PreparedTriageNote = { row: HelpdeskDelivery; tags: NewComment["tags"] } | { notPosted: true };

/**
 * Right before each post: the ticket read again and the note computed again
 * (the account may have been reset since the last try), written to the triage
 * row and the delivery. A ticket Zendesk does not have gets no note.
 */
export async function prepareTriageNote(row: HelpdeskDelivery, client: ZendeskClient): Promise<PreparedTriageNote> {
  const db = getDb();
  let ticket: ZendeskTicket;
  try {
    ticket = storableTicket(await client.getTicket(row.ticketId));
  } catch (error) {
    if (!(isZendeskError(error) && error.kind === "not_found")) throw error;
    const message = `Zendesk has no ticket #${row.ticketId} (deleted, or a wrong number): no triage note was posted.`;
    await db.$transaction([
      db.ticketTriage.updateMany({
        where: { noteMarker: row.marker },
        data: {
          state: "ticket_not_found",
          noteStatus: "not_posted",
          summary: "Zendesk has no such ticket.",
          noteInFlightSince: null,
          triagedAt: new Date(),
          updatedAt: new Date(),
        },
      }),
      db.helpdeskDelivery.update({ where: { id: row.id }, data: { status: "dead", lastError: message, updatedAt: new Date() } }),
    ]);
    return { notPosted: true };
  }
  const triage = await computeTriage(ticket);
  const [, updated] = await db.$transaction([
    db.ticketTriage.updateMany({
      where: { noteMarker: row.marker },
      data: {
        state: triage.state,
        subject: storableField(ticket.subject, 300),
        requesterEmail: storableField(ticket.requester.email, 320),
        accountId: triage.accountId,
        accountUsername: triage.accountUsername,
        matchedAccounts: triage.matchedAccounts,
        summary: storableField(triage.summary, 300),
        noteBody: triage.body,
        triagedAt: new Date(),
        noteInFlightSince: new Date(),
        noteAttempts: { increment: 1 },
        updatedAt: new Date(),
      },
    }),
    db.helpdeskDelivery.update({ where: { id: row.id }, data: { body: triage.body, updatedAt: new Date() } }),
  ]);
  // The verdict's tag, in the same update as the note (TRIAGE_TAGS), when Zendesk said when the ticket last changed.
  const set = getConfig().triageTags ? tagsWithTriage(ticket.tags, triage.state) : null;
  return { row: updated, tags: set && ticket.updatedAt ? { set, updatedStamp: ticket.updatedAt } : null };
}

/** The ticket's text fields as Postgres and a note can hold them (no NUL, no lone surrogate). */
function storableTicket(ticket: ZendeskTicket): ZendeskTicket {
  return {
    ...ticket,
    subject: storableField(ticket.subject, 10_000),
    requester: {
      ...ticket.requester,
      name: storableField(ticket.requester.name, 1000) ?? "",
      email: storableField(ticket.requester.email, 1000),
    },
  };
}

/** What the delivery learned, on the ticket's triage row (in the delivery's own transaction when it has one). */
export async function mirrorToTriage(
  db: Tx | ReturnType<typeof getDb>,
  marker: string,
  data: Prisma.TicketTriageUpdateManyMutationInput,
): Promise<{ state: string; accountId: number | null } | null> {
  await db.ticketTriage.updateMany({ where: { noteMarker: marker }, data: { ...data, updatedAt: new Date() } });
  return db.ticketTriage.findUnique({ where: { noteMarker: marker }, select: { state: true, accountId: true } });
}
