import { accountTimelineEndpoint, auditResetEndpoint, exportScopeResetsEndpoint, listScopeResetsEndpoint } from "./audit";
import { getAccountEndpoint, listEraseJobsEndpoint, searchAccountsEndpoint } from "./accounts";
import type { ConsoleEndpoint } from "./endpoint";
import {
  accountReplyEndpoint,
  familyResetEndpoint,
  familyResetPreviewEndpoint,
  getFamilyResetEndpoint,
  getScopeResetEndpoint,
  resetScopesEndpoint,
  retryDeliveryEndpoint,
  sendAccountReplyEndpoint,
  sendCustomerReplyEndpoint,
  sendFamilyReplyEndpoint,
} from "./scope-resets";
import { getMeEndpoint } from "./staff";
import {
  approveEndpoint,
  cancelEndpoint,
  denyEndpoint,
  executeEndpoint,
  getApprovalEndpoint,
  listApprovalsEndpoint,
  requestApprovalEndpoint,
} from "./approvals";
import { getTicketEndpoint } from "./tickets";

/** Every console endpoint behind the staff session, in matching order (a fixed path before a parameter at the same place). */
export const CONSOLE_ENDPOINTS: readonly ConsoleEndpoint[] = [
  searchAccountsEndpoint,
  getAccountEndpoint,
  listEraseJobsEndpoint,
  resetScopesEndpoint,
  familyResetPreviewEndpoint,
  accountReplyEndpoint,
  sendAccountReplyEndpoint,
  familyResetEndpoint,
  requestApprovalEndpoint,
  listApprovalsEndpoint,
  getApprovalEndpoint,
  approveEndpoint,
  denyEndpoint,
  executeEndpoint,
  cancelEndpoint,
  listScopeResetsEndpoint,
  exportScopeResetsEndpoint,
  getScopeResetEndpoint,
  auditResetEndpoint,
  sendCustomerReplyEndpoint,
  sendFamilyReplyEndpoint,
  getFamilyResetEndpoint,
  retryDeliveryEndpoint,
  getTicketEndpoint,
  accountTimelineEndpoint,
  getMeEndpoint,
];
