/**
 * What a reset confirmation carries, validated the same way by the JSON API
 * and anything else that starts a reset.
 */
import { z } from "zod";
import { ticketRefSchema, TICKET_REF_MAX_LENGTH, type HelpdeskSite } from "@/lib/tickets/ticket-ref";
import { RESET_MODES } from "./plan";

export const RESET_REASON_MAX_LENGTH = 2000;

/** Clients send a fresh UUID per confirmation; other well-formed keys are accepted too. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,100}$/;
const FINGERPRINT = /^[0-9a-f]{64}$/;

export function scopeResetRequestSchema(helpdesk: HelpdeskSite) {
  return z
    .object({
      ticket: z
        .string({ error: "ticket is required: a Zendesk ticket URL, #123 or 123." })
        .max(TICKET_REF_MAX_LENGTH, `ticket must be at most ${TICKET_REF_MAX_LENGTH} characters.`)
        .pipe(ticketRefSchema(helpdesk)),
      idempotencyKey: z
        .string({ error: "idempotencyKey is required (a fresh UUID per confirmation)." })
        .regex(IDEMPOTENCY_KEY, "idempotencyKey must be 16 to 100 letters, digits, '-' or '_' (a UUID is ideal)."),
      expectedFingerprint: z
        .string({ error: "expectedFingerprint is required: the scopes fingerprint of the preview you confirmed." })
        .regex(
          FINGERPRINT,
          "expectedFingerprint must be 64 lowercase hex characters (from GET /api/accounts/{id}, resetPlan.previewFingerprint).",
        ),
      mode: z.enum(RESET_MODES, { error: `mode must be ${RESET_MODES.join(" or ")}.` }).default("default"),
      acknowledgedKeyImpact: z
        .string({ error: "acknowledgedKeyImpact must be a string." })
        .regex(
          FINGERPRINT,
          "acknowledgedKeyImpact must be the keyImpact.fingerprint of the preview you confirmed (64 lowercase hex characters).",
        )
        .optional(),
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

const accountId = z
  .number({ error: "Each subuser id must be a number." })
  .int("Each subuser id must be a whole number.")
  .positive("Each subuser id must be positive.")
  .max(2_147_483_647, "That account id is out of range.");

/** What one account of a family confirmation carries: the preview it confirms for that account. */
const memberConfirmation = {
  expectedFingerprint: z
    .string({ error: "expectedFingerprint is required for every account (from the family preview)." })
    .regex(FINGERPRINT, "expectedFingerprint must be 64 lowercase hex characters (from the family preview)."),
  mode: z.enum(RESET_MODES, { error: `mode must be ${RESET_MODES.join(" or ")}.` }).default("default"),
  acknowledgedKeyImpact: z
    .string({ error: "acknowledgedKeyImpact must be a string." })
    .regex(FINGERPRINT, "acknowledgedKeyImpact must be that account's keyImpact.fingerprint (64 lowercase hex characters).")
    .optional(),
};

/**
 * How many subusers one family confirmation may reset (decision 046): 1,000, measured at 500 with 100 keys.
 * A confirmation carries each subuser's id and fingerprints, about 190 bytes each, so its body limit is
 * FAMILY_RESET_MAX_BODY_BYTES.
 */
export const MAX_FAMILY_SUBUSERS = 1000;

/** The body limit of a family confirmation (and of its approval request): 1,000 subusers × ~190 bytes, with room. */
export const FAMILY_RESET_MAX_BODY_BYTES = 256 * 1024;

/** A family reset: the parent (or null when it already has the scopes) and the subusers the agent picked. */
export function familyResetRequestSchema(helpdesk: HelpdeskSite) {
  const single = scopeResetRequestSchema(helpdesk).shape;
  return z
    .object({
      ticket: single.ticket,
      idempotencyKey: single.idempotencyKey,
      reason: single.reason,
      parent: z.object(memberConfirmation).strict().nullable(),
      subusers: z
        .array(z.object({ id: accountId, ...memberConfirmation }).strict(), { error: "subusers must be a list of the subusers to reset." })
        .min(1, "Pick at least one subuser.")
        .max(MAX_FAMILY_SUBUSERS, `At most ${MAX_FAMILY_SUBUSERS} subusers per family reset.`)
        .refine((list) => new Set(list.map((s) => s.id)).size === list.length, "Each subuser may be listed once."),
    })
    .strict();
}

export type FamilyResetRequest = z.output<ReturnType<typeof familyResetRequestSchema>>;

/**
 * What a replayed idempotency key is compared on: the same key with another
 * account, ticket, preview or reason is a different request and is refused.
 */
export function resetRequestIdentity(accountId: number, request: ScopeResetRequest): string {
  return JSON.stringify([
    accountId,
    request.ticket.ticketId,
    request.expectedFingerprint,
    request.reason ?? null,
    request.mode,
    request.acknowledgedKeyImpact ?? null,
  ]);
}
