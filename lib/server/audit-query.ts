import "server-only";
import { groupedDiff } from "@/lib/audit/diff";
import { encodeCursor, type AuditFilter, type Cursor } from "@/lib/audit/filters";
import { auditVisibility, type AuditVisibility } from "@/lib/audit/visibility";
import type { Role } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { groupScopes } from "@/lib/scopes/catalog";
import { ticketPath } from "@/lib/tickets";
import { getDb } from "./db";
import { resetFacts, toNote } from "./scope-reset-view";

/**
 * The audit workspace's reads: the filtered reset list (keyset pages), one
 * reset in full, an account's timeline and the charts. Every function takes
 * the signed-in staff member and applies their visibility itself, so no
 * caller can forget it.
 */

export interface AuditViewer {
  id: string;
  role: Role;
}

/** SQL text with $n placeholders and their values: run as a prepared query, or inlined for COPY. */
export interface SqlWhere {
  text: string;
  values: (string | number)[];
}

/** A filter made concrete against the database: agent checked, username turned into an account id. */
export interface ResolvedFilter {
  filter: AuditFilter;
  visibility: AuditVisibility;
  /** Set when the account username matches nothing: the result is empty. */
  accountId: number | null;
  matchesNothing: boolean;
}

export async function resolveAuditFilter(viewer: AuditViewer, filter: AuditFilter): Promise<ResolvedFilter> {
  const visibility = auditVisibility(viewer);
  const db = getDb();
  if (filter.agent) {
    const [staff] = await db.$queryRaw<{ id: string }[]>`SELECT id FROM staff_user WHERE id = ${filter.agent}::uuid`;
    if (!staff) throw new AppError("bad_request", `Unknown agent: no staff member has id ${filter.agent}.`, { field: "agent" });
  }
  let accountId: number | null = null;
  let matchesNothing = false;
  if (filter.account && "id" in filter.account) accountId = filter.account.id;
  else if (filter.account) {
    const [account] = await db.$queryRaw<{ id: number }[]>`SELECT id FROM account WHERE lower(username) = ${filter.account.username}`;
    if (account) accountId = account.id;
    else matchesNothing = true;
  }
  return { filter, visibility, accountId, matchesNothing };
}

/** The WHERE clause (alias r for scope_reset) shared by the list, the charts and the export. */
export function buildResetWhere(resolved: ResolvedFilter, cursor: Cursor | null = null): SqlWhere {
  const values: (string | number)[] = [];
  const p = (value: string | number, cast: string) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const clauses: string[] = [];
  const { filter, visibility } = resolved;
  if (resolved.matchesNothing) clauses.push("FALSE");
  if (visibility.scope === "own") clauses.push(`r.actor_id = ${p(visibility.actorId, "uuid")}`);
  if (filter.from) clauses.push(`r.created_at >= ${p(filter.from.toISOString(), "timestamptz")}`);
  if (filter.to) clauses.push(`r.created_at < ${p(filter.to.toISOString(), "timestamptz")}`);
  if (filter.agent) clauses.push(`r.actor_id = ${p(filter.agent, "uuid")}`);
  if (resolved.accountId !== null) clauses.push(`r.account_id = ${p(resolved.accountId, "int")}`);
  if (filter.ticket) clauses.push(`r.ticket_id = ${p(filter.ticket, "text")}`);
  if (filter.outcome) clauses.push(`r.outcome = ${p(filter.outcome, "reset_outcome")}`);
  if (cursor) {
    clauses.push(`(r.created_at, r.id) < (${p(cursor.createdAt.toISOString(), "timestamptz")}, ${p(cursor.id, "uuid")})`);
  }
  return { text: clauses.length ? clauses.join(" AND ") : "TRUE", values };
}

export interface AuditResetRow {
  id: string;
  createdAt: string;
  outcome: "succeeded" | "failed";
  actor: { id: string | null; name: string; email: string };
  account: { id: number; username: string };
  ticket: { ticketId: string; url: string; path: string };
  addedCount: number;
  removedCount: number;
  failureReason: string | null;
}

interface ListRow {
  id: string;
  created_at: Date;
  outcome: "succeeded" | "failed";
  actor_id: string | null;
  actor_name: string;
  actor_email: string;
  account_id: number;
  username: string;
  ticket_id: string;
  ticket_url: string;
  added_count: number;
  removed_count: number;
  failure_reason: string | null;
}

