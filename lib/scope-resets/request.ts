/**
 * What a reset confirmation carries, validated the same way by the JSON API
 * and anything else that starts a reset.
 */
import { z } from "zod";
import { ticketRefSchema, TICKET_REF_MAX_LENGTH } from "../tickets";

export const RESET_REASON_MAX_LENGTH = 2000;

/** Clients send a fresh UUID per confirmation; other well-formed keys are accepted too. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,100}$/;
const FINGERPRINT = /^[0-9a-f]{64}$/;

export function scopeResetRequestSchema(helpdeskBaseUrl: string) {
  return z
    .object({
      ticket: z
        .string({ error: "ticket is required: a Zendesk ticket URL, #123 or 123." })
        .max(TICKET_REF_MAX_LENGTH, `ticket must be at most ${TICKET_REF_MAX_LENGTH} characters.`)
        .pipe(ticketRefSchema(helpdeskBaseUrl)),
      idempotencyKey: z
        .string({ error: "idempotencyKey is required (a fresh UUID per confirmation)." })
        .regex(IDEMPOTENCY_KEY, "idempotencyKey must be 16 to 100 letters, digits, '-' or '_' (a UUID is ideal)."),
      expectedFingerprint: z
        .string({ error: "expectedFingerprint is required: the scopes fingerprint of the preview you confirmed." })
        .regex(FINGERPRINT, "expectedFingerprint must be 64 lowercase hex characters (from GET /api/accounts/{id}, scopes.fingerprint)."),
      reason: z
        .string({ error: "reason must be a string." })
        .max(RESET_REASON_MAX_LENGTH, `reason must be at most ${RESET_REASON_MAX_LENGTH} characters.`)
        .transform((value) => value.trim())
        .optional()
        .transform((value) => (value ? value : null)),
    })
    .strict();
}

export type ScopeResetRequest = z.output<ReturnType<typeof scopeResetRequestSchema>>;

/**
 * What a replayed idempotency key is compared on: the same key with another
 * account, ticket, preview or reason is a different request and is refused.
 */
export function resetRequestIdentity(accountId: number, request: ScopeResetRequest): string {
  return JSON.stringify([accountId, request.ticket.ticketId, request.expectedFingerprint, request.reason ?? null]);
}
