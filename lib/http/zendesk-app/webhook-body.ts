/**
 * The ticket a triage webhook names. Zendesk sends what the webhook's trigger
 * says (README: `{"ticket_id": "{{ticket.id}}"}`), or, for a webhook
 * subscribed to the ticket-created event, the event
 * (`{"type": "zen:event-type:ticket.created", "detail": {"id": "123", …}}`).
 * Anything else is refused. Pure.
 */
import { z } from "zod";

const ticketId = z
  .union([z.string(), z.number().int()])
  .transform(String)
  .pipe(z.string().regex(/^[1-9][0-9]{0,14}$/, "must be a ticket number"));

const triggerBody = z.looseObject({ ticket_id: ticketId });
const eventBody = z.looseObject({ type: z.literal("zen:event-type:ticket.created"), detail: z.looseObject({ id: ticketId }) });

export function webhookTicketId(body: unknown): { ok: true; ticketId: string } | { ok: false; message: string } {
  const trigger = triggerBody.safeParse(body);
  if (trigger.success) return { ok: true, ticketId: trigger.data.ticket_id };
  const event = eventBody.safeParse(body);
  if (event.success) return { ok: true, ticketId: event.data.detail.id };
  return {
    ok: false,
    message:
      'The webhook body names no ticket: send {"ticket_id": "{{ticket.id}}"} from the trigger, or subscribe to zen:event-type:ticket.created.',
  };
}
