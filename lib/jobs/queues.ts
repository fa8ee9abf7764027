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

/** Created by the migration step (scripts/lib/migrate.ts), dead-letter queues first. */
export const QUEUE_OPTIONS: readonly { name: QueueName; options: QueueSettings }[] = [
  { name: QUEUES.deliveryDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.eraseDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.deliverResetNotes, options: DELIVERY },
  { name: QUEUES.sendCustomerReply, options: DELIVERY },
  { name: QUEUES.eraseRecipients, options: ERASURE },
  { name: QUEUES.pruneRateLimits, options: { retryLimit: 0, expireInSeconds: 60 } },
  { name: QUEUES.deliverApprovalNotes, options: DELIVERY },
  { name: QUEUES.sweepApprovals, options: { retryLimit: 0, expireInSeconds: 60 } },
];

/** Recurring jobs (cron, UTC), scheduled by the worker. */
export const SCHEDULES: readonly { name: QueueName; cron: string }[] = [
  { name: QUEUES.pruneRateLimits, cron: "*/5 * * * *" },
  { name: QUEUES.sweepApprovals, cron: "* * * * *" },
];

/** pg-boss's own schema, created and migrated by the migration step, never by the app. */
export const BOSS_SCHEMA = "pgboss";
