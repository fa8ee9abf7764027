import type { MatchKind } from "./search-accounts";

/** How a lookup result matched, in words: short in the lookup box's suggestions… */
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

/** …and in full on the results page, where the ranking shows. */
export const MATCH_LABEL_LONG: Record<MatchKind, string> = {
  id: "exact id",
  username: "exact username",
  email: "exact e-mail",
  username_prefix: "username starts with",
  email_prefix: "e-mail starts with",
  domain: "e-mail domain starts with",
  company_prefix: "company name starts with",
  company: "company name contains",
};
