/**
 * What Scopedesk posts into a ticket, and the marker each comment carries so
 * it can be found again: Zendesk has no idempotency key for comments, so
 * after a try that may have posted (a timeout, a lost answer, a worker that
 * died mid-request) the ticket is searched for the marker before posting
 * again, and the customer never sees a comment twice. The marker travels in
 * the update's custom metadata, never in the text (decision 027); the text is
 * posted as escaped HTML (./comment-html.ts, decision 025). Pure.
 */
export type NoteKind = "scopes_before" | "scopes_after";
/** An approval request's step, noted in its ticket (lib/approvals/notes.ts). */
export type ApprovalNoteKind =
  "approval_requested" | "approval_approved" | "approval_denied" | "approval_cancelled" | "approval_expired" | "approval_voided";
export type DeliveryKind = NoteKind | "customer_reply" | ApprovalNoteKind | "triage_note";

/** Unique per delivery and kept when a dead reply is sent again, so its earlier text is found. */
export function deliveryMarker(deliveryId: string): string {
  return `scopedesk-delivery:${deliveryId}`;
}

/** The most characters the console takes for a reply. */
export const CUSTOMER_REPLY_MAX_LENGTH = 20_000;

export interface CommentRow {
  id: string;
  body: string;
  marker: string;
  public: boolean;
  bodyFormat: "html";
}

export function noteComment(deliveryId: string, noteBody: string): CommentRow {
  return { id: deliveryId, body: noteBody, marker: deliveryMarker(deliveryId), public: false, bodyFormat: "html" };
}

/** The reply as the agent confirmed it: line ends as \n, blank edges trimmed. */
export function normaliseReplyText(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

export function replyComment(deliveryId: string, replyText: string): CommentRow {
  return { id: deliveryId, body: normaliseReplyText(replyText), marker: deliveryMarker(deliveryId), public: true, bodyFormat: "html" };
}
