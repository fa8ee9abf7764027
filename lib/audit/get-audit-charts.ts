import "server-only";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { buildResetWhere, resolveAuditFilter, type AuditViewer, type ResolvedFilter } from "./audit-where";
import { failureKind, failureLabel, FAILURE_KINDS, type FailureKind } from "./failure-reasons";
import type { AuditFilter } from "./filters";

export interface AuditCharts {
  perDay: { day: string; succeeded: number; failed: number }[];
  perAgent: { actorId: string | null; name: string; succeeded: number; failed: number }[];
  /** Failed attempts by kind of reason, most first (./failure-reasons.ts). */
  perFailureReason: { kind: FailureKind; label: string; count: number }[];
  backlog: BacklogCounts;
}

export interface BacklogCounts {
  cutoff: string;
  beforeCutoff: number;
  afterCutoff: number;
  computedAt: string;
}

/** Resets per day by outcome, per agent and failures per reason over the filtered set, and the erase-job backlog. */
export async function getAuditCharts(viewer: AuditViewer, filter: AuditFilter, resolvedFilter?: ResolvedFilter): Promise<AuditCharts> {
  const resolved = resolvedFilter ?? (await resolveAuditFilter(viewer, filter));
  const where = buildResetWhere(resolved);
  const db = getDb();
  const [perDay, perAgent, perHead, backlog] = await Promise.all([
    db.$queryRaw<{ day: string; succeeded: bigint; failed: bigint }[]>`
      SELECT to_char(date_trunc('day', r.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
             count(*) FILTER (WHERE r.outcome = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE r.outcome = 'failed') AS failed
        FROM scope_reset r WHERE ${where} GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ actor_id: string | null; name: string; succeeded: bigint; failed: bigint }[]>`
      SELECT r.actor_id, max(r.actor_name) AS name,
             count(*) FILTER (WHERE r.outcome = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE r.outcome = 'failed') AS failed
        FROM scope_reset r WHERE ${where} GROUP BY r.actor_id ORDER BY count(*) DESC, 2 LIMIT 25`,
    // The kind is the text before the first colon; the words come from ./failure-reasons.ts.
    db.$queryRaw<{ head: string; n: bigint }[]>`
      SELECT split_part(r.failure_reason, ':', 1) AS head, count(*) AS n
        FROM scope_reset r WHERE ${where} AND r.outcome = 'failed' GROUP BY 1`,
    eraseJobBacklog(),
  ]);
  const byKind = new Map<FailureKind, number>();
  for (const { head, n } of perHead) {
    const kind = failureKind(`${head}:`) ?? "other";
    byKind.set(kind, (byKind.get(kind) ?? 0) + Number(n));
  }
  return {
    perDay: perDay.map((d) => ({ day: d.day, succeeded: Number(d.succeeded), failed: Number(d.failed) })),
    perAgent: perAgent.map((a) => ({ actorId: a.actor_id, name: a.name, succeeded: Number(a.succeeded), failed: Number(a.failed) })),
    perFailureReason: [...byKind]
      .map(([kind, count]) => ({ kind, label: failureLabel(kind), count }))
      .sort((a, b) => b.count - a.count || FAILURE_KINDS.indexOf(a.kind) - FAILURE_KINDS.indexOf(b.kind)),
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
  const value = getDb().$queryRaw<{ before_cutoff: bigint | null; after_cutoff: bigint | null }[]>`
      SELECT sum((SELECT count(*) FROM account a WHERE a.scope_set_id = s.id AND a.signed_up_at < ${cutoff})) AS before_cutoff,
             sum((SELECT count(*) FROM account a WHERE a.scope_set_id = s.id AND a.signed_up_at >= ${cutoff})) AS after_cutoff
        FROM scope_set s WHERE NOT s.has_erase_job`.then(([row]) => ({
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
