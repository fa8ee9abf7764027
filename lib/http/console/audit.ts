import { auditExportQuerySchema, auditListQuerySchema } from "@/lib/audit/filters";
import { exportScopeResets } from "@/lib/audit/export-scope-resets";
import { getAccountTimeline } from "@/lib/audit/get-account-timeline";
import { getAuditResetDetail } from "@/lib/audit/get-audit-reset";
import { listScopeResets } from "@/lib/audit/list-scope-resets";
import { accountIdParams, uuidParams } from "@/lib/http/schemas";
import { consoleEndpoint } from "./endpoint";

/** The audit workspace's data: reset attempts (agents see their own), one in full, an account's timeline, the export. */

/** GET /api/scope-resets?{filters}&limit=&cursor=: reset attempts, newest first, keyset pages. */
export const listScopeResetsEndpoint = consoleEndpoint(
  { method: "GET", path: "/scope-resets", permission: "audit:read_own", query: () => auditListQuerySchema() },
  ({ staff, query }) => listScopeResets(staff, query),
);

/** GET /api/scope-resets/export?format=csv|jsonl&{filters}: exactly the filtered set, streamed; an audit.export event. */
export const exportScopeResetsEndpoint = consoleEndpoint(
  { method: "GET", path: "/scope-resets/export", permission: "audit:export", query: () => auditExportQuerySchema(), recordsAccess: true },
  async ({ staff, query, meta }) => {
    const file = await exportScopeResets(staff, query, meta);
    return new Response(file.body, {
      headers: {
        "content-type": file.contentType,
        "content-disposition": `attachment; filename="${file.filename}"`,
        "cache-control": "no-store, no-transform",
      },
    });
  },
);

/** GET /api/scope-resets/{id}/audit: one attempt in full (scope sets, grouped diff, notes, request metadata, its events). */
export const auditResetEndpoint = consoleEndpoint(
  { method: "GET", path: "/scope-resets/:id/audit", permission: "audit:read_own", params: uuidParams },
  ({ staff, params }) => getAuditResetDetail(staff, params.id),
);

/** GET /api/audit/accounts/{id}: every reset attempt and note on one account, oldest first. */
export const accountTimelineEndpoint = consoleEndpoint(
  { method: "GET", path: "/audit/accounts/:id", permission: "audit:read_own", params: accountIdParams },
  ({ staff, params }) => getAccountTimeline(staff, params.id),
);
