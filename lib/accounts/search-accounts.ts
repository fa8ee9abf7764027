import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/platform/errors";
import { getDb } from "@/lib/platform/db";
import { escapeLikePattern, lookupFacets, type ParsedLookupQuery } from "./lookup-query";
import { textProblem } from "@/lib/platform/text";

export type MatchKind = "id" | "username" | "email" | "username_prefix" | "email_prefix" | "domain" | "company_prefix" | "company";

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

/** The paged branches, in rank order (the exact matches come first, on the first page only). */
const BRANCHES = ["username_prefix", "email_prefix", "domain", "company_prefix", "company"] as const;
type Branch = (typeof BRANCHES)[number];

/** Where a page stopped: the branch, and its last key (and id, where the key is not unique). */
export interface LookupCursor {
  branch: Branch;
  key: string;
  id: number;
}

export function encodeCursor(cursor: LookupCursor): string {
  return Buffer.from(JSON.stringify({ b: cursor.branch, k: cursor.key, i: cursor.id }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): LookupCursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      b?: unknown;
      k?: unknown;
      i?: unknown;
      after?: unknown;
    };
    // A cursor from before the partial matches (the username prefix only).
    if (typeof value.after === "string" && value.b === undefined) value.b = "username_prefix";
    const key = value.k ?? value.after;
    const id = value.i ?? 0;
    // Opaque to the caller, but made by anyone: what it holds goes to Postgres, so it must be text Postgres takes.
    if (
      (BRANCHES as readonly unknown[]).includes(value.b) &&
      typeof key === "string" &&
      key.length <= 300 &&
      textProblem(key) === null &&
      typeof id === "number" &&
      Number.isInteger(id) &&
      id >= 0 &&
      id <= 2_147_483_647
    ) {
      return { branch: value.b as Branch, key, id };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError("bad_request", "The page cursor is not valid; start the search again.");
}

const SUMMARY = Prisma.sql`a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job`;
const FROM = Prisma.sql`FROM account a JOIN scope_set s ON s.id = a.scope_set_id`;

/**
 * Ranked lookup (decision 037):
 *   1. exact id, 2. exact username, 3. exact e-mail (case-insensitive; first page only),
 *   4. username starts with the text, 5. e-mail starts with it (`ops@acme`),
 *   6. e-mail domain starts with it (`acme-legacy.example`, `@acme-legacy`),
 *   7. company name starts with it (`Acme Legacy`), 8. company name contains it.
 * Each branch is one index range in the order it pages in; each excludes what
 * an earlier branch matched, so an account appears once, under its best match,
 * and a keyset cursor (branch, last key, last id) pages through all of them
 * without gaps or repeats. The username prefix compares with the
 * text_pattern_ops operators (~>~, ~<~) so its index gives the order (decision
 * 018); the others use "C"-collated expression indexes for the same reason.
 */
export async function searchAccounts(q: ParsedLookupQuery, opts: { limit: number; cursor?: string | null }): Promise<SearchPage> {
  const db = getDb();
  const facets = lookupFacets(q);
  const seen = new Set<number>();
  const results: AccountSummary[] = [];
  const push = (rows: SummaryRow[], kind: MatchKind) => {
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      results.push(toSummary(row, kind));
    }
  };

  const cursor = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (cursor === null) {
    const [byId, byUsername, byEmail] = await Promise.all([
      q.id === undefined ? Promise.resolve([]) : db.$queryRaw<SummaryRow[]>`SELECT ${SUMMARY} ${FROM} WHERE a.id = ${q.id}`,
      db.$queryRaw<SummaryRow[]>`SELECT ${SUMMARY} ${FROM} WHERE lower(a.username) = ${q.username}`,
      q.email === undefined
        ? Promise.resolve([])
        : db.$queryRaw<SummaryRow[]>`
            SELECT ${SUMMARY} ${FROM} WHERE lower(a.email) = ${q.email}
            ORDER BY a.parent_id NULLS FIRST, a.id LIMIT ${MAX_EXACT_EMAIL_MATCHES}`,
    ]);
    push(byId, "id");
    push(byUsername, "username");
    push(byEmail, "email");
  }

  // Each branch's own condition; a later branch excludes every earlier one's (and the exact matches').
  const usernamePrefix = Prisma.sql`lower(a.username) LIKE ${`${escapeLikePattern(q.username)}%`} ESCAPE '\\'`;
  const exact = Prisma.join(
    [
      Prisma.sql`lower(a.username) = ${q.username}`,
      ...(q.id === undefined ? [] : [Prisma.sql`a.id = ${q.id}`]),
      ...(q.email === undefined ? [] : [Prisma.sql`lower(a.email) = ${q.email}`]),
    ],
    " OR ",
  );
  // The exact id and e-mail matches (page 1) may also have a matching username: shown once, there.
  const exactOther =
    q.id === undefined && q.email === undefined
      ? null
      : Prisma.join(
          [
            ...(q.id === undefined ? [] : [Prisma.sql`a.id = ${q.id}`]),
            ...(q.email === undefined ? [] : [Prisma.sql`lower(a.email) = ${q.email}`]),
          ],
          " OR ",
        );
  const emailPrefix =
    facets.emailPrefix === undefined
      ? null
      : Prisma.sql`lower(a.email) COLLATE "C" LIKE ${`${escapeLikePattern(facets.emailPrefix)}%`} ESCAPE '\\'`;
  const domainPrefix =
    facets.domain === undefined
      ? null
      : Prisma.sql`lower(split_part(a.email, '@', 2)) COLLATE "C" LIKE ${`${escapeLikePattern(facets.domain)}%`} ESCAPE '\\'`;
  const companyPrefix =
    facets.company === undefined
      ? null
      : Prisma.sql`lower(a.company) COLLATE "C" LIKE ${`${escapeLikePattern(facets.company)}%`} ESCAPE '\\'`;
  const companyContains = facets.companyContains
    ? Prisma.sql`lower(a.company) LIKE ${`%${escapeLikePattern(facets.company!)}%`} ESCAPE '\\'`
    : null;
  // Past a cursor only: a row comparison from ('', 0) would make the index scan start at the very first key
  // instead of at the prefix (PostgreSQL cannot merge it with the prefix's range); the scalar bound keeps the
  // scan starting at the cursor, the row comparison breaks ties on the id.
  const after = (key: Prisma.Sql, cursorAt: LookupCursor | null) =>
    cursorAt ? Prisma.sql`AND ${key} >= ${cursorAt.key} AND (${key}, a.id) > (${cursorAt.key}, ${cursorAt.id}::int)` : Prisma.empty;
  const emailKey = Prisma.sql`lower(a.email) COLLATE "C"`;
  const domainKey = Prisma.sql`lower(split_part(a.email, '@', 2)) COLLATE "C"`;
  const companyKey = Prisma.sql`lower(a.company) COLLATE "C"`;
  const not = (...conditions: (Prisma.Sql | null)[]) =>
    conditions.filter((c): c is Prisma.Sql => c !== null).map((c) => Prisma.sql`AND NOT coalesce(${c}, false)`);
  const and = (parts: Prisma.Sql[]) => (parts.length ? Prisma.join(parts, " ") : Prisma.empty);

  const branches: Record<Branch, ((after: LookupCursor | null, limit: number) => Promise<(SummaryRow & { key: string })[]>) | null> = {
    username_prefix: (cursorAt, limit) => db.$queryRaw`
      SELECT ${SUMMARY}, lower(a.username) AS key ${FROM}
       WHERE ${usernamePrefix} AND lower(a.username) ~>~ ${cursorAt?.key ?? ""}
         ${and(not(exactOther))}
       ORDER BY lower(a.username) USING ~<~ LIMIT ${limit}`,
    email_prefix: emailPrefix
      ? (cursorAt, limit) => db.$queryRaw`
          SELECT ${SUMMARY}, lower(a.email) AS key ${FROM}
           WHERE ${emailPrefix} ${after(emailKey, cursorAt)}
             ${and(not(exact, usernamePrefix))}
           ORDER BY lower(a.email) COLLATE "C", a.id LIMIT ${limit}`
      : null,
    domain: domainPrefix
      ? (cursorAt, limit) => db.$queryRaw`
          SELECT ${SUMMARY}, lower(split_part(a.email, '@', 2)) AS key ${FROM}
           WHERE ${domainPrefix} ${after(domainKey, cursorAt)}
             ${and(not(exact, usernamePrefix, emailPrefix))}
           ORDER BY lower(split_part(a.email, '@', 2)) COLLATE "C", a.id LIMIT ${limit}`
      : null,
    company_prefix: companyPrefix
      ? (cursorAt, limit) => db.$queryRaw`
          SELECT ${SUMMARY}, lower(a.company) AS key ${FROM}
           WHERE a.company IS NOT NULL AND ${companyPrefix} ${after(companyKey, cursorAt)}
             ${and(not(exact, usernamePrefix, emailPrefix, domainPrefix))}
           ORDER BY lower(a.company) COLLATE "C", a.id LIMIT ${limit}`
      : null,
    // Anywhere inside the name: the trigram index finds them, in no useful order, so this branch pages by id.
    company: companyContains
      ? (cursorAt, limit) => db.$queryRaw`
          SELECT ${SUMMARY}, '' AS key ${FROM}
           WHERE a.company IS NOT NULL AND ${companyContains} AND a.id > ${cursorAt?.id ?? 0}::int
             ${and(not(exact, usernamePrefix, emailPrefix, domainPrefix, companyPrefix))}
           ORDER BY a.id LIMIT ${limit}`
      : null,
  };

  // Fill the page branch by branch from where the cursor stopped; one row more than fits tells whether more follow.
  let taken = 0;
  let last: LookupCursor | null = null;
  let more = false;
  const start = cursor ? BRANCHES.indexOf(cursor.branch) : 0;
  for (let i = start; i < BRANCHES.length; i++) {
    const branch = BRANCHES[i]!;
    const run = branches[branch];
    if (!run) continue;
    const room = opts.limit - taken;
    const rows = await run(i === start ? cursor : null, room + 1);
    const page = rows.slice(0, room);
    push(page, branch);
    taken += page.length;
    const tail = page.at(-1);
    if (tail) last = { branch, key: tail.key, id: tail.id };
    if (rows.length > room) {
      more = true;
      break;
    }
  }
  return { results, nextCursor: more && last ? encodeCursor(last) : null };
}
