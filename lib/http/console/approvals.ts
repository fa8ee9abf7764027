import { z } from "zod";
import { readAssignee } from "@/lib/approvals/approval-record";
import { cancelApproval } from "@/lib/approvals/cancel-approval";
import {
  decideApproval,
  type ApprovalExpiredDetails,
  type ApprovalVoidedDetails,
  type ApproverNotAllowedDetails,
} from "@/lib/approvals/decide-approval";
import { executeApproval, type ApprovalExecution } from "@/lib/approvals/execute-approval";
import { getApprovalView, type ApprovalView } from "@/lib/approvals/get-approval";
import { APPROVAL_FILTERS, listApprovals, type ApprovalList } from "@/lib/approvals/list-approvals";
import type { ApprovalRequiredDetails } from "@/lib/approvals/reset-risk";
import { requestApproval, type ApprovalConflictDetails } from "@/lib/approvals/request-approval";
import { approvalRequestSchema, approveBody, cancelBody, denyBody } from "@/lib/approvals/request-schema";
import type { ApprovalStateConflictDetails } from "@/lib/approvals/state-conflict";
import { verifyResetTicket } from "@/lib/helpdesk/verify-reset-ticket";
import { accountIdParams, uuidParams } from "@/lib/http/schemas";
import { getConfig } from "@/lib/platform/config";
import { isAppError, type BadRequestDetails, type CommonErrors } from "@/lib/platform/errors";
import { getLogger } from "@/lib/platform/logger";
import type {
  AlreadyResetDetails,
  KeyImpactUnacknowledgedDetails,
  ParentLacksScopesDetails,
  StalePreviewDetails,
} from "@/lib/scope-resets/confirm-preview";
import type { IdempotencyMismatchDetails } from "@/lib/scope-resets/find-reset-replay";
import type { ResetFailedDetails } from "@/lib/scope-resets/perform-scope-reset";
import { FAMILY_RESET_MAX_BODY_BYTES } from "@/lib/scope-resets/request";
import { consoleEndpoint, withStatus } from "./endpoint";

/** Four eyes for risky resets (decision 040): asking, the queue, one request, deciding, carrying out, cancelling. */

export type { ApprovalRequiredDetails };

const approvalBody = () => approvalRequestSchema(getConfig().helpdesk);

/**
 * POST /api/accounts/{id}/approval-requests: asks for approval of a reset (or
 * family reset) that the reset endpoint refused with approval_required. 201
 * with the request; 200 with the first one when the idempotency key is sent again.
 */
export const requestApprovalEndpoint = consoleEndpoint(
  {
    method: "POST",
    path: "/accounts/:id/approval-requests",
    permission: "scopes:reset",
    params: accountIdParams,
    body: approvalBody,
    // A family's request carries its confirmation, up to 1,000 subusers (decision 046).
    maxBodyBytes: FAMILY_RESET_MAX_BODY_BYTES,
  },
  async ({ params, body, staff, meta }) => {
    await verifyResetTicket(body.ticket.ticketId);
    const assignee = await readAssignee(body.ticket.ticketId, { fresh: false });
    const { approvalId, replayed } = await requestApproval({ accountId: params.id, request: body, staff, meta, assignee });
    return withStatus(replayed ? 200 : 201, { replayed, approval: await getApprovalView(approvalId, staff) });
  },
);
export type RequestApprovalInput = z.input<ReturnType<typeof approvalBody>>;
export type RequestApprovalOutput = { replayed: boolean; approval: ApprovalView };
export type RequestApprovalErrors = CommonErrors & {
  stale_preview: StalePreviewDetails;
  already_reset: AlreadyResetDetails;
  key_impact_unacknowledged: KeyImpactUnacknowledgedDetails;
  parent_lacks_scopes: ParentLacksScopesDetails;
  conflict: ApprovalConflictDetails;
  idempotency_mismatch: IdempotencyMismatchDetails;
  ticket_not_found: BadRequestDetails;
};

