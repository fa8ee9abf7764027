import "server-only";
import { listDeliveries, type DeliveryView } from "@/lib/helpdesk/list-deliveries";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import type { AuditViewer } from "./audit-where";
import type { ResetDeliveryState } from "./delivery-state";
import { getDeliveryStates } from "./get-delivery-states";
import { getSentReply, type SentReply } from "./get-sent-reply";

export interface ResetDeliveries {
  state: ResetDeliveryState;
  deliveries: DeliveryView[];
  reply: SentReply | null;
}

/** One reset's deliveries in full (the audit detail polls this while any is queued or retrying). */
export async function getResetDeliveries(viewer: AuditViewer, resetId: string): Promise<ResetDeliveries> {
  const states = await getDeliveryStates(viewer, [resetId]);
  const state = states[resetId];
  if (!state) throw new AppError("not_found", `No scope reset with id ${resetId} that you may see.`);
  const [deliveries, reply] = await Promise.all([listDeliveries(getDb(), { resetId }), getSentReply(getDb(), resetId)]);
  return { state, deliveries, reply };
}
