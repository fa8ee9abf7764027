import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import type { Role } from "@/lib/auth/permissions";
import type { AuditFilter, Cursor } from "./filters";
import { auditVisibility, type AuditVisibility } from "./visibility";

/**
 * The audit workspace's one WHERE clause (alias r for scope_reset), shared by
 * the list, the charts and the export, so the three always mean the same
 * rows. Every reader takes the signed-in staff member and applies their
 * visibility here, so no caller can forget it.
 */
export interface AuditViewer {
  id: string;
  role: Role;
}

/** A filter made concrete against the database: agent checked, username turned into an account id. */
export interface ResolvedFilter {
  filter: AuditFilter;
  visibility: AuditVisibility;
  accountId: number | null;
  /** Set when the account username matches nothing: the result is empty. */
  matchesNothing: boolean;
  /** Names for the filter's ids, so the page shows names, never UUIDs. */
  labels: { agent: string | null; account: string | null };
}

export async function resolveAuditFilter(viewer: AuditViewer, filter: AuditFilter): Promise<ResolvedFilter> {
  const visibility = auditVisibility(viewer);
  const db = getDb();
  const labels: ResolvedFilter["labels"] = { agent: null, account: null };
  if (filter.agent) {
    const [staff] = await db.$queryRaw<{ name: string }[]>`SELECT name FROM staff_user WHERE id = ${filter.agent}::uuid`;
    if (!staff) throw new AppError("bad_request", `Unknown agent: no staff member has id ${filter.agent}.`, { field: "agent" });
    labels.agent = staff.name;
  }
  let accountId: number | null = null;
  let matchesNothing = false;
  if (filter.account) {
    const [account] =
      "id" in filter.account
        ? await db.$queryRaw<{ id: number; username: string }[]>`SELECT id, username FROM account WHERE id = ${filter.account.id}`
        : await db.$queryRaw<
            { id: number; username: string }[]
          >`SELECT id, username FROM account WHERE lower(username) = ${filter.account.username}`;
    if ("id" in filter.account) accountId = filter.account.id;
    else if (account) accountId = account.id;
    else matchesNothing = true;
    labels.account = account
      ? `${account.id} · ${account.username}`
      : "id" in filter.account
        ? `account ${filter.account.id}`
        : filter.account.username;
  }
  return { filter, visibility, accountId, matchesNothing, labels };
}

/**
 * How a value enters the clause. The list and the charts bind parameters
 * (`bindValue`); COPY cannot take parameters, so the export binds each value
 * to a transaction-local setting first and the clause reads it back with
 * current_setting() (export-sql.ts): no value is ever spliced into SQL text.
 */
export type Binder = (value: string | number, cast: "uuid" | "timestamptz" | "int" | "bigint" | "text" | "reset_outcome") => Prisma.Sql;

export const bindValue: Binder = (value, cast) => Prisma.sql`${value}::${Prisma.raw(cast)}`;

/** The WHERE clause for the filter (and, for a page after the first, the keyset cursor). */
export function buildResetWhere(resolved: ResolvedFilter, cursor: Cursor | null = null, bind: Binder = bindValue): Prisma.Sql {
  const clauses: Prisma.Sql[] = [];
  const { filter, visibility } = resolved;
  if (resolved.matchesNothing) clauses.push(Prisma.sql`FALSE`);
  if (visibility.scope === "own") clauses.push(Prisma.sql`r.actor_id = ${bind(visibility.actorId, "uuid")}`);
  if (filter.from) clauses.push(Prisma.sql`r.created_at >= ${bind(filter.from.toISOString(), "timestamptz")}`);
  if (filter.to) clauses.push(Prisma.sql`r.created_at < ${bind(filter.to.toISOString(), "timestamptz")}`);
  if (filter.agent) clauses.push(Prisma.sql`r.actor_id = ${bind(filter.agent, "uuid")}`);
  if (resolved.accountId !== null) clauses.push(Prisma.sql`r.account_id = ${bind(resolved.accountId, "int")}`);
  if (filter.ticket) clauses.push(Prisma.sql`r.ticket_id = ${bind(filter.ticket, "text")}`);
  if (filter.outcome) clauses.push(Prisma.sql`r.outcome = ${bind(filter.outcome, "reset_outcome")}`);
  if (cursor) {
    clauses.push(Prisma.sql`(r.created_at, r.id) < (${bind(cursor.createdAt.toISOString(), "timestamptz")}, ${bind(cursor.id, "uuid")})`);
  }
  return clauses.length ? Prisma.join(clauses, " AND ") : Prisma.sql`TRUE`;
}