/** GET /api/approvals?state=: the queue (approvers see every request, agents their own), pending first. */
export const listApprovalsEndpoint = consoleEndpoint(
  {
    method: "GET",
    path: "/approvals",
    permission: "scopes:reset",
    query: z
      .object({ state: z.enum(APPROVAL_FILTERS, { error: `state must be one of ${APPROVAL_FILTERS.join(", ")}.` }).default("open") })
      .strict(),
  },
  ({ query, staff }): Promise<ApprovalList> => listApprovals(staff, query.state),
);
export type ListApprovalsOutput = ApprovalList;

/** GET /api/approvals/{id}: one request as its page shows it (readable by whoever may read tickets, like the reset's record). */
export const getApprovalEndpoint = consoleEndpoint(
  { method: "GET", path: "/approvals/:id", permission: "tickets:read", params: uuidParams },
  ({ params, staff }): Promise<ApprovalView> => getApprovalView(params.id, staff),
);
export type GetApprovalOutput = ApprovalView;

/** What a step answers: the request as it stands after it, and for an execution what it did. */
export type ApprovalStepOutput = { approval: ApprovalView; execution: ApprovalExecution | null };
export type ApprovalStepErrors = CommonErrors & {
  conflict: ApprovalStateConflictDetails;
  approval_expired: ApprovalExpiredDetails;
  approval_voided: ApprovalVoidedDetails;
  approver_not_allowed: ApproverNotAllowedDetails;
  reset_failed: ResetFailedDetails;
  ticket_not_found: BadRequestDetails;
};

/**
 * POST /api/approvals/{id}/approve: `{"comment"?}`. With APPROVAL_EXECUTES=approver the reset is carried
 * out at once; if that fails, the answer still says it was approved, and the request shows why it was not carried out.
 */
export const approveEndpoint = consoleEndpoint(
  { method: "POST", path: "/approvals/:id/approve", permission: "approvals:decide", params: uuidParams, body: approveBody },
  async ({ params, body, staff, meta }): Promise<ApprovalStepOutput> => {
    await decideApproval({ approvalId: params.id, decision: "approve", comment: body.comment, staff, meta });
    let execution: ApprovalExecution | null = null;
    if (getConfig().approvals.executes === "approver") {
      try {
        execution = await executeApproval({ approvalId: params.id, staff, meta });
      } catch (error) {
        if (!isAppError(error))
          getLogger().error({ err: error, requestId: meta.requestId }, "approval approved, but carrying it out failed");
      }
    }
    return { approval: await getApprovalView(params.id, staff), execution };
  },
);
export type ApproveInput = z.input<typeof approveBody>;

/** POST /api/approvals/{id}/deny: `{"comment"}` (required: the requester and the ticket read why). */
export const denyEndpoint = consoleEndpoint(
  { method: "POST", path: "/approvals/:id/deny", permission: "approvals:decide", params: uuidParams, body: denyBody },
  async ({ params, body, staff, meta }): Promise<ApprovalStepOutput> => {
    await decideApproval({ approvalId: params.id, decision: "deny", comment: body.comment, staff, meta });
    return { approval: await getApprovalView(params.id, staff), execution: null };
  },
);
export type DenyInput = z.input<typeof denyBody>;

/** POST /api/approvals/{id}/execute: carries out the approved reset exactly as approved; 201 with what it did. */
export const executeEndpoint = consoleEndpoint(
  { method: "POST", path: "/approvals/:id/execute", permission: "scopes:reset", params: uuidParams, body: z.object({}).strict() },
  async ({ params, staff, meta }) => {
    const execution = await executeApproval({ approvalId: params.id, staff, meta });
    return withStatus(201, { approval: await getApprovalView(params.id, staff), execution } satisfies ApprovalStepOutput);
  },
);

/** POST /api/approvals/{id}/cancel: `{"comment"?}`, by the requester, while pending or approved and not being carried out. */
export const cancelEndpoint = consoleEndpoint(
  { method: "POST", path: "/approvals/:id/cancel", permission: "scopes:reset", params: uuidParams, body: cancelBody },
  async ({ params, body, staff, meta }): Promise<ApprovalStepOutput> => {
    await cancelApproval({ approvalId: params.id, comment: body.comment, staff, meta });
    return { approval: await getApprovalView(params.id, staff), execution: null };
  },
);
export type CancelInput = z.input<typeof cancelBody>;
