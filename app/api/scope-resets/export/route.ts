import { auditExportQuerySchema } from "@/lib/audit/filters";
import { apiRoute } from "@/lib/server/api";
import { exportScopeResets } from "@/lib/server/audit-export";

/** The filtered set as CSV or JSON Lines, streamed; recorded as an `audit.export` event. Leads and admins only. */
export const GET = apiRoute({ permission: "audit:export", query: () => auditExportQuerySchema() }, async ({ staff, query, meta }) => {
  const file = await exportScopeResets(staff, query, meta);
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.filename}"`,
      // no-transform: Next would otherwise gzip hundreds of megabytes on the request path.
      "cache-control": "no-store, no-transform",
      "x-content-type-options": "nosniff",
    },
  });
});

export const dynamic = "force-dynamic";
