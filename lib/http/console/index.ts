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
  familyResetEndpoint,
  familyResetPreviewEndpoint,
  getFamilyResetEndpoint,
  getScopeResetEndpoint,
  resetScopesEndpoint,
  retryDeliveryEndpoint,
  sendCustomerReplyEndpoint,
} from "./scope-resets";
import { getMeEndpoint } from "./staff";
import { getTicketEndpoint } from "./tickets";

/** Every console endpoint behind the staff session, in matching order (a fixed path before a parameter at the same place). */
export const CONSOLE_ENDPOINTS: readonly ConsoleEndpoint[] = [
  searchAccountsEndpoint,
  getAccountEndpoint,
  listEraseJobsEndpoint,
  resetScopesEndpoint,
  familyResetPreviewEndpoint,
  familyResetEndpoint,
  listScopeResetsEndpoint,
  exportScopeResetsEndpoint,
  deliveryStatesEndpoint,
  getScopeResetEndpoint,
  auditResetEndpoint,
  resetDeliveriesEndpoint,
  sendCustomerReplyEndpoint,
  getFamilyResetEndpoint,
  retryDeliveryEndpoint,
  getTicketEndpoint,
  accountTimelineEndpoint,
  startChainVerificationEndpoint,
  latestChainVerificationEndpoint,
  getChainVerificationEndpoint,
  getMeEndpoint,
];
