// Shapes of the JSON API as the browser receives them. The server modules
// produce exactly these (type-only imports, so no server code reaches the bundle).
export type { AccountDetail } from "@/lib/accounts/get-account-detail";
export type { AccountSummary, SearchPage as SearchResponse } from "@/lib/accounts/search-accounts";
export type { ScopeResetView } from "@/lib/scope-resets/get-scope-reset";
export type { TicketRecord } from "@/lib/scope-resets/get-ticket-record";
export type { FamilyResetPreview } from "@/lib/scope-resets/describe-reset-options";
export type { FamilyResetView } from "@/lib/scope-resets/get-family-reset";
export type { TicketView } from "@/lib/helpdesk/get-ticket-view";
