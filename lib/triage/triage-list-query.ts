/**
 * The console's ticket list (decision 031): which triaged tickets, by their
 * current state, newest first, in keyset pages on (received_at, ticket_id).
 * The current state is what triage found on arrival, or `reset_done` once a
 * reset answered it. The cursor is opaque, bound to the
 * state it was made under, and checked for what Postgres would refuse. Pure.
 */
import { z } from "zod";

/** What triage finds on arrival (the ticket_triage_state enum). */
export const TRIAGE_FOUND_STATES = ["needs_reset", "nothing_to_do", "no_account", "anomaly", "pending", "ticket_not_found"] as const;
export type TriageFoundState = (typeof TRIAGE_FOUND_STATES)[number];
/** The states the list shows and filters by: what triage found, or reset_done since. */
export const TRIAGE_STATES = [...TRIAGE_FOUND_STATES, "reset_done"] as const;
export type TriageListState = (typeof TRIAGE_STATES)[number];

/**
 * The found states a later reset of the ticket's account answers: the list
 * shows them as reset_done once the account was reset after the ticket
 * arrived. Any found state but ticket_not_found is reset_done once a reset was
 * made on the ticket itself (list-triaged-tickets.ts).
 */
export const RESET_ANSWERS_ACCOUNT: readonly TriageFoundState[] = ["needs_reset", "anomaly"];

export interface TriageCursor {
  receivedAt: Date;
  ticketId: string;
}

export interface TriageListQuery {
  state: TriageListState | null;
  limit: number;
  cursor: TriageCursor | null;
}

const cursorShape = z.object({ s: z.enum(TRIAGE_STATES).nullable(), a: z.iso.datetime(), t: z.string().regex(/^[1-9][0-9]{0,14}$/) });

export function encodeTriageCursor(state: TriageListState | null, last: TriageCursor): string {
  return Buffer.from(JSON.stringify({ s: state, a: last.receivedAt.toISOString(), t: last.ticketId })).toString("base64url");
}

export function decodeTriageCursor(
  text: string,
  state: TriageListState | null,
): { ok: true; cursor: TriageCursor } | { ok: false; message: string } {
  const malformed = {
    ok: false as const,
    message: "The cursor is malformed: use the nextCursor of a previous page, or leave it out for the first page.",
  };
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(text)) return malformed;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return malformed;
  }
  const shape = cursorShape.safeParse(json);
  if (!shape.success) return malformed;
  if (shape.data.s !== state) return { ok: false, message: "The cursor belongs to another state: start again from the first page." };
  const receivedAt = new Date(shape.data.a);
  if (receivedAt.getUTCFullYear() < 2020) return malformed;
  return { ok: true, cursor: { receivedAt, ticketId: shape.data.t } };
}

/** `state`, `limit` (1–200, default 50) and `cursor`; nothing else. */
export const triageListQuerySchema = z
  .strictObject({
    state: z.enum(TRIAGE_STATES, { error: `state must be one of ${TRIAGE_STATES.join(", ")}.` }).optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, "limit must be a whole number from 1 to 200.")
      .transform(Number)
      .pipe(z.number().int().min(1, "limit must be a whole number from 1 to 200.").max(200, "limit must be a whole number from 1 to 200."))
      .optional(),
    cursor: z.string().max(300, "The cursor is malformed.").optional(),
  })
  .transform((raw, ctx): TriageListQuery => {
    const state = raw.state ?? null;
    let cursor: TriageCursor | null = null;
    if (raw.cursor !== undefined) {
      const decoded = decodeTriageCursor(raw.cursor, state);
      if (!decoded.ok) {
        ctx.addIssue({ code: "custom", path: ["cursor"], message: decoded.message });
        return z.NEVER;
      }
      cursor = decoded.cursor;
    }
    return { state, limit: raw.limit ?? 50, cursor };
  });
