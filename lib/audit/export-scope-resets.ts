import "server-only";
import { to as copyTo } from "pg-copy-streams";
import type { AuditExportQuery } from "@/lib/audit/filters";
import { appendAuditEvent, type RequestMeta } from "./append-audit-event";
import { buildResetWhere, resolveAuditFilter, type AuditViewer } from "./audit-where";
import { exportSql, settingsBinder } from "./export-sql";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { getPgPool } from "@/lib/platform/pg-pool";

/**
 * The filtered reset set as CSV or JSON Lines, streamed straight from
 * PostgreSQL's COPY: the server holds one chunk at a time whatever the size,
 * and the rows are exactly those the list shows for the same filter (same
 * WHERE clause, same order).
 */

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
