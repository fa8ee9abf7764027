import { auditExportQuerySchema, auditListQuerySchema } from "@/lib/audit/filters";
import { exportScopeResets } from "@/lib/audit/export-scope-resets";
import { getAccountTimeline } from "@/lib/audit/get-account-timeline";
import { getAuditResetDetail } from "@/lib/audit/get-audit-reset";
import { listScopeResets } from "@/lib/audit/list-scope-resets";
import { getDeliveryStates, MAX_DELIVERY_STATE_IDS } from "@/lib/audit/get-delivery-states";
import { getResetDeliveries, type ResetDeliveries } from "@/lib/audit/get-reset-deliveries";
import type { ResetDeliveryState } from "@/lib/audit/delivery-state";
import { accountIdParams, uuidParams } from "@/lib/http/schemas";
import { z } from "zod";
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

const deliveryStatesQuery = z
  .object({
    ids: z
      .string({ error: "ids must be reset ids (UUIDs) separated by commas." })
      .max(MAX_DELIVERY_STATE_IDS * 37, `At most ${MAX_DELIVERY_STATE_IDS} ids.`)
      .transform((text) => [...new Set(text.split(",").filter(Boolean))])
      .pipe(
        z
          .array(z.uuid("Each id must be a UUID."))
          .min(1, "Give at least one id.")
          .max(MAX_DELIVERY_STATE_IDS, `At most ${MAX_DELIVERY_STATE_IDS} ids.`),
      ),
  })
  .strict();

/** GET /api/scope-resets/delivery-states?ids=a,b: each visible reset's helpdesk delivery state (the audit list polls it). */
export const deliveryStatesEndpoint = consoleEndpoint(
  { method: "GET", path: "/scope-resets/delivery-states", permission: "audit:read_own", query: deliveryStatesQuery },
  async ({ staff, query }) => ({ states: await getDeliveryStates(staff, query.ids) }),
);
export type DeliveryStatesOutput = { states: Record<string, ResetDeliveryState> };

/** GET /api/scope-resets/{id}/deliveries: one reset's deliveries and the sent reply (the audit detail polls it). */
export const resetDeliveriesEndpoint = consoleEndpoint(
  { method: "GET", path: "/scope-resets/:id/deliveries", permission: "audit:read_own", params: uuidParams },
  ({ staff, params }) => getResetDeliveries(staff, params.id),
);
export type ResetDeliveriesOutput = ResetDeliveries;
