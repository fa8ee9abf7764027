import "server-only";
import { AppError } from "@/lib/platform/errors";
import { getDb } from "@/lib/platform/db";
import { escapeLikePattern, type ParsedLookupQuery } from "./lookup-query";
import { textProblem } from "@/lib/platform/text";

export type MatchKind = "id" | "username" | "email" | "username_prefix";

export interface AccountSummary {
  id: number;
  username: string;
  email: string;
  company: string | null;
  region: "global" | "eu";
  signedUpAt: string;
  parentId: number | null;
  hasEraseJobScopes: boolean;
  matchedBy: MatchKind;
}

export interface SearchPage {
  results: AccountSummary[];
  nextCursor: string | null;
}

interface SummaryRow {
  id: number;
  username: string;
  email: string;
  company: string | null;
  region: "global" | "eu";
  signed_up_at: Date;
  parent_id: number | null;
  has_erase_job: boolean;
}

const MAX_EXACT_EMAIL_MATCHES = 50;

function toSummary(row: SummaryRow, matchedBy: MatchKind): AccountSummary {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    company: row.company,
    region: row.region,
    signedUpAt: row.signed_up_at.toISOString(),
    parentId: row.parent_id,
    hasEraseJobScopes: row.has_erase_job,
    matchedBy,
  };
}

/** Cursor for the username-prefix part: the last lower(username) shown. */
export function encodeCursor(lastUsernameLower: string): string {
  return Buffer.from(JSON.stringify({ after: lastUsernameLower }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { after?: unknown };
    // Opaque to the caller, but made by anyone: what it holds goes to Postgres, so it must be text Postgres takes.
    if (typeof value.after === "string" && value.after.length <= 300 && textProblem(value.after) === null) return value.after;
  } catch {
    // fall through to the error below
  }
  throw new AppError("bad_request", "The page cursor is not valid; start the search again.");
}

/**
 * Ranked lookup: exact id, then exact username, then exact e-mail (case
 * insensitive), then usernames starting with the text, in byte order. Each
 * branch uses its own index; the prefix part pages with a keyset cursor.
 * The prefix part compares and sorts with the text_pattern_ops operators
 * (~>~, ~<~) so the index also gives the order: with the collation's `>` and
 * ORDER BY, a short common prefix was sorted in full for every page
 * (decision 018).
 */
export async function searchAccounts(q: ParsedLookupQuery, opts: { limit: number; cursor?: string | null }): Promise<SearchPage> {
  const db = getDb();
  const seen = new Set<number>();
  const results: AccountSummary[] = [];
  const push = (rows: SummaryRow[], kind: MatchKind) => {
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      results.push(toSummary(row, kind));
    }
  };

  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (after === null) {
    const [byId, byUsername, byEmail] = await Promise.all([
      q.id === undefined
        ? Promise.resolve([])
        : db.$queryRaw<SummaryRow[]>`
            SELECT a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job
            FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = ${q.id}`,
      db.$queryRaw<SummaryRow[]>`
        SELECT a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job
        FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.username) = ${q.username}`,
      q.email === undefined
        ? Promise.resolve([])
        : db.$queryRaw<SummaryRow[]>`
            SELECT a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job
            FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.email) = ${q.email}
            ORDER BY a.parent_id NULLS FIRST, a.id LIMIT ${MAX_EXACT_EMAIL_MATCHES}`,
    ]);
    push(byId, "id");
    push(byUsername, "username");
    push(byEmail, "email");
  }

  const pattern = `${escapeLikePattern(q.username)}%`;
  const prefixRows = await db.$queryRaw<(SummaryRow & { username_lower: string })[]>`
    SELECT a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job,
           lower(a.username) AS username_lower
    FROM account a JOIN scope_set s ON s.id = a.scope_set_id
    WHERE lower(a.username) LIKE ${pattern} ESCAPE '\\'
      AND lower(a.username) ~>~ ${after ?? ""}
    ORDER BY lower(a.username) USING ~<~
    LIMIT ${opts.limit + 1}`;
  const hasMore = prefixRows.length > opts.limit;
  const page = prefixRows.slice(0, opts.limit);
  push(page, "username_prefix");
  const last = page.at(-1);
  return { results, nextCursor: hasMore && last ? encodeCursor(last.username_lower) : null };
}