export interface AuditResetPage {
  items: AuditResetRow[];
  /** Opaque; pass as `cursor` with the same filter for the next page. Null on the last page. */
  nextCursor: string | null;
}

/** One page, newest first, keyset on (created_at, id): rows inserted meanwhile never shift later pages. */
export async function listScopeResets(
  viewer: AuditViewer,
  query: { filter: AuditFilter; cursor: Cursor | null; limit: number },
): Promise<AuditResetPage> {
  const resolved = await resolveAuditFilter(viewer, query.filter);
  const where = buildResetWhere(resolved, query.cursor);
  const limitParam = `$${where.values.length + 1}`;
  const rows = await getDb().$queryRawUnsafe<ListRow[]>(
    `SELECT r.id, r.created_at, r.outcome::text AS outcome, r.actor_id, r.actor_name, r.actor_email,
            r.account_id, a.username, r.ticket_id, r.ticket_url,
            cardinality(r.added) AS added_count, cardinality(r.removed) AS removed_count, r.failure_reason
       FROM scope_reset r JOIN account a ON a.id = r.account_id
      WHERE ${where.text}
      ORDER BY r.created_at DESC, r.id DESC
      LIMIT ${limitParam}::int`,
    ...where.values,
    query.limit + 1,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toResetRow),
    nextCursor: rows.length > query.limit && last ? encodeCursor(query.filter, { createdAt: last.created_at, id: last.id }) : null,
  };
}

function toResetRow(r: ListRow): AuditResetRow {
  return {
    id: r.id,
    createdAt: r.created_at.toISOString(),
    outcome: r.outcome,
    actor: { id: r.actor_id, name: r.actor_name, email: r.actor_email },
    account: { id: r.account_id, username: r.username },
    ticket: { ticketId: r.ticket_id, url: r.ticket_url, path: ticketPath(r.ticket_id) },
    addedCount: Number(r.added_count),
    removedCount: Number(r.removed_count),
    failureReason: r.failure_reason,
  };
}

