// Shapes of the JSON API as the browser receives them. The server modules
// produce exactly these (type-only imports, so no server code reaches the bundle).
export type { AccountDetail, AccountSummary, SearchPage as SearchResponse } from "@/lib/server/accounts";
export type { ScopeResetView, TicketRecord } from "@/lib/server/scope-reset-view";
export type { FamilyResetPreview } from "@/lib/scope-resets/describe-reset-options";
export type { FamilyResetView } from "@/lib/scope-resets/get-family-reset";
export type { TicketView } from "@/lib/helpdesk/get-ticket-view";
