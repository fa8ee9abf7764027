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
  /** Walks the whole audit chain for a lead's "Verify chain" (lib/audit/run-chain-verification.ts). */
  verifyAuditChain: "audit.verify-chain",
  /** Every AUDIT_CHECKPOINT_MINUTES: signs the audit chain's head (lib/audit/sign-audit-checkpoint.ts). */
  signAuditCheckpoint: "audit.sign-checkpoint",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobData {
  [QUEUES.deliverResetNotes]: { resetId: string };
  [QUEUES.sendCustomerReply]: { deliveryId: string };
  [QUEUES.deliveryDead]: { resetId?: string; deliveryId?: string };
  [QUEUES.eraseRecipients]: { eraseJobId: string };
  [QUEUES.eraseDead]: { eraseJobId: string };
  [QUEUES.pruneRateLimits]: Record<string, never>;
  [QUEUES.verifyAuditChain]: { verificationId: string };
  [QUEUES.signAuditCheckpoint]: Record<string, never>;
}

/** Deliveries: 8 retries with exponential backoff from 5 s to 10 min (about 40 min in all); a worker that stops heartbeating for 30 s loses the job to another. */
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

/** Erasure: 5 attempts as before; a silent worker's job is taken over after 60 s without a heartbeat. */
const ERASURE: QueueSettings = {
  retryLimit: 4,
  retryDelay: 10,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 3600,
  heartbeatSeconds: 60,
  deadLetter: QUEUES.eraseDead,
  notify: true,
};

/** Created by the migration step (scripts/lib/migrate.ts), dead-letter queues first. */
export const QUEUE_OPTIONS: readonly { name: QueueName; options: QueueSettings }[] = [
  { name: QUEUES.deliveryDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.eraseDead, options: { retryLimit: 2, retryDelay: 30 } },
  { name: QUEUES.deliverResetNotes, options: DELIVERY },
  { name: QUEUES.sendCustomerReply, options: DELIVERY },
  { name: QUEUES.eraseRecipients, options: ERASURE },
  { name: QUEUES.pruneRateLimits, options: { retryLimit: 0, expireInSeconds: 60 } },
  // A walk of a large log takes minutes; a worker that stops heartbeating loses it to another, which starts again.
  { name: QUEUES.verifyAuditChain, options: { retryLimit: 2, retryDelay: 10, expireInSeconds: 3600, heartbeatSeconds: 60, notify: true } },
  { name: QUEUES.signAuditCheckpoint, options: { retryLimit: 1, retryDelay: 30, expireInSeconds: 120 } },
];

/** The checkpoint schedule: every `minutes` (a divisor of 60, lib/platform/config.ts) within the hour, UTC. */
export function checkpointCron(minutes: number): string {
  return minutes === 60 ? "0 * * * *" : `*/${minutes} * * * *`;
}

/** Recurring jobs (cron, UTC), scheduled by the worker. */
export const SCHEDULES: readonly { name: QueueName; cron: string }[] = [{ name: QUEUES.pruneRateLimits, cron: "*/5 * * * *" }];

/** pg-boss's own schema, created and migrated by the migration step, never by the app. */
export const BOSS_SCHEMA = "pgboss";