/** Staff to offer in the agent filter: everyone for a lead, only themselves for an agent. */
export async function listAuditAgents(viewer: AuditViewer) {
  const visibility = auditVisibility(viewer);
  return getDb().staffUser.findMany({
    where: visibility.scope === "own" ? { id: visibility.actorId } : { role: { in: ["agent", "lead", "admin"] } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: { id: true, name: true, email: true, role: true },
  });
}

/** One reset as a lead reviews it. An agent asking for someone else's reset gets "not found", not a hint it exists. */
export async function getAuditResetDetail(viewer: AuditViewer, id: string) {
  const visibility = auditVisibility(viewer);
  const reset = await getDb().scopeReset.findUnique({
    where: { id },
    include: {
      account: { select: { id: true, username: true, email: true, signedUpAt: true } },
      beforeScopeSet: { select: { scopes: true, fingerprint: true } },
      afterScopeSet: { select: { scopes: true, fingerprint: true } },
      ticketNotes: { select: { id: true, kind: true, body: true, authorName: true, createdAt: true } },
      adminNote: { select: { id: true, body: true, authorName: true, createdAt: true, ticketUrl: true } },
    },
  });
  if (!reset || (visibility.scope === "own" && reset.actorId !== visibility.actorId)) {
    throw new AppError("not_found", `No scope reset with id ${id} that you may see.`);
  }
  const before = reset.beforeScopeSet?.scopes ?? null;
  const after = reset.afterScopeSet?.scopes ?? null;
  const events = await getDb().$queryRaw<{ seq: bigint; action: string; occurred_at: Date; hash: string }[]>`
    SELECT seq, action, occurred_at, hash FROM audit_event
     WHERE target_type = 'account' AND target_id = ${String(reset.accountId)} AND details->>'resetId' = ${reset.id}
     ORDER BY seq`;
  return {
    ...resetFacts(reset),
    clientIp: reset.clientIp,
    userAgent: reset.userAgent,
    clientRequestId: reset.clientRequestId,
    idempotencyKey: reset.idempotencyKey,
    account: { id: reset.account.id, username: reset.account.username, email: reset.account.email, signedUpAt: reset.account.signedUpAt.toISOString() },
    before: before ? { scopes: before, fingerprint: reset.beforeScopeSet!.fingerprint, groups: groupScopes(before) } : null,
    after: after ? { scopes: after, fingerprint: reset.afterScopeSet!.fingerprint, groups: groupScopes(after) } : null,
    /** For a failed attempt: what it would have changed (nothing was applied). */
    diff: before && after ? groupedDiff(before, after) : before ? groupedDiff(before, applyChange(before, reset.added, reset.removed)) : [],
    notes: {
      before: toNote(reset.ticketNotes.find((n) => n.kind === "scopes_before")),
      after: toNote(reset.ticketNotes.find((n) => n.kind === "scopes_after")),
      admin: toNote(reset.adminNote),
    },
    auditEvents: events.map((e) => ({ seq: e.seq.toString(), action: e.action, occurredAt: e.occurred_at.toISOString(), hash: e.hash })),
  };
}

export type AuditResetDetail = Awaited<ReturnType<typeof getAuditResetDetail>>;

function applyChange(before: string[], added: string[], removed: string[]): string[] {
  const gone = new Set(removed);
  return [...before.filter((s) => !gone.has(s)), ...added];
}

const TIMELINE_LIMIT = 1000;

/** Every reset attempt, ticket note and admin note on one account, oldest first (an agent: only their own). */
export async function getAccountTimeline(viewer: AuditViewer, accountId: number) {
  const visibility = auditVisibility(viewer);
  const db = getDb();
  const account = await db.account.findUnique({ where: { id: accountId }, select: { id: true, username: true, email: true, signedUpAt: true } });
  if (!account) throw new AppError("not_found", `No account with id ${accountId}.`);
  const own = visibility.scope === "own" ? visibility.actorId : null;
  const [resets, ticketNotes, adminNotes] = await Promise.all([
    db.scopeReset.findMany({
      where: { accountId, ...(own ? { actorId: own } : {}) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: TIMELINE_LIMIT,
      select: { id: true, outcome: true, actorName: true, createdAt: true, ticketId: true, ticketUrl: true, added: true, removed: true, failureReason: true, reason: true },
    }),
    db.ticketNote.findMany({
      where: { accountId, ...(own ? { reset: { actorId: own } } : {}) },
      orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
      take: TIMELINE_LIMIT,
      select: { id: true, kind: true, body: true, authorName: true, createdAt: true, resetId: true, ticketId: true, ticketUrl: true },
    }),
    db.adminNote.findMany({
      where: { accountId, ...(own ? { OR: [{ authorId: own }, { reset: { actorId: own } }] } : {}) },
      orderBy: { createdAt: "asc" },
      take: TIMELINE_LIMIT,
      select: { id: true, body: true, authorName: true, createdAt: true, resetId: true, ticketId: true, ticketUrl: true },
    }),
  ]);
  type Entry =
    | { type: "reset"; at: string; order: number; reset: { id: string; outcome: string; actorName: string; ticketId: string; ticketUrl: string; added: string[]; removed: string[]; failureReason: string | null; reason: string | null } }
    | { type: "ticket_note"; at: string; order: number; note: { id: string; kind: string; body: string; authorName: string; resetId: string; ticketId: string; ticketUrl: string } }
    | { type: "admin_note"; at: string; order: number; note: { id: string; body: string; authorName: string; resetId: string | null; ticketId: string | null; ticketUrl: string | null } };
  const entries: Entry[] = [
    ...resets.map((r) => ({
      type: "reset" as const,
      at: r.createdAt.toISOString(),
      order: 0,
      reset: { id: r.id, outcome: r.outcome, actorName: r.actorName, ticketId: r.ticketId, ticketUrl: r.ticketUrl, added: r.added, removed: r.removed, failureReason: r.failureReason, reason: r.reason },
    })),
    ...ticketNotes.map((n) => ({
      type: "ticket_note" as const,
      at: n.createdAt.toISOString(),
      order: n.kind === "scopes_before" ? 1 : 2,
      note: { id: n.id, kind: n.kind, body: n.body, authorName: n.authorName, resetId: n.resetId, ticketId: n.ticketId, ticketUrl: n.ticketUrl },
    })),
    ...adminNotes.map((n) => ({
      type: "admin_note" as const,
      at: n.createdAt.toISOString(),
      order: 3,
      note: { id: n.id, body: n.body, authorName: n.authorName, resetId: n.resetId, ticketId: n.ticketId, ticketUrl: n.ticketUrl },
    })),
  ];
  entries.sort((a, b) => (a.at === b.at ? a.order - b.order : a.at < b.at ? -1 : 1));
  return {
    account: { ...account, signedUpAt: account.signedUpAt.toISOString() },
    entries,
    truncated: resets.length === TIMELINE_LIMIT || ticketNotes.length === TIMELINE_LIMIT || adminNotes.length === TIMELINE_LIMIT,
  };
}

export type AccountTimeline = Awaited<ReturnType<typeof getAccountTimeline>>;

export interface AuditCharts {
  perDay: { day: string; succeeded: number; failed: number }[];
  perAgent: { actorId: string | null; name: string; succeeded: number; failed: number }[];
  backlog: BacklogCounts;
}

export interface BacklogCounts {
  cutoff: string;
  beforeCutoff: number;
  afterCutoff: number;
  computedAt: string;
}

/** Resets per day by outcome and per agent over the filtered set, and the erase-job backlog. */
export async function getAuditCharts(viewer: AuditViewer, filter: AuditFilter): Promise<AuditCharts> {
  const resolved = await resolveAuditFilter(viewer, filter);
  const where = buildResetWhere(resolved);
  const db = getDb();
  const [perDay, perAgent, backlog] = await Promise.all([
    db.$queryRawUnsafe<{ day: string; succeeded: bigint; failed: bigint }[]>(
      `SELECT to_char(date_trunc('day', r.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
              count(*) FILTER (WHERE r.outcome = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE r.outcome = 'failed') AS failed
         FROM scope_reset r WHERE ${where.text} GROUP BY 1 ORDER BY 1`,
      ...where.values,
    ),
    db.$queryRawUnsafe<{ actor_id: string | null; name: string; succeeded: bigint; failed: bigint }[]>(
      `SELECT r.actor_id, max(r.actor_name) AS name,
              count(*) FILTER (WHERE r.outcome = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE r.outcome = 'failed') AS failed
         FROM scope_reset r WHERE ${where.text} GROUP BY r.actor_id ORDER BY count(*) DESC, 2 LIMIT 25`,
      ...where.values,
    ),
    eraseJobBacklog(),
  ]);
  return {
    perDay: perDay.map((d) => ({ day: d.day, succeeded: Number(d.succeeded), failed: Number(d.failed) })),
    perAgent: perAgent.map((a) => ({ actorId: a.actor_id, name: a.name, succeeded: Number(a.succeeded), failed: Number(a.failed) })),
    backlog,
  };
}

const BACKLOG_TTL_MS = 30_000;
const backlogCache = globalThis as unknown as { __scopedeskBacklog?: { at: number; value: Promise<BacklogCounts> } };

/**
 * Accounts still lacking the erase-job scopes, split by the signup cutoff.
 * Walks the few hundred scope sets without them and counts each one's
 * accounts on the (scope_set_id, signed_up_at) index; cached briefly since
 * every /audit view shows it.
 */
export function eraseJobBacklog(options: { fresh?: boolean } = {}): Promise<BacklogCounts> {
  const cached = backlogCache.__scopedeskBacklog;
  if (!options.fresh && cached && Date.now() - cached.at < BACKLOG_TTL_MS) return cached.value;
  const cutoff = getConfig().signupCutoff;
  const value = getDb()
    .$queryRaw<{ before_cutoff: bigint | null; after_cutoff: bigint | null }[]>`
      SELECT sum((SELECT count(*) FROM account a WHERE a.scope_set_id = s.id AND a.signed_up_at < ${cutoff})) AS before_cutoff,
             sum((SELECT count(*) FROM account a WHERE a.scope_set_id = s.id AND a.signed_up_at >= ${cutoff})) AS after_cutoff
        FROM scope_set s WHERE NOT s.has_erase_job`
    .then(([row]) => ({
      cutoff: cutoff.toISOString(),
      beforeCutoff: Number(row?.before_cutoff ?? 0),
      afterCutoff: Number(row?.after_cutoff ?? 0),
      computedAt: new Date().toISOString(),
    }));
  value.catch(() => {
    if (backlogCache.__scopedeskBacklog?.value === value) backlogCache.__scopedeskBacklog = undefined;
  });
  backlogCache.__scopedeskBacklog = { at: Date.now(), value };
  return value;
}
