/**
 * Every TanStack Query key the console uses, in one place, so a mutation
 * invalidates exactly what it changed.
 */
export const queryKeys = {
  account: (id: number) => ["account", id] as const,
  eraseJobs: (accountId: number) => ["account", accountId, "erase-jobs"] as const,
  lookupSuggestions: (q: string) => ["lookup", q, "suggest"] as const,
  lookupPage: (q: string) => ["lookup", q, "page"] as const,
  familyResetPreview: (accountId: number, mode: string) => ["account", accountId, "family-reset-preview", mode] as const,
  ticket: (ticketId: string) => ["ticket", ticketId] as const,
  accountReply: (accountId: number, ticketId: string | null) => ["account", accountId, "customer-reply", ticketId] as const,
  scopeReset: (resetId: string) => ["scope-reset", resetId] as const,
  sidebarSession: () => ["sidebar-session"] as const,
  triage: (state: string | null) => ["triage", state ?? "all"] as const,
  auditDeliveryStates: (resetIds: readonly string[]) => ["audit", "delivery-states", ...resetIds] as const,
  auditResetDeliveries: (resetId: string) => ["audit", "reset", resetId, "deliveries"] as const,
  chainVerification: (id: string | null) => ["audit", "chain-verification", id ?? "latest"] as const,
  approvals: (state: string) => ["approvals", "list", state] as const,
  approval: (id: string) => ["approvals", "one", id] as const,
};
