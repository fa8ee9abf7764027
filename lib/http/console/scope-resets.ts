import { z } from "zod";
import { CUSTOMER_REPLY_MAX_LENGTH } from "@/lib/helpdesk/helpdesk-comments";
import { retryDelivery, type RetryConflictDetails } from "@/lib/helpdesk/retry-delivery";
import {
  REPLY_TICKET_STATUSES,
  sendCustomerReply,
  type ReplyConflictDetails,
  type ReplyStaleDetails,
} from "@/lib/helpdesk/send-customer-reply";
import { verifyResetTicket } from "@/lib/helpdesk/verify-reset-ticket";
import type { ReplyAlreadySentDetails, ResetOnTicketDetails } from "@/lib/helpdesk/find-ticket-replies";
import { describeFamilyReset } from "@/lib/scope-resets/describe-reset-options";
import { familyPreviewView, type FamilyPreviewView } from "@/lib/scope-resets/family-preview-view";
import { getFamilyReset, type FamilyResetView } from "@/lib/scope-resets/get-family-reset";
import { loadResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { performFamilyReset, type FamilyResetSummary } from "@/lib/scope-resets/perform-family-reset";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { RESET_MODES } from "@/lib/scope-resets/plan";
import { FAMILY_RESET_MAX_BODY_BYTES } from "@/lib/scope-resets/request";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { getReplyView, type ReplyView } from "@/lib/scope-resets/get-reply-view";
import { ticketRefSchema, TICKET_REF_MAX_LENGTH } from "@/lib/tickets/ticket-ref";
import { accountIdParams, familyResetBody, scopeResetBody, uuidParams } from "@/lib/http/schemas";
import { getScopeResetView, type ScopeResetView } from "@/lib/scope-resets/get-scope-reset";
import { getScopeResetSummary } from "@/lib/scope-resets/get-scope-reset-summary";
import type { BadRequestDetails, CommonErrors } from "@/lib/platform/errors";
import type {
  AlreadyResetDetails,
  KeyImpactUnacknowledgedDetails,
  ParentLacksScopesDetails,
  StalePreviewDetails,
} from "@/lib/scope-resets/confirm-preview";
import type { IdempotencyMismatchDetails } from "@/lib/scope-resets/find-reset-replay";
import type { ResetFailedDetails } from "@/lib/scope-resets/perform-scope-reset";
import { familyResetRisk, type ApprovalRequiredDetails } from "@/lib/approvals/reset-risk";
import type { ApprovalPolicy, ResetRisk } from "@/lib/approvals/policy";
import { consoleEndpoint, withStatus } from "./endpoint";

/** Reset Scopes and what follows from it: one reset, a family reset, the result page's view, the reply, deliveries. */

/**
 * POST /api/accounts/{id}/scope-resets: 201 with the new reset's summary, 200
 * with the first one when the idempotency key is replayed. A ticket the
 * helpdesk says does not exist is refused (422); one it cannot confirm is
 * recorded as unverified.
 */
export const resetScopesEndpoint = consoleEndpoint(
  { method: "POST", path: "/accounts/:id/scope-resets", permission: "scopes:reset", params: accountIdParams, body: scopeResetBody },
  async ({ params, body, staff, meta }) => {
    const ticketVerified = await verifyResetTicket(body.ticket.ticketId);
    const outcome = await performScopeReset({ accountId: params.id, request: body, staff, meta, ticketVerified });
    return withStatus(outcome.replayed ? 200 : 201, { replayed: outcome.replayed, reset: await getScopeResetSummary(outcome.resetId) });
  },
);
export type ResetScopesInput = z.input<ReturnType<typeof scopeResetBody>>;
export type ResetScopesOutput = { replayed: boolean; reset: Awaited<ReturnType<typeof getScopeResetSummary>> };
export type ResetScopesErrors = CommonErrors & {
  stale_preview: StalePreviewDetails;
  already_reset: AlreadyResetDetails;
  key_impact_unacknowledged: KeyImpactUnacknowledgedDetails;
  parent_lacks_scopes: ParentLacksScopesDetails;
  idempotency_mismatch: IdempotencyMismatchDetails;
  ticket_not_found: BadRequestDetails;
  reset_failed: ResetFailedDetails;
  approval_required: ApprovalRequiredDetails;
};

/** GET /api/accounts/{id}/family-resets?mode=: the parent's plan and each subuser lacking the scopes, as it will be after the parent's reset. */
export const familyResetPreviewEndpoint = consoleEndpoint(
  {
    method: "GET",
    path: "/accounts/:id/family-resets",
    permission: "accounts:read",
    params: accountIdParams,
    query: z.object({ mode: z.enum(RESET_MODES, { error: `mode must be ${RESET_MODES.join(" or ")}.` }).default("default") }).strict(),
  },
  async ({ params, query }) => {
    const subject = await loadResetSubject(getDb(), params.id, { lock: false });
    const described = describeFamilyReset(subject, query.mode);
    // What the approval rules need for any subset the agent picks (the dialog applies them; the server again on confirmation).
    const risk = await familyResetRisk(
      getDb(),
      subject,
      described,
      described.subusers.map((s) => s.id),
    );
    const { rules, familyMaxAccounts, recentResetDays } = getConfig().approvals;
    return {
      // Each distinct subuser plan once (decision 046): 500 subusers would otherwise carry 500 copies of their plan.
      ...familyPreviewView(described),
      approval: {
        policy: { rules, familyMaxAccounts, recentResetDays },
        anomalies: risk.anomalies,
        lastResets: risk.lastResets.map((r) => ({ ...r, at: r.at.toISOString() })),
      },
    };
  },
);
export type FamilyResetPreviewOutput = FamilyPreviewView & {
  approval: {
    policy: Pick<ApprovalPolicy, "rules" | "familyMaxAccounts" | "recentResetDays">;
    anomalies: ResetRisk["anomalies"];
    lastResets: { id: number; username: string; at: string }[];
  };
};

/** POST /api/accounts/{id}/family-resets: the parent and the subusers picked, each in its own transaction; one outcome per account. */
export const familyResetEndpoint = consoleEndpoint(
  {
    method: "POST",
    path: "/accounts/:id/family-resets",
    permission: "scopes:reset",
    params: accountIdParams,
    body: familyResetBody,
    // A confirmation names each subuser picked with its fingerprints (decision 046): up to 1,000 of them.
    maxBodyBytes: FAMILY_RESET_MAX_BODY_BYTES,
  },
  async ({ params, body, staff, meta }) => {
    const ticketVerified = await verifyResetTicket(body.ticket.ticketId);
    const summary = await performFamilyReset({ parentId: params.id, request: body, staff, meta, ticketVerified });
    return withStatus(summary.results.some((r) => r.outcome === "succeeded") ? 201 : 200, summary);
  },
);
export type FamilyResetInput = z.input<ReturnType<typeof familyResetBody>>;
export type FamilyResetOutput = FamilyResetSummary;
/** Per account, failures are outcomes in the summary; the request as a whole fails only on its input, ticket or key. */
export type FamilyResetErrors = CommonErrors & {
  ticket_not_found: BadRequestDetails;
  idempotency_mismatch: IdempotencyMismatchDetails;
  approval_required: ApprovalRequiredDetails;
};

/** GET /api/scope-resets/{id}: one reset as its result page shows it (readable by whoever may read tickets); the reply drafted from now. */
export const getScopeResetEndpoint = consoleEndpoint(
  { method: "GET", path: "/scope-resets/:id", permission: "tickets:read", params: uuidParams },
  ({ params, staff }): Promise<ScopeResetView> => getScopeResetView(params.id, staff),
);
export type GetScopeResetOutput = ScopeResetView;

/** GET /api/family-resets/{id}: every account's attempt under one family reset, its note pair and its one reply. */
export const getFamilyResetEndpoint = consoleEndpoint(
  { method: "GET", path: "/family-resets/:id", permission: "tickets:read", params: uuidParams },
  ({ params, staff }): Promise<FamilyResetView> => getFamilyReset(params.id, staff),
);
export type GetFamilyResetOutput = FamilyResetView;

const FINGERPRINT = /^[0-9a-f]{64}$/;

/** What every reply send carries: the text as edited, the facts it was drafted from, and the ticket status to set with it. */
const replyFields = {
  text: z
    .string({ error: "text is required: the reply as it should reach the customer." })
    .trim()
    .min(1, "The reply is empty.")
    .max(CUSTOMER_REPLY_MAX_LENGTH, `The reply may be at most ${CUSTOMER_REPLY_MAX_LENGTH} characters.`),
  factsFingerprint: z
    .string({ error: "factsFingerprint is required: the draft's factsFingerprint, from the same read as the draft." })
    .regex(FINGERPRINT, "factsFingerprint must be the draft's factsFingerprint (64 lowercase hex characters)."),
  ticketStatus: z
    .enum(REPLY_TICKET_STATUSES, { error: `ticketStatus must be ${REPLY_TICKET_STATUSES.join(" or ")}, or null to leave it as it is.` })
    .nullable()
    .default(null),
};

export const customerReplyBody = z.object(replyFields).strict();
const accountReplyBody = () =>
  z
    .object({
      ticket: z
        .string({ error: "ticket is required: a Zendesk ticket URL, #123 or 123." })
        .max(TICKET_REF_MAX_LENGTH, `ticket must be at most ${TICKET_REF_MAX_LENGTH} characters.`)
        .pipe(ticketRefSchema(getConfig().helpdesk)),
      ...replyFields,
    })
    .strict();

/** The answer to a reply send: queued (201); `resend` when a dead reply was sent again (the worker searches the ticket first). */
export type SendCustomerReplyOutput = Awaited<ReturnType<typeof sendCustomerReply>>;
export type SendCustomerReplyErrors = CommonErrors & {
  conflict: ReplyConflictDetails | ResetOnTicketDetails;
  reply_stale: ReplyStaleDetails;
  reply_already_sent: ReplyAlreadySentDetails;
  ticket_not_found: BadRequestDetails;
};

/** POST /api/scope-resets/{id}/customer-reply: sends the (edited) reply as a public comment on the ticket; 201, queued. */
export const sendCustomerReplyEndpoint = consoleEndpoint(
  {
    method: "POST",
    path: "/scope-resets/:id/customer-reply",
    permission: "scopes:reset",
    params: uuidParams,
    body: customerReplyBody,
    maxBodyBytes: 64 * 1024,
  },
  async ({ params, body, staff, meta }) =>
    withStatus(201, await sendCustomerReply({ subject: { kind: "reset", resetId: params.id }, ...body, staff, meta })),
);
export type SendCustomerReplyInput = z.input<typeof customerReplyBody>;

/** POST /api/family-resets/{id}/customer-reply: the family's one reply; 201, queued. */
export const sendFamilyReplyEndpoint = consoleEndpoint(
  {
    method: "POST",
    path: "/family-resets/:id/customer-reply",
    permission: "scopes:reset",
    params: uuidParams,
    body: customerReplyBody,
    maxBodyBytes: 64 * 1024,
  },
  async ({ params, body, staff, meta }) =>
    withStatus(201, await sendCustomerReply({ subject: { kind: "family", familyResetId: params.id }, ...body, staff, meta })),
);

/** GET /api/accounts/{id}/customer-reply?ticket=: for an account that already has the scopes, the "create a new key" reply drafted from now, and the one sent to that ticket. */
export const accountReplyEndpoint = consoleEndpoint(
  {
    method: "GET",
    path: "/accounts/:id/customer-reply",
    permission: "accounts:read",
    params: accountIdParams,
    query: () => z.object({ ticket: ticketRefSchema(getConfig().helpdesk).optional() }).strict(),
  },
  ({ params, query, staff }): Promise<ReplyView> => getReplyView({ kind: "account", accountId: params.id }, staff, query.ticket?.ticketId),
);
export type AccountReplyOutput = ReplyView;

/** POST /api/accounts/{id}/customer-reply: nothing to reset, the customer needs a new key: the reply to the ticket, without a reset; 201, queued. */
export const sendAccountReplyEndpoint = consoleEndpoint(
  {
    method: "POST",
    path: "/accounts/:id/customer-reply",
    permission: "scopes:reset",
    params: accountIdParams,
    body: accountReplyBody,
    maxBodyBytes: 64 * 1024,
  },
  async ({ params, body, staff, meta }) => {
    await verifyResetTicket(body.ticket.ticketId);
    const { ticket, ...reply } = body;
    return withStatus(201, await sendCustomerReply({ subject: { kind: "account", accountId: params.id }, ticket, ...reply, staff, meta }));
  },
);
export type SendAccountReplyInput = z.input<ReturnType<typeof accountReplyBody>>;

/** POST /api/helpdesk-deliveries/{id}/retry: tries a dead or retrying delivery again now. */
export const retryDeliveryEndpoint = consoleEndpoint(
  { method: "POST", path: "/helpdesk-deliveries/:id/retry", permission: "scopes:reset", params: uuidParams, body: z.object({}).strict() },
  ({ params, staff, meta }) => retryDelivery({ deliveryId: params.id, staff, meta }),
);
export type RetryDeliveryOutput = Awaited<ReturnType<typeof retryDelivery>>;
export type RetryDeliveryErrors = CommonErrors & { conflict: RetryConflictDetails };
