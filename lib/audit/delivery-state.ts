/**
 * A reset's delivery into the helpdesk as one word per part, for the audit
 * list, its detail and the export (pure). The two ticket notes count as one
 * state, the worst first: dead (it needs a retry), retrying, queued,
 * delivered; `none` when nothing was queued (a failed attempt, or no helpdesk
 * connected). The reply to the customer is its own state, or null when none
 * was sent. The export computes the same in SQL (NOTES_DELIVERY_SQL in
 * ./export-sql.ts).
 */
export const DELIVERY_STATUSES = ["queued", "retrying", "delivered", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type NotesDeliveryState = DeliveryStatus | "none";

const WORST_FIRST: readonly DeliveryStatus[] = ["dead", "retrying", "queued", "delivered"];

export function notesDeliveryState(statuses: readonly DeliveryStatus[]): NotesDeliveryState {
  if (statuses.length === 0) return "none";
  return WORST_FIRST.find((s) => statuses.includes(s)) ?? "delivered";
}

export interface ResetDeliveryState {
  notes: NotesDeliveryState;
  reply: DeliveryStatus | null;
}

/** Still moving: worth asking again soon (the audit pages poll while this holds). */
export function isDeliveryPending(state: ResetDeliveryState): boolean {
  return state.notes === "queued" || state.notes === "retrying" || state.reply === "queued" || state.reply === "retrying";
}

export const NOTES_STATE_TEXT: Record<NotesDeliveryState, string> = {
  none: "no notes sent",
  queued: "notes queued",
  retrying: "notes retrying",
  delivered: "notes delivered",
  dead: "notes not delivered",
};

export const REPLY_STATE_TEXT: Record<DeliveryStatus, string> = {
  queued: "reply queued",
  retrying: "reply retrying",
  delivered: "reply delivered",
  dead: "reply not delivered",
};

/** "notes delivered · reply queued" */
export function describeDeliveryState(state: ResetDeliveryState): string {
  return state.reply ? `${NOTES_STATE_TEXT[state.notes]} · ${REPLY_STATE_TEXT[state.reply]}` : NOTES_STATE_TEXT[state.notes];
}
