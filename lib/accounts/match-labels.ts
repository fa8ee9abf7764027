import type { MatchKind } from "./search-accounts";

/** How a lookup result matched, in words (the lookup box and the results page). */
export const MATCH_LABEL: Record<MatchKind, string> = {
  id: "id",
  username: "username",
  email: "e-mail",
  username_prefix: "username starts with",
  email_prefix: "e-mail starts with",
  domain: "e-mail domain",
  company_prefix: "company name",
  company: "company name contains",
};
