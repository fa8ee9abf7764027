import type { ExportFormat } from "@/lib/audit/filters";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Binder } from "./audit-where";

/**
 * The export's COPY statement, as text (COPY takes no parameters): a pure
 * function, so the benchmark runs the very same statement straight through
 * `pg` as the export's limit.
 */

/** The exported columns, in order (CSV header = these names). */
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
] as const;

const TEXT_COLUMNS = new Set([
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

function columnExpression(column: (typeof EXPORT_COLUMNS)[number]): string {
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

export function exportSql(format: ExportFormat, where: Prisma.Sql): string {
  if (where.values.length > 0) throw new Error("the export's WHERE clause must read its values from settings, not parameters");
  const from = `FROM scope_reset r JOIN account a ON a.id = r.account_id WHERE ${where.text} ORDER BY r.created_at DESC, r.id DESC`;
  if (format === "csv") {
    const select = EXPORT_COLUMNS.map((c) => {
      const expr = columnExpression(c);
      return `${TEXT_COLUMNS.has(c) ? `audit_csv_text(${expr})` : expr} AS ${c}`;
    }).join(", ");
    return `COPY (SELECT ${select} ${from}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
  const pairs = EXPORT_COLUMNS.map((c) => {
    // Arrays stay arrays in JSON.
    const expr = c === "added" || c === "removed" ? `r.${c}` : columnExpression(c);
    return `'${c}', ${expr}`;
  }).join(", ");
  // JSON escapes every control character, so with \x01 as quote and \x02 as
  // delimiter CSV mode never quotes and each line is the JSON text as is.
  return `COPY (SELECT json_build_object(${pairs}) ${from}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}
