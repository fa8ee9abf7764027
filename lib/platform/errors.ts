/**
 * Expected failures carry a code and a message that is safe to show to the
 * user. Anything that is not an AppError is a bug: it is logged and the user
 * sees a generic message with the request id.
 */
export const APP_ERROR_STATUS = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  stale_preview: 409,
  already_reset: 409,
  /** Existing API keys would lose scopes and the confirmation did not acknowledge exactly that list. */
  key_impact_unacknowledged: 409,
  /** A subuser cannot get scopes its parent lacks: the parent must be reset first. */
  parent_lacks_scopes: 409,
  idempotency_mismatch: 422,
  /** The ticket does not exist in the helpdesk. */
  ticket_not_found: 422,
  /** The action needs the helpdesk, which is not connected. */
  helpdesk_not_connected: 409,
  /** The facts a customer reply was drafted from changed before it was sent: the fresh draft is in the details. */
  reply_stale: 409,
  /** Another customer reply about the same account is already on the ticket: a second would contradict it (decision 045). */
  reply_already_sent: 409,
  /** The reset needs a second staff member's approval (lib/approvals/policy.ts): details say which rules fired. */
  approval_required: 409,
  /** The account changed since the approval was requested: the approval is void; details say what changed. */
  approval_voided: 409,
  /** The approval request expired before it was decided or carried out. */
  approval_expired: 409,
  /** This staff member may not decide this request: the requester, the ticket's assignee, or a role that does not approve. */
  approver_not_allowed: 403,
  payload_too_large: 413,
  rate_limited: 429,
  /** The reset ran but did not verify, so it was rolled back; the failed attempt is recorded. */
  reset_failed: 500,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Extra data safe to show (e.g. field errors, who reset and when). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** An error code as an /api answer carries it: an AppError's, or "internal" for anything unexpected. */
export type ApiErrorCode = AppErrorCode | "internal";

/** The JSON body every /api error response uses. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; requestId: string; details?: Record<string, unknown> };
}

/** A refused input: the field at fault, or every issue the schema found (path and message). */
export interface BadRequestDetails {
  field?: string;
  issues?: { path: string; message: string }[];
}

/**
 * What each error code of one endpoint carries in `details`. Endpoints declare
 * theirs beside them (for example `ResetScopesErrors` in
 * lib/http/console/scope-resets.ts); the client reads details only through
 * such a declaration (`ApiError.detailsFor`), never by casting.
 */
export type ErrorDetailsMap = { readonly [C in AppErrorCode]?: object };

/** Details every console endpoint may answer with. */
export interface CommonErrors {
  bad_request: BadRequestDetails;
}
