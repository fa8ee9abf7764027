import type { GetAccountOutput, ListEraseJobsOutput, SearchAccountsOutput } from "@/lib/http/console/accounts";
import type {
  FamilyResetErrors,
  FamilyResetInput,
  FamilyResetOutput,
  FamilyResetPreviewOutput,
  GetScopeResetOutput,
  ResetScopesErrors,
  ResetScopesInput,
  ResetScopesOutput,
  AccountReplyOutput,
  RetryDeliveryErrors,
  RetryDeliveryOutput,
  SendAccountReplyInput,
  SendCustomerReplyErrors,
  SendCustomerReplyInput,
  SendCustomerReplyOutput,
} from "@/lib/http/console/scope-resets";
import type { SidebarSessionOutput } from "@/lib/http/console/sidebar";
import type { TicketOutput } from "@/lib/http/console/tickets";
import type { ListTriageOutput } from "@/lib/http/console/triage";
import type { DeliveryStatesOutput, ResetDeliveriesOutput } from "@/lib/http/console/audit";
import type {
  GetChainVerificationOutput,
  LatestChainVerificationOutput,
  StartChainVerificationOutput,
} from "@/lib/http/console/audit-chain";
import type {
  ApprovalStepErrors,
  ApprovalStepOutput,
  ApproveInput,
  CancelInput,
  DenyInput,
  GetApprovalOutput,
  ListApprovalsOutput,
  RequestApprovalErrors,
  RequestApprovalInput,
  RequestApprovalOutput,
} from "@/lib/http/console/approvals";
import type { ApprovalFilter } from "@/lib/approvals/list-approvals";
import type { ResetMode } from "@/lib/scope-resets/plan";
import { apiFetch } from "./api-fetch";

/**
 * The console's API as the browser calls it: one function per endpoint, typed
 * by the contract declared beside the endpoint (type-only imports, so no server
 * code reaches the bundle). Components call these, never a URL of their own.
 */
const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

export const consoleApi = {
  searchAccounts: (input: { q: string; limit: number; cursor?: string | null }, signal?: AbortSignal) => {
    const query = new URLSearchParams({ q: input.q, limit: String(input.limit) });
    if (input.cursor) query.set("cursor", input.cursor);
    return apiFetch<SearchAccountsOutput>(`/api/accounts?${query}`, { signal });
  },
  getAccount: (id: number, signal?: AbortSignal) => apiFetch<GetAccountOutput>(`/api/accounts/${id}`, { signal }),
  listEraseJobs: (accountId: number, signal?: AbortSignal) =>
    apiFetch<ListEraseJobsOutput>(`/api/accounts/${accountId}/erase-jobs`, { signal }),
  resetScopes: (accountId: number, input: ResetScopesInput) =>
    apiFetch<ResetScopesOutput, ResetScopesErrors>(`/api/accounts/${accountId}/scope-resets`, post(input)),
  familyResetPreview: (accountId: number, mode: ResetMode, signal?: AbortSignal) =>
    apiFetch<FamilyResetPreviewOutput>(`/api/accounts/${accountId}/family-resets?mode=${mode}`, { signal }),
  familyReset: (accountId: number, input: FamilyResetInput) =>
    apiFetch<FamilyResetOutput, FamilyResetErrors>(`/api/accounts/${accountId}/family-resets`, post(input)),
  sendCustomerReply: (resetId: string, input: SendCustomerReplyInput) =>
    apiFetch<SendCustomerReplyOutput, SendCustomerReplyErrors>(`/api/scope-resets/${resetId}/customer-reply`, post(input)),
  sendFamilyReply: (familyResetId: string, input: SendCustomerReplyInput) =>
    apiFetch<SendCustomerReplyOutput, SendCustomerReplyErrors>(`/api/family-resets/${familyResetId}/customer-reply`, post(input)),
  accountReply: (accountId: number, ticketId: string | null, signal?: AbortSignal) =>
    apiFetch<AccountReplyOutput>(`/api/accounts/${accountId}/customer-reply${ticketId ? `?ticket=${encodeURIComponent(ticketId)}` : ""}`, {
      signal,
    }),
  sendAccountReply: (accountId: number, input: SendAccountReplyInput) =>
    apiFetch<SendCustomerReplyOutput, SendCustomerReplyErrors>(`/api/accounts/${accountId}/customer-reply`, post(input)),
  retryDelivery: (deliveryId: string) =>
    apiFetch<RetryDeliveryOutput, RetryDeliveryErrors>(`/api/helpdesk-deliveries/${deliveryId}/retry`, post({})),
  getTicket: (ticketId: string, signal?: AbortSignal) => apiFetch<TicketOutput>(`/api/tickets/${encodeURIComponent(ticketId)}`, { signal }),
  getScopeReset: (resetId: string, signal?: AbortSignal) =>
    apiFetch<GetScopeResetOutput>(`/api/scope-resets/${encodeURIComponent(resetId)}`, { signal }),
  sidebarSession: (signal?: AbortSignal) => apiFetch<SidebarSessionOutput>("/api/sidebar-session", { signal }),
  listTriage: (input: { state?: string | null; cursor?: string | null }, signal?: AbortSignal) => {
    const query = new URLSearchParams();
    if (input.state) query.set("state", input.state);
    if (input.cursor) query.set("cursor", input.cursor);
    return apiFetch<ListTriageOutput>(`/api/triage${query.size > 0 ? `?${query}` : ""}`, { signal });
  },
  deliveryStates: (resetIds: readonly string[], signal?: AbortSignal) =>
    apiFetch<DeliveryStatesOutput>(`/api/scope-resets/delivery-states?ids=${resetIds.join(",")}`, { signal }),
  resetDeliveries: (resetId: string, signal?: AbortSignal) =>
    apiFetch<ResetDeliveriesOutput>(`/api/scope-resets/${resetId}/deliveries`, { signal }),
  startChainVerification: () => apiFetch<StartChainVerificationOutput>("/api/audit/chain-verifications", post({})),
  latestChainVerification: (signal?: AbortSignal) =>
    apiFetch<LatestChainVerificationOutput>("/api/audit/chain-verifications/latest", { signal }),
  getChainVerification: (id: string, signal?: AbortSignal) =>
    apiFetch<GetChainVerificationOutput>(`/api/audit/chain-verifications/${id}`, { signal }),
  requestApproval: (accountId: number, input: RequestApprovalInput) =>
    apiFetch<RequestApprovalOutput, RequestApprovalErrors>(`/api/accounts/${accountId}/approval-requests`, post(input)),
  listApprovals: (state: ApprovalFilter, signal?: AbortSignal) =>
    apiFetch<ListApprovalsOutput>(`/api/approvals?state=${state}`, { signal }),
  getApproval: (id: string, signal?: AbortSignal) => apiFetch<GetApprovalOutput>(`/api/approvals/${id}`, { signal }),
  approve: (id: string, input: ApproveInput) =>
    apiFetch<ApprovalStepOutput, ApprovalStepErrors>(`/api/approvals/${id}/approve`, post(input)),
  deny: (id: string, input: DenyInput) => apiFetch<ApprovalStepOutput, ApprovalStepErrors>(`/api/approvals/${id}/deny`, post(input)),
  executeApproval: (id: string) => apiFetch<ApprovalStepOutput, ApprovalStepErrors>(`/api/approvals/${id}/execute`, post({})),
  cancelApproval: (id: string, input: CancelInput) =>
    apiFetch<ApprovalStepOutput, ApprovalStepErrors>(`/api/approvals/${id}/cancel`, post(input)),
};
