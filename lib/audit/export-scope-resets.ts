import "server-only";
import { to as copyTo } from "pg-copy-streams";
import type { AuditExportQuery, ExportFormat } from "@/lib/audit/filters";
import { appendAuditEvent, type RequestMeta } from "./append-audit-event";
import { Prisma } from "@/lib/generated/prisma/client";
import { buildResetWhere, resolveAuditFilter, type AuditViewer, type Binder } from "./audit-where";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { getPgPool } from "@/lib/platform/pg-pool";

/**
 * The filtered reset set as CSV or JSON Lines, streamed straight from
 * PostgreSQL's COPY: the server holds one chunk at a time whatever the size,
 * and the rows are exactly those the list shows for the same filter (same
 * WHERE clause, same order).
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

const CHUNK_BYTES = 64 * 1024;

export interface ExportStream {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  filename: string;
}

/**
 * Records the export in the audit log (who, which filter), then streams it.
 * The event is written first so an export that is aborted half-way still
 * leaves its trace.
 */
export async function exportScopeResets(
  viewer: AuditViewer & { name: string; email: string },
  query: AuditExportQuery,
  meta: RequestMeta,
): Promise<ExportStream> {
  const resolved = await resolveAuditFilter(viewer, query.filter);
  const settings = settingsBinder();
  const where = buildResetWhere(resolved, null, settings.bind);
  await getDb().$transaction(async (tx) => {
    await appendAuditEvent(tx, {
      actor: { id: viewer.id, name: viewer.name, email: viewer.email },
      action: "audit.export",
      target: { type: "scope_reset", id: "export" },
      details: { format: query.format, filter: query.filter.params, visibility: resolved.visibility.scope },
      meta,
    });
  });

  const client = await getPgPool().connect();
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    // A connection left mid-COPY (or mid-transaction) is destroyed rather than reused.
    client.release(error ?? undefined);
  };
  let sql: string;
  try {
    sql = exportSql(query.format, where);
    await client.query("BEGIN READ ONLY");
    for (const [i, value] of settings.values.entries()) {
      await client.query("SELECT set_config($1, $2, true)", [`scopedesk.export_${i + 1}`, value]);
    }
  } catch (error) {
    release(error as Error);
    throw error;
  }
  const source = client.query(copyTo(sql));
  const started = performance.now();
  let bytes = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // COPY sends one message per row; hand the response ~64 KiB at a time
        // instead, or per-chunk stream overhead dominates a million rows.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = () => {
          if (pendingBytes === 0) return;
          const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        };
        source.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes < CHUNK_BYTES) return;
          flush();
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.on("end", () => {
          flush();
          void client.query("COMMIT").then(
            () => release(),
            (error: Error) => release(error),
          );
          getLogger().info(
            { requestId: meta.requestId, format: query.format, bytes, ms: Math.round(performance.now() - started) },
            "audit export finished",
          );
          controller.close();
        });
        source.on("error", (error: Error) => {
          release(error);
          getLogger().error({ requestId: meta.requestId, err: error }, "audit export failed mid-stream");
          controller.error(error);
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        source.destroy();
        release(new Error("export cancelled by the client"));
      },
    },
    { highWaterMark: 8 },
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    body,
    contentType: query.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    filename: `scope-resets-${stamp}.${query.format}`,
  };
}
