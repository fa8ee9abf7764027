/**
 * Every background job Scopedesk runs, on pg-boss (docs/decisions/016-background-work-on-pg-boss.md):
 * the queue names, what each job carries, and each queue's retry policy. A
 * job carries ids only; what it works on lives in the app's own tables, so
 * running a job twice is harmless and the console can show its state.
 */
import type { Queue } from "pg-boss";

type QueueSettings = Omit<Queue, "name">;

export const QUEUES = {
  /** Posts a reset's two internal notes into the ticket, note 1 then note 2. */
  deliverResetNotes: "helpdesk.deliver-reset-notes",
  /** Posts the customer reply an agent sent. */
  sendCustomerReply: "helpdesk.send-customer-reply",
  /** Deliveries whose retries ran out (or whose worker died on the last one): marked dead. */
  deliveryDead: "helpdesk.delivery-dead",
  /** Carries out one Recipients' Data Erasure job. */
  eraseRecipients: "erasure.erase-recipients",
  /** Erase jobs whose retries ran out: marked failed. */
  eraseDead: "erasure.erase-dead",
  /** Every five minutes: drops /v3 rate-limit windows older than an hour. */
  pruneRateLimits: "maintenance.prune-rate-limits",
  /** Triages a ticket on arrival and posts its one internal note (lib/triage, decision 031). */
  triageTicket: "triage.triage-ticket",
  /** Triage jobs whose retries ran out: their note is marked dead. */
  triageDead: "triage.triage-dead",
  /** Every five minutes: drops replay-guard claims that have expired (lib/platform/replay-guard.ts). */
  pruneReplayGuard: "maintenance.prune-replay-guard",
  /** Walks the whole audit chain for a lead's "Verify chain" (lib/audit/run-chain-verification.ts). */
  verifyAuditChain: "audit.verify-chain",
  /** Every AUDIT_CHECKPOINT_MINUTES: signs the audit chain's head (lib/audit/sign-audit-checkpoint.ts). */
  signAuditCheckpoint: "audit.sign-checkpoint",
  /** Posts an approval request's notes into its ticket, one per step, oldest first. */
  deliverApprovalNotes: "helpdesk.deliver-approval-notes",
  /** Every minute: approval requests past their time are marked expired, those whose account changed void. */
  sweepApprovals: "approvals.sweep",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobData {
  [QUEUES.deliverResetNotes]: { resetId: string };
  [QUEUES.sendCustomerReply]: { deliveryId: string };
  [QUEUES.deliveryDead]: { resetId?: string; deliveryId?: string; approvalId?: string };
  [QUEUES.eraseRecipients]: { eraseJobId: string };
  [QUEUES.eraseDead]: { eraseJobId: string };
  [QUEUES.pruneRateLimits]: Record<string, never>;
  [QUEUES.triageTicket]: { ticketId: string };
  [QUEUES.triageDead]: { ticketId: string };
  [QUEUES.pruneReplayGuard]: Record<string, never>;
  [QUEUES.verifyAuditChain]: { verificationId: string };
  [QUEUES.signAuditCheckpoint]: Record<string, never>;
  [QUEUES.deliverApprovalNotes]: { approvalId: string };
  [QUEUES.sweepApprovals]: Record<string, never>;
}

/** Deliveries: 8 retries with exponential backoff from 5 s to 10 min (about 40 min in all); a worker that stops heartbeating for 30 s loses the job to another (WORKER_TAKEOVER_BOUND_SECONDS). */
const DELIVERY: QueueSettings = {
  retryLimit: 8,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 600,
  expireInSeconds: 300,
  heartbeatSeconds: 30,
  deadLetter: QUEUES.deliveryDead,
  // Workers are woken by LISTEN/NOTIFY the moment a reset commits, not at their next poll.
  notify: true,
};

/**
 * Erasure: 5 attempts, backing off from 5 s (5–10, 10–20, 20–40, 40–80 s); a silent worker's job is
 * failed 30 s after its last heartbeat, and retried (so taken over) as WORKER_TAKEOVER_BOUND_SECONDS says.
 */
const ERASURE: QueueSettings = {
  retryLimit: 4,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 3600,
  heartbeatSeconds: 30,
  deadLetter: QUEUES.eraseDead,
  notify: true,
};

/**
 * How long after its worker dies (SIGKILL, mid-job) a job is started again by another worker, in the worst
 * case, from pg-boss 12's rules (decision 016): its heartbeat is missed at most heartbeatSeconds (30) after
 * the death; a supervisor notices within superviseIntervalSeconds (5, lib/jobs/boss.ts) plus its pass; the
 * failed try is retried after retryDelay to twice that (5–10 s, the first backoff step); a worker fetches it
 * within pollingIntervalSeconds (2, run-worker.ts). 30 + 5 + 10 + 2 = 47 s, plus the passes' and queries' own
 * time, which a loaded machine stretches: the README promises 60 s. tests/db/worker-takeover.test.ts holds
 * both queues to it.
 */
export const WORKER_TAKEOVER_BOUND_SECONDS = 60;
/** Triage: as deliveries (it posts one note), with its own dead-letter queue. */
const TRIAGE: QueueSettings = { ...DELIVERY, deadLetter: QUEUES.triageDead };

/** Created by the migration step (scripts/lib/migrate.ts), dead-letter queues first. */
export const QUEUE_OPTIONS: readonly { name: QueueName; options: QueueSettings }[] = [
  { name: QUEUES.deliveryDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.eraseDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.deliverResetNotes, options: DELIVERY },
  { name: QUEUES.sendCustomerReply, options: DELIVERY },
  { name: QUEUES.eraseRecipients, options: ERASURE },
  { name: QUEUES.pruneRateLimits, options: { retryLimit: 0, expireInSeconds: 60 } },
  { name: QUEUES.triageDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.triageTicket, options: TRIAGE },
  { name: QUEUES.pruneReplayGuard, options: { retryLimit: 0, expireInSeconds: 60 } },
  // A walk of a large log takes minutes; a worker that stops heartbeating loses it to another, which starts again.
  { name: QUEUES.verifyAuditChain, options: { retryLimit: 2, retryDelay: 10, expireInSeconds: 3600, heartbeatSeconds: 60, notify: true } },
  { name: QUEUES.signAuditCheckpoint, options: { retryLimit: 1, retryDelay: 30, expireInSeconds: 120 } },
  { name: QUEUES.deliverApprovalNotes, options: DELIVERY },
  { name: QUEUES.sweepApprovals, options: { retryLimit: 0, expireInSeconds: 60 } },
];

/** The checkpoint schedule: every `minutes` (a divisor of 60, lib/platform/config.ts) within the hour, UTC. */
export function checkpointCron(minutes: number): string {
  return minutes === 60 ? "0 * * * *" : `*/${minutes} * * * *`;
}

/** Recurring jobs (cron, UTC), scheduled by the worker. */
export const SCHEDULES: readonly { name: QueueName; cron: string }[] = [
  { name: QUEUES.pruneRateLimits, cron: "*/5 * * * *" },
  { name: QUEUES.pruneReplayGuard, cron: "*/5 * * * *" },
  { name: QUEUES.sweepApprovals, cron: "* * * * *" },
];

/** pg-boss's own schema, created and migrated by the migration step, never by the app. */
export const BOSS_SCHEMA = "pgboss";
