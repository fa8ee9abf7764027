import { z } from "zod";
import { getChainVerification, latestChainVerification, type ChainVerificationView } from "@/lib/audit/get-chain-verification";
import { startChainVerification } from "@/lib/audit/start-chain-verification";
import { uuidParams } from "@/lib/http/schemas";
import { consoleEndpoint, withStatus } from "./endpoint";

/** "Verify chain" in the audit workspace (decision 036): leads and admins ask for a walk of the whole log and watch it. */

const noBody = z.object({}, { error: "Send an empty JSON object: {}." }).strict();

/** POST /api/audit/chain-verifications: starts one (201), or answers the one already queued or running (200). Audited. */
export const startChainVerificationEndpoint = consoleEndpoint(
  { method: "POST", path: "/audit/chain-verifications", permission: "audit:read_all", body: noBody },
  async ({ staff, meta }) => {
    const { started, verification } = await startChainVerification({ staff, meta });
    return withStatus(started ? 201 : 200, { started, verification });
  },
);
export type StartChainVerificationOutput = { started: boolean; verification: ChainVerificationView };

/** GET /api/audit/chain-verifications/latest: the newest verification, or null. */
export const latestChainVerificationEndpoint = consoleEndpoint(
  { method: "GET", path: "/audit/chain-verifications/latest", permission: "audit:read_all" },
  async () => ({ verification: await latestChainVerification() }),
);
export type LatestChainVerificationOutput = { verification: ChainVerificationView | null };

/** GET /api/audit/chain-verifications/{id}: its progress and, once done, the report in words. */
export const getChainVerificationEndpoint = consoleEndpoint(
  { method: "GET", path: "/audit/chain-verifications/:id", permission: "audit:read_all", params: uuidParams },
  async ({ params }) => ({ verification: await getChainVerification(params.id) }),
);
export type GetChainVerificationOutput = { verification: ChainVerificationView };
