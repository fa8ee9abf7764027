import {
  accountTimelineEndpoint,
  auditResetEndpoint,
  deliveryStatesEndpoint,
  exportScopeResetsEndpoint,
  listScopeResetsEndpoint,
  resetDeliveriesEndpoint,
} from "./audit";
import { getChainVerificationEndpoint, latestChainVerificationEndpoint, startChainVerificationEndpoint } from "./audit-chain";
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
import { sidebarSessionEndpoint } from "./sidebar";
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
import { listTriageEndpoint } from "./triage";

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
  deliveryStatesEndpoint,
  getScopeResetEndpoint,
  auditResetEndpoint,
  resetDeliveriesEndpoint,
  sendCustomerReplyEndpoint,
  sendFamilyReplyEndpoint,
  getFamilyResetEndpoint,
  retryDeliveryEndpoint,
  getTicketEndpoint,
  accountTimelineEndpoint,
  startChainVerificationEndpoint,
  latestChainVerificationEndpoint,
  getChainVerificationEndpoint,
  getMeEndpoint,
  sidebarSessionEndpoint,
  listTriageEndpoint,
];
