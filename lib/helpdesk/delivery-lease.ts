import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "@/lib/platform/db";

/**
 * One worker at a time per delivery (decision 042): a lease on the row,
 * claimed by one UPDATE and given back when the try ends, instead of an
 * advisory lock in a transaction held across the Zendesk requests (which
 * held one pool connection per job for the whole try). A worker that dies
 * leaves a lease that runs out by itself, within LEASE_SECONDS of its last
 * renewal; the lease is renewed before every step that talks to Zendesk, and
 * a worker that finds it lost stops there. The post is one request (the
 * worker client never repeats a write in place: at most a token request and
 * the post, 2 × 10 s), so a renewal right before it outlasts it: two workers
 * never post the same delivery at once. 30 s also keeps a dead worker's
 * delivery within the takeover bound (WORKER_TAKEOVER_BOUND_SECONDS, 60 s):
 * pg-boss starts the job again after about 40 s, by when the lease is gone.
 */
export const LEASE_SECONDS = 30;

/** Another worker holds the delivery's lease (or took it over): this try changes nothing and the job is tried again later. */
export class DeliveryBusy extends Error {
  override name = "DeliveryBusy";
}

export interface DeliveryLease {
  readonly token: string;
  /** Extends the lease; throws DeliveryBusy when another worker holds it now. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * The lease of an undelivered delivery; its status when it is delivered or dead; or, when another worker holds
 * it, until when (the caller starts a job then, without using up a try of its own).
 */
export async function claimDeliveryLease(deliveryId: string): Promise<DeliveryLease | "delivered" | "dead" | { busyUntil: Date }> {
  const db = getDb();
  const token = randomUUID();
  const claimed = await db.$executeRaw`
    UPDATE helpdesk_delivery SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS}), lease_token = ${token}::uuid
     WHERE id = ${deliveryId}::uuid AND status IN ('queued', 'retrying') AND (lease_until IS NULL OR lease_until < now())`;
  if (claimed === 0) {
    const row = await db.helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId }, select: { status: true, leaseUntil: true } });
    if (row.status === "delivered" || row.status === "dead") return row.status;
    return { busyUntil: row.leaseUntil ?? new Date() };
  }
  return {
    token,
    async renew() {
      const renewed = await db.$executeRaw`
        UPDATE helpdesk_delivery SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
         WHERE id = ${deliveryId}::uuid AND lease_token = ${token}::uuid`;
      if (renewed === 0) throw new DeliveryBusy(`Delivery ${deliveryId}: its lease ran out and another worker took it over.`);
    },
    async release() {
      await db.$executeRaw`
        UPDATE helpdesk_delivery SET lease_until = NULL, lease_token = NULL WHERE id = ${deliveryId}::uuid AND lease_token = ${token}::uuid`;
    },
  };
}
