/**
 * What an approval request and a decision carry, validated the same way by
 * the JSON API and anything else that asks: the confirmation a reset (or a
 * family reset) would have carried, and a reason, which is required.
 */
import { z } from "zod";
import { familyResetRequestSchema, RESET_REASON_MAX_LENGTH, scopeResetRequestSchema } from "@/lib/scope-resets/request";
import type { HelpdeskSite } from "@/lib/tickets/ticket-ref";

export const APPROVAL_COMMENT_MAX_LENGTH = 2000;

const requiredReason = z
  .string({ error: "reason is required: say why this reset should go ahead (the approver reads it)." })
  .max(RESET_REASON_MAX_LENGTH, `reason must be at most ${RESET_REASON_MAX_LENGTH} characters.`)
  .transform((value) => value.trim())
  .pipe(z.string().min(1, "reason is required: say why this reset should go ahead (the approver reads it)."));

export function approvalRequestSchema(helpdesk: HelpdeskSite) {
  const single = scopeResetRequestSchema(helpdesk).shape;
  const family = familyResetRequestSchema(helpdesk).shape;
  return z.discriminatedUnion(
    "kind",
    [
      z
        .object({
          kind: z.literal("reset"),
          ticket: single.ticket,
          idempotencyKey: single.idempotencyKey,
          expectedFingerprint: single.expectedFingerprint,
          mode: single.mode,
          acknowledgedKeyImpact: single.acknowledgedKeyImpact,
          reason: requiredReason,
        })
        .strict(),
      z
        .object({
          kind: z.literal("family"),
          ticket: family.ticket,
          idempotencyKey: family.idempotencyKey,
          parent: family.parent,
          subusers: family.subusers,
          reason: requiredReason,
        })
        .strict(),
    ],
    { error: 'kind must be "reset" (one account) or "family" (a parent and subusers).' },
  );
}

export type ApprovalRequestInput = z.output<ReturnType<typeof approvalRequestSchema>>;

const comment = z
  .string({ error: "comment must be a string." })
  .max(APPROVAL_COMMENT_MAX_LENGTH, `comment must be at most ${APPROVAL_COMMENT_MAX_LENGTH} characters.`)
  .transform((value) => value.trim());

/** Approving: a comment is welcome, not required. */
export const approveBody = z.object({ comment: comment.optional().transform((value) => (value ? value : null)) }).strict();

/** Denying: say why (the requester and the ticket read it). */
export const denyBody = z
  .object({
    comment: z
      .string({ error: "comment is required: say why the reset is denied." })
      .pipe(comment)
      .pipe(z.string().min(1, "comment is required: say why the reset is denied.")),
  })
  .strict();

/** Cancelling one's own request: an optional comment. */
export const cancelBody = approveBody;
