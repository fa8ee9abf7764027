import "server-only";
import { randomUUID } from "node:crypto";
import type { StaffSession } from "@/lib/auth/get-staff";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { appendAuditEvent, type RequestMeta } from "./append-audit-event";
import { toVerificationView, type ChainVerificationView } from "./get-chain-verification";
import { getDb } from "@/lib/platform/db";

/**
 * "Verify chain" in the audit workspace (decision 036): a lead asks, the
 * worker walks the chain (./run-chain-verification.ts) writing its progress,
 * the page polls (./get-chain-verification.ts). One verification at a time:
 * asking while one is queued or running answers that one. Audited.
 */
/** A queued or running verification not heard of for this long is taken as lost (its worker died): a new one may start. */
const STALE_AFTER_MS = 10 * 60_000;

export async function startChainVerification(input: {
  staff: StaffSession;
  meta: RequestMeta;
}): Promise<{ started: boolean; verification: ChainVerificationView }> {
  const { staff, meta } = input;
  return getDb().$transaction(async (tx) => {
    // One at a time across the console's processes: the lock is held until this transaction ends.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('scopedesk.audit_verification'))`;
    const inFlight = await tx.auditVerification.findFirst({
      where: { status: { in: ["queued", "running"] }, updatedAt: { gt: new Date(Date.now() - STALE_AFTER_MS) } },
      orderBy: { createdAt: "desc" },
    });
    if (inFlight) return { started: false, verification: toVerificationView(inFlight) };
    const id = randomUUID();
    const row = await tx.auditVerification.create({ data: { id, requestedById: staff.id, requestedByName: staff.name } });
    await enqueueInTransaction(tx, QUEUES.verifyAuditChain, { verificationId: id });
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "audit.chain_verification_requested",
      target: { type: "audit_verification", id },
      details: { verificationId: id },
      meta,
    });
    return { started: true, verification: toVerificationView(row) };
  });
}
