/**
 * What Scopedesk posts into a ticket, and the marker each comment carries so
 * it can be found again: Zendesk has no idempotency key for comments, so
 * after an ambiguous failure (a timeout, a lost answer, a worker that died
 * mid-request) the ticket's comments are searched for the marker before
 * posting again, and the customer never sees a note twice. Pure.
 */
export type NoteKind = "scopes_before" | "scopes_after";
export type DeliveryKind = NoteKind | "customer_reply";

const NOTE_LABEL: Record<NoteKind, string> = {
  scopes_before: "ticket note 1 of 2, scopes before",
  scopes_after: "ticket note 2 of 2, scopes after",
};

/** One line, unique per reset and note, at the end of the internal note. */
export function noteMarker(resetId: string, kind: NoteKind): string {
  return `[Scopedesk reset ${resetId}: ${NOTE_LABEL[kind]}]`;
}

/** The customer reply's marker: a reference a customer may quote back, unique per reset. */
export function replyMarker(resetId: string): string {
  return `Reference: Scopedesk ${resetId}`;
}

export function noteComment(resetId: string, kind: NoteKind, noteBody: string): { body: string; marker: string; public: false } {
  const marker = noteMarker(resetId, kind);
  return { body: `${noteBody}\n\n${marker}`, marker, public: false };
}

export const CUSTOMER_REPLY_MAX_LENGTH = 20_000;

export function replyComment(resetId: string, replyText: string): { body: string; marker: string; public: true } {
  const marker = replyMarker(resetId);
  const text = replyText.replace(/\r\n?/g, "\n").trim();
  return { body: `${text}\n\n${marker}`, marker, public: true };
}
