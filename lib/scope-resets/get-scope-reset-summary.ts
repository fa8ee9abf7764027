import "server-only";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { ticketPath } from "@/lib/tickets/ticket-ref";

/** What POST answers: enough to link to the result, without the scope lists, notes and reply (GET /api/scope-resets/{id}). */
export async function getScopeResetSummary(id: string) {
  const reset = await getDb().scopeReset.findUnique({
    where: { id },
    select: {
      id: true,
      outcome: true,
      accountId: true,
      ticketId: true,
      ticketUrl: true,
      added: true,
      removed: true,
      beforeCount: true,
      afterCount: true,
      verified: true,
      actorName: true,
      createdAt: true,
    },
  });
  if (!reset) throw new AppError("not_found", `No scope reset with id ${id}.`);
  return {
    ...reset,
    createdAt: reset.createdAt.toISOString(),
    ticket: { ticketId: reset.ticketId, url: reset.ticketUrl, path: ticketPath(reset.ticketId) },
    links: { self: `/api/scope-resets/${reset.id}`, page: `/scope-resets/${reset.id}` },
  };
}
