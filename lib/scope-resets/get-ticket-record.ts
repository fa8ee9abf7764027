import "server-only";
import { getDb } from "@/lib/platform/db";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { toNote, type NoteView } from "./reset-facts";
import { orderTimeline, timelineOrder } from "./timeline";

const TICKET_ENTRIES_LIMIT = 500;

/**
 * Everything recorded for one helpdesk ticket, oldest first: each reset
 * attempt followed by the notes it wrote. Each note's body is the plain text
 * to paste into the helpdesk.
 */
export async function getTicketRecord(ticket: { ticketId: string; url: string }) {
  const db = getDb();
  const [resets, ticketNotes, adminNotes] = await Promise.all([
    db.scopeReset.findMany({
      where: { ticketId: ticket.ticketId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: TICKET_ENTRIES_LIMIT,
      select: {
        id: true,
        outcome: true,
        actorName: true,
        createdAt: true,
        added: true,
        removed: true,
        failureReason: true,
        account: { select: { id: true, username: true } },
      },
    }),
    db.ticketNote.findMany({
      where: { ticketId: ticket.ticketId },
      orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
      take: TICKET_ENTRIES_LIMIT,
      select: { id: true, kind: true, body: true, authorName: true, createdAt: true, resetId: true, accountId: true, familyResetId: true },
    }),
    db.adminNote.findMany({
      where: { ticketId: ticket.ticketId },
      orderBy: { createdAt: "asc" },
      take: TICKET_ENTRIES_LIMIT,
      select: { id: true, body: true, authorName: true, createdAt: true, resetId: true, accountId: true },
    }),
  ]);

  type Entry =
    | { type: "reset"; at: string; order: number; reset: Omit<(typeof resets)[number], "createdAt"> & { createdAt: string } }
    | {
        type: "ticket_note";
        at: string;
        order: number;
        note: NoteView & { kind: string; resetId: string; accountId: number; familyResetId: string | null };
      }
    | { type: "admin_note"; at: string; order: number; note: NoteView & { resetId: string | null; accountId: number } };

  // Within one reset (same timestamp), show the reset first, then note 1, note 2, the admin note.
  const entries: Entry[] = [
    ...resets.map((r) => ({
      type: "reset" as const,
      at: r.createdAt.toISOString(),
      order: timelineOrder("reset"),
      reset: { ...r, createdAt: r.createdAt.toISOString() },
    })),
    ...ticketNotes.map((n) => ({
      type: "ticket_note" as const,
      at: n.createdAt.toISOString(),
      order: timelineOrder(n.kind),
      note: { ...toNote(n)!, kind: n.kind, resetId: n.resetId, accountId: n.accountId, familyResetId: n.familyResetId },
    })),
    ...adminNotes.map((n) => ({
      type: "admin_note" as const,
      at: n.createdAt.toISOString(),
      order: timelineOrder("admin_note"),
      note: { ...toNote(n)!, resetId: n.resetId, accountId: n.accountId },
    })),
  ];
  orderTimeline(entries);
  return { ticket: { ...ticket, path: ticketPath(ticket.ticketId) }, entries };
}

export type TicketRecord = Awaited<ReturnType<typeof getTicketRecord>>;
