import type { ExportFormat } from "@/lib/audit/filters";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Binder } from "./audit-where";

/**
 * The export's COPY statements, as text (COPY takes no parameters): pure
 * functions, so the benchmark runs the very same statement straight through
 * `pg` as the export's limit.
 */

/** The exported columns of a reset, in order (CSV header = these names). */
export const EXPORT_COLUMNS = [
  "id",
  "created_at",
  "outcome",
  "actor_id",
  "actor_name",
  "actor_email",
  "account_id",
  "account_username",
  "ticket_id",
  "ticket_url",
  "added_count",
  "removed_count",
  "added",
  "removed",
  "before_count",
  "after_count",
  "verified",
  "reason",
  "failure_reason",
  "catalog_version",
  "request_id",
  "client_ip",
  "user_agent",
  "duration_ms",
  "notes_delivery",
  "reply_delivery",
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

const TEXT_COLUMNS = new Set<ExportColumn>([
  "actor_name",
  "actor_email",
  "account_username",
  "ticket_url",
  "reason",
  "failure_reason",
  "request_id",
  "client_ip",
  "user_agent",
  "added",
  "removed",
]);

/**
 * A reset's two ticket notes as one state, the worst first: dead (needs a
 * retry), retrying, queued, delivered; `none` when nothing was queued (a
 * failed attempt, or no helpdesk). The same rule as `notesDeliveryState` in
 * ./delivery-state.ts (a database test holds them together).
 */
export const NOTES_DELIVERY_SQL = `(SELECT CASE WHEN count(*) = 0 THEN 'none' WHEN bool_or(d.status = 'dead') THEN 'dead'
  WHEN bool_or(d.status = 'retrying') THEN 'retrying' WHEN bool_or(d.status = 'queued') THEN 'queued' ELSE 'delivered' END
  FROM helpdesk_delivery d WHERE d.reset_id = r.id AND d.kind IN ('scopes_before', 'scopes_after'))`;
/** The customer reply's state, or NULL when none was sent. */
export const REPLY_DELIVERY_SQL = `(SELECT d.status::text FROM helpdesk_delivery d WHERE d.reset_id = r.id AND d.kind = 'customer_reply')`;

function columnExpression(column: ExportColumn): string {
  switch (column) {
    case "created_at":
      return `to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case "outcome":
      return "r.outcome::text";
    case "account_username":
      return "a.username";
    case "added_count":
      return "cardinality(r.added)";
    case "removed_count":
      return "cardinality(r.removed)";
    case "added":
    case "removed":
      return `array_to_string(r.${column}, ' ')`;
    case "verified":
      // true/false in words: COPY would print a boolean as t/f.
      return "r.verified::text";
    case "notes_delivery":
      return NOTES_DELIVERY_SQL;
    case "reply_delivery":
      return REPLY_DELIVERY_SQL;
    default:
      return `r.${column}`;
  }
}

/**
 * COPY takes no parameters, so the filter's values are bound to
 * transaction-local settings (set_config with ordinary parameters) and the
 * WHERE clause reads them back: the COPY text holds no value at all.
 */
export function settingsBinder(): { bind: Binder; values: string[] } {
  const values: string[] = [];
  const bind: Binder = (value, cast) => {
    values.push(String(value));
    return Prisma.raw(`current_setting('scopedesk.export_${values.length}')::${cast}`);
  };
  return { bind, values };
}

const FROM = "FROM scope_reset r JOIN account a ON a.id = r.account_id";
const ORDER = "ORDER BY r.created_at DESC, r.id DESC";

function checkNoParameters(where: Prisma.Sql): void {
  if (where.values.length > 0) throw new Error("the export's WHERE clause must read its values from settings, not parameters");
}

/** JSON escapes every control character, so with \x01 as quote and \x02 as delimiter CSV mode never quotes and each line is the JSON text as is. */
const AS_JSON_LINES = `TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;

/** The reset's own audit event (scope_reset.succeeded or .failed, details.resetId; index audit_event_reset_id_idx). */
const RESET_EVENT_JOIN = `LEFT JOIN LATERAL (SELECT e.seq FROM audit_event e WHERE e.details ->> 'resetId' = r.id::text
  AND e.action IN ('scope_reset.succeeded', 'scope_reset.failed') ORDER BY e.seq LIMIT 1) ev ON true`;

export function exportSql(format: ExportFormat, where: Prisma.Sql): string {
  checkNoParameters(where);
  if (format === "csv") {
    const select = EXPORT_COLUMNS.map((c) => {
      const expr = columnExpression(c);
      return `${TEXT_COLUMNS.has(c) ? `audit_csv_text(${expr})` : expr} AS ${c}`;
    }).join(", ");
    return `COPY (SELECT ${select} ${FROM} WHERE ${where.text} ${ORDER}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
  const pairs = EXPORT_COLUMNS.map((c) => {
    // Arrays stay arrays and booleans booleans in JSON.
    const expr = c === "added" || c === "removed" || c === "verified" ? `r.${c}` : columnExpression(c);
    return `'${c}', ${expr}`;
  }).join(", ");
  return `COPY (SELECT json_build_object('type', 'scope_reset', ${pairs}, 'audit_seq', ev.seq::text) ${FROM} ${RESET_EVENT_JOIN}
    WHERE ${where.text} ${ORDER}) ${AS_JSON_LINES}`;
}

/** The lowest and highest seq of the exported resets' own events (which audit events the JSON Lines file must hold). */
export function exportEventRangeSql(where: Prisma.Sql): string {
  checkNoParameters(where);
  return `SELECT min(e.seq)::text AS min_seq, max(e.seq)::text AS max_seq ${FROM}
    JOIN audit_event e ON e.details ->> 'resetId' = r.id::text AND e.action IN ('scope_reset.succeeded', 'scope_reset.failed')
    WHERE ${where.text}`;
}

/** Every audit event with seq in [from, to] (bound by settings `first` and `last`), oldest first, every stored field. */
export function exportEventsSql(first: Prisma.Sql, last: Prisma.Sql): string {
  checkNoParameters(first);
  checkNoParameters(last);
  return `COPY (SELECT json_build_object('type', 'audit_event', 'seq', e.seq::text, 'id', e.id,
      'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'actor_id', e.actor_id, 'actor_name', e.actor_name, 'actor_email', e.actor_email, 'action', e.action,
      'target_type', e.target_type, 'target_id', e.target_id, 'ticket_id', e.ticket_id, 'details', e.details,
      'ip', e.ip, 'user_agent', e.user_agent, 'request_id', e.request_id, 'prev_hash', e.prev_hash, 'hash', e.hash,
      'hash_version', e.hash_version)
    FROM audit_event e WHERE e.seq BETWEEN ${first.text} AND ${last.text} ORDER BY e.seq) ${AS_JSON_LINES}`;
}
