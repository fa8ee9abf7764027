import "server-only";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { appendAuditEvent } from "./append-audit-event";
import { verifyAuditChain } from "./verify-audit-chain";

/** Progress is written at most this often: a walk of a million events stays a few hundred small updates. */
const PROGRESS_EVERY_MS = 500;

/**
 * The worker's side of "Verify chain": walks the chain, writing how far it
 * got, then the report, and records the result as an audit event on behalf of
 * the lead who asked. Idempotent: a finished verification is not run again; a
 * retry after a crash starts the walk over.
 */
export async function runChainVerification(
  verificationId: string,
  options: { jobId?: string } = {},
): Promise<{ ok: boolean; checked: number } | { skipped: string }> {
  const db = getDb();
  const row = await db.auditVerification.findUnique({ where: { id: verificationId } });
  if (!row) return { skipped: "no such verification" };
  if (row.status === "done") return { skipped: "already done" };
  await db.auditVerification.update({
    where: { id: verificationId },
    data: { status: "running", startedAt: new Date(), checkedEvents: 0, error: null, updatedAt: new Date() },
  });
  let lastWrite = 0;
  try {
    const report = await verifyAuditChain({
      onProgress: async (checked, total) => {
        if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = Date.now();
        await db.auditVerification.update({
          where: { id: verificationId },
          data: { checkedEvents: checked, totalEvents: Math.max(total, checked), updatedAt: new Date() },
        });
      },
    });
    await db.$transaction(async (tx) => {
      await tx.auditVerification.update({
        where: { id: verificationId },
        data: {
          status: "done",
          result: JSON.parse(JSON.stringify(report)),
          checkedEvents: report.eventsChecked,
          totalEvents: Math.max(Number(report.headSeq), report.eventsChecked),
          finishedAt: new Date(),
          updatedAt: new Date(),
        },
      });
      const staff = row.requestedById ? await tx.staffUser.findUnique({ where: { id: row.requestedById } }) : null;
      await appendAuditEvent(tx, {
        actor: { id: row.requestedById, name: row.requestedByName, email: staff?.email ?? null },
        action: "audit.chain_verified",
        target: { type: "audit_verification", id: verificationId },
        details: {
          verificationId,
          ok: report.ok,
          eventsChecked: report.eventsChecked,
          intactThrough: report.intactThrough,
          problem: report.problem ? { kind: report.problem.kind, seq: report.problem.seq } : null,
          summary: report.summary,
        },
        meta: {
          requestId: options.jobId ? `job:${options.jobId}` : `verification:${verificationId}`,
          ip: null,
          userAgent: "scopedesk-worker",
        },
      });
    });
    return { ok: report.ok, checked: report.eventsChecked };
  } catch (error) {
    getLogger().error({ err: error, verificationId }, "chain verification failed to run");
    await db.auditVerification.update({
      where: { id: verificationId },
      data: {
        status: "failed",
        error: "The verification could not finish (the worker's log has the cause); it is tried again.",
        updatedAt: new Date(),
      },
    });
    throw error;
  }
}
