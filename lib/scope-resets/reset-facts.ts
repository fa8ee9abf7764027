import { ticketPath } from "@/lib/tickets/ticket-ref";

/** The facts and notes of one reset, mapped once for every view of it: the result page, the ticket, the audit workspace. */
export interface NoteView {
  id: string;
  body: string;
  authorName: string;
  createdAt: string;
}

/** The columns of a reset that a history or timeline row shows (Prisma `select`). */
export const RESET_ROW_COLUMNS = {
  id: true,
  outcome: true,
  actorName: true,
  createdAt: true,
  ticketId: true,
  ticketUrl: true,
  added: true,
  removed: true,
  failureReason: true,
} as const;

type ResetRow = {
  id: string;
  outcome: string;
  createdAt: Date;
  durationMs: number;
  verified: boolean;
  catalogVersion: string;
  requestId: string | null;
  actorId: string | null;
  actorName: string;
  actorEmail: string;
  ticketId: string;
  ticketUrl: string;
  reason: string | null;
  failureReason: string | null;
  added: string[];
  removed: string[];
};

/** What every view of one reset says about it: the result page's and the audit workspace's alike. */
export function resetFacts<R extends ResetRow>(reset: R) {
  return {
    id: reset.id,
    outcome: reset.outcome as R["outcome"],
    createdAt: reset.createdAt.toISOString(),
    durationMs: reset.durationMs,
    verified: reset.verified,
    catalogVersion: reset.catalogVersion,
    requestId: reset.requestId,
    actor: { id: reset.actorId, name: reset.actorName, email: reset.actorEmail },
    ticket: { ticketId: reset.ticketId, url: reset.ticketUrl, path: ticketPath(reset.ticketId) },
    reason: reset.reason,
    failureReason: reset.failureReason,
    added: reset.added,
    removed: reset.removed,
  };
}

export function toNote(note: { id: string; body: string; authorName: string; createdAt: Date } | null | undefined): NoteView | null {
  return note ? { id: note.id, body: note.body, authorName: note.authorName, createdAt: note.createdAt.toISOString() } : null;
}
