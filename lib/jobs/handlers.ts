import "server-only";
import type { Job, JobWithMetadata } from "pg-boss";
import { recordEraseFailure, runEraseJob } from "@/lib/erasure/run-erase-job";
import { deliverHelpdeskComment } from "@/lib/helpdesk/deliver-helpdesk-comment";
import { deliverResetNotes, markDeliveriesDead } from "@/lib/helpdesk/deliver-reset-notes";
import { deliverApprovalNotes } from "@/lib/helpdesk/deliver-approval-notes";
import { sweepApprovals } from "@/lib/approvals/sweep-approvals";
import { getZendesk } from "@/lib/helpdesk/get-zendesk";
import { getDb } from "@/lib/platform/db";
import { pruneRateLimitWindows } from "@/lib/api-keys/rate-limit";
import { pruneReplayGuard } from "@/lib/platform/replay-guard";
import { markTriageNoteDead, runTicketTriage } from "@/lib/triage/run-ticket-triage";
import { runChainVerification } from "@/lib/audit/run-chain-verification";
import { signAuditCheckpoint } from "@/lib/audit/sign-audit-checkpoint";
import { QUEUES, type JobData, type QueueName } from "./queues";

/**
 * What each queue's job does: one handler per queue, each idempotent (its
 * state lives in the app's tables). The worker (./run-worker.ts) hands them
 * the job with its metadata, so a handler knows its last try.
 */
export interface HandlerContext {
  workerId: string;
}

export type Handler<Q extends QueueName> = (job: JobWithMetadata<JobData[Q]> | Job<JobData[Q]>, ctx: HandlerContext) => Promise<unknown>;

/** Whether this try is the job's last (pg-boss counts retries from 0; retryLimit of them follow the first try). */
export function isFinalAttempt(job: { retryCount: number; retryLimit?: number }): boolean {
  return job.retryLimit !== undefined && job.retryCount >= job.retryLimit;
}

function worker() {
  const client = getZendesk("worker");
  // Jobs are only queued when the helpdesk is connected; a worker without the settings must not lose them.
  if (!client)
    throw new Error("The helpdesk is not connected in this worker (ZENDESK_CLIENT_ID, ZENDESK_CLIENT_SECRET, HELPDESK_BASE_URL).");
  return client;
}

export const HANDLERS: { [Q in QueueName]: Handler<Q> } = {
  [QUEUES.deliverResetNotes]: (job) =>
    deliverResetNotes(job.data.resetId, worker(), { finalAttempt: isFinalAttempt(job as JobWithMetadata), jobId: job.id }),
  [QUEUES.sendCustomerReply]: (job) =>
    deliverHelpdeskComment(job.data.deliveryId, worker(), { finalAttempt: isFinalAttempt(job as JobWithMetadata), jobId: job.id }),
  [QUEUES.deliveryDead]: async (job) => {
    const which = job.data.resetId
      ? { resetId: job.data.resetId }
      : job.data.approvalId
        ? { approvalId: job.data.approvalId }
        : { ids: [job.data.deliveryId!] };
    return markDeliveriesDead(
      which,
      "Gave up: the delivery job ran out of tries (or its worker stopped answering on the last one).",
      `job:${job.id}`,
    );
  },
  [QUEUES.eraseRecipients]: (job, ctx) =>
    runEraseJob(job.data.eraseJobId, { finalAttempt: isFinalAttempt(job as JobWithMetadata), workerId: ctx.workerId, signal: job.signal }),
  [QUEUES.eraseDead]: (job) => recordEraseFailure(job.data.eraseJobId, "gave up: the job ran out of tries", true),
  [QUEUES.pruneRateLimits]: () => pruneRateLimitWindows(getDb()),
  [QUEUES.triageTicket]: (job) =>
    runTicketTriage(job.data.ticketId, worker(), { finalAttempt: isFinalAttempt(job as JobWithMetadata), jobId: job.id }),
  [QUEUES.triageDead]: (job) =>
    markTriageNoteDead(
      job.data.ticketId,
      "Gave up: the triage job ran out of tries (or its worker stopped answering on the last one).",
      `job:${job.id}`,
    ),
  [QUEUES.pruneReplayGuard]: () => pruneReplayGuard(getDb()),
  [QUEUES.verifyAuditChain]: (job) => runChainVerification(job.data.verificationId, { jobId: job.id }),
  [QUEUES.signAuditCheckpoint]: async () => {
    const outcome = await signAuditCheckpoint();
    return outcome.signed ? { signed: outcome.checkpoint.headSeq } : { skipped: outcome.reason };
  },
  [QUEUES.deliverApprovalNotes]: (job) =>
    deliverApprovalNotes(job.data.approvalId, worker(), { finalAttempt: isFinalAttempt(job as JobWithMetadata), jobId: job.id }),
  [QUEUES.sweepApprovals]: () => sweepApprovals(),
};
