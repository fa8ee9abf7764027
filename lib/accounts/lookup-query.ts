/**
 * Parses the console's lookup box. Text is never interpreted beyond trimming
 * and lowercasing: it reaches SQL only as bind parameters, so quotes, SQL
 * metacharacters, "%", "_", backslashes and emoji are all legitimate input.
 */
import { z } from "zod";

/** RFC 5321 caps a forward path at 254 characters; no username or id is longer. */
export const MAX_LOOKUP_LENGTH = 254;
/** Raw search-param limit, before trimming, so absurd URLs are refused early. */
export const MAX_LOOKUP_PARAM_LENGTH = 1000;
const MAX_ACCOUNT_ID = 2_147_483_647;

export const LOOKUP_EMPTY_MESSAGE = "Type an account id, username, e-mail or subuser name.";
export const LOOKUP_TOO_LONG_MESSAGE = `That is too long to be an account id, username or e-mail (at most ${MAX_LOOKUP_LENGTH} characters).`;

export interface ParsedLookupQuery {
  ok: true;
  /** The trimmed input as typed. */
  text: string;
  /** Set when the text is all digits (optionally "#"-prefixed) and a positive int4. */
  id?: number;
  /** Lowercased text, set when it contains "@". */
  email?: string;
  /** Lowercased text, for exact and prefix username matches. */
  username: string;
}

export interface LookupQueryError {
  ok: false;
  /** Safe to show to the user as is. */
  error: string;
}

export type LookupQueryResult = ParsedLookupQuery | LookupQueryError;

export function parseLookupQuery(input: string): LookupQueryResult {
  const text = input.trim();
  if (text === "") return { ok: false, error: LOOKUP_EMPTY_MESSAGE };
  // Count code points so an emoji counts as one character, as the user sees it.
  if ([...text].length > MAX_LOOKUP_LENGTH) return { ok: false, error: LOOKUP_TOO_LONG_MESSAGE };

  const lower = text.toLowerCase();
  const result: ParsedLookupQuery = { ok: true, text, username: lower };
  const id = parseAccountId(text);
  if (id !== undefined) result.id = id;
  if (text.includes("@")) result.email = lower;
  return result;
}

function parseAccountId(text: string): number | undefined {
  const digits = text.startsWith("#") ? text.slice(1) : text;
  if (!/^[0-9]+$/.test(digits)) return undefined;
  const n = Number(digits);
  return n >= 1 && n <= MAX_ACCOUNT_ID ? n : undefined;
}

/** Escapes "\", "%" and "_" for a LIKE pattern used with ESCAPE '\'. */
export function escapeLikePattern(s: string): string {
  return s.replace(/[\\%_]/g, "\\$&");
}

/** The raw `q` search parameter; parseLookupQuery does the rest. */
export const lookupQuerySchema = z
  .string({
    error: (issue) => (issue.input === undefined ? "The search text (q) is missing." : "The search text must be a single piece of text."),
  })
  .max(MAX_LOOKUP_PARAM_LENGTH, {
    error: `The search text is too long (at most ${MAX_LOOKUP_PARAM_LENGTH} characters).`,
  });

/**
 * The partial matches a lookup text can ask for, beside the exact ones
 * (id, username, e-mail) and the username prefix (decision 037):
 * - `emailPrefix`: text with an "@" after something: `ops@acme` finds ops@acme-legacy.example;
 * - `domain`: text that can be (the start of) an e-mail domain, `acme-legacy.example`,
 *   `acme-legacy` or `@acme-legacy.example`;
 * - `company`: the text with its spaces collapsed, `Acme Legacy` (a prefix of the company name;
 *   from 3 characters on, also anywhere inside it).
 * An account id (`1234`, `#1234`) asks for none of them.
 */
export interface LookupFacets {
  emailPrefix?: string;
  domain?: string;
  company?: string;
  companyContains: boolean;
}

const DOMAIN_LIKE = /^[\p{L}\p{N}][\p{L}\p{N}.-]*$/u;

export function lookupFacets(q: ParsedLookupQuery): LookupFacets {
  const facets: LookupFacets = { companyContains: false };
  // An account id is an id: not the start of a domain or a company name.
  if (q.id !== undefined) return facets;
  if (q.email !== undefined && !q.email.startsWith("@")) facets.emailPrefix = q.email;
  const domain = q.username.startsWith("@") ? q.username.slice(1) : q.email === undefined ? q.username : "";
  if ([...domain].length >= 3 && DOMAIN_LIKE.test(domain)) facets.domain = domain;
  const company = q.username.replace(/\s+/g, " ");
  if ([...company].length >= 2 && !q.username.includes("@")) {
    facets.company = company;
    facets.companyContains = [...company].length >= 3;
  }
  return facets;
}
