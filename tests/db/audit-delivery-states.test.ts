import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { NOTES_DELIVERY_SQL, REPLY_DELIVERY_SQL } from "@/lib/audit/export-sql";
import { getDeliveryStates } from "@/lib/audit/get-delivery-states";
import { getDb } from "@/lib/platform/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { createAccount, createScopeReset, staffByEmail } from "../support/factories";

/**
 * A reset's delivery state is computed twice: in TypeScript for the pages
 * (lib/audit/delivery-state.ts) and in SQL for the export (export-sql.ts).
 * On the same rows they must say the same.
 */
describe("delivery states", () => {
  it("are the same in the pages and in the export, for every mix of note and reply states", async () => {
    const alex = await staffByEmail("agent@scopedesk.test");
    const account = await createAccount();
    const mixes: [string[], string | null][] = [
      [[], null],
      [["delivered", "delivered"], null],
      [["delivered", "queued"], "queued"],
      [["retrying", "queued"], null],
      [["dead", "queued"], "delivered"],
      [["delivered", "dead"], "dead"],
      [["delivered", "delivered"], "retrying"],
    ];
    const ids: string[] = [];
    for (const [notes, reply] of mixes) {
      const reset = await createScopeReset({ accountId: account.id, actor: alex });
      ids.push(reset.id);
      const rows = [
        ...notes.map((status, i) => ({ kind: i === 0 ? "scopes_before" : "scopes_after", status })),
        ...(reply ? [{ kind: "customer_reply", status: reply }] : []),
      ];
      for (const { kind, status } of rows) {
        const marker = `[${randomUUID()}]`;
        await getDb().helpdeskDelivery.create({
          data: {
            id: randomUUID(),
            resetId: reset.id,
            ticketId: reset.ticketId,
            kind: kind as never,
            body: `body ${marker}`,
            public: kind === "customer_reply",
            marker,
            status: status as never,
            requestedByName: alex.name,
            ...(status === "delivered" ? { deliveredAt: new Date(), zendeskCommentId: 1n } : {}),
          },
        });
      }
    }
    const pages = await getDeliveryStates({ id: alex.id, role: "lead" }, ids);
    const exported = await getDb().$queryRaw<{ id: string; notes: string; reply: string | null }[]>`
      SELECT r.id, ${Prisma.raw(NOTES_DELIVERY_SQL)} AS notes, ${Prisma.raw(REPLY_DELIVERY_SQL)} AS reply
        FROM scope_reset r WHERE r.id = ANY(${ids}::uuid[])`;
    expect(Object.fromEntries(exported.map((r) => [r.id, { notes: r.notes, reply: r.reply }]))).toEqual(pages);
    expect(ids.map((id) => pages[id]!.notes)).toEqual(["none", "delivered", "queued", "retrying", "dead", "dead", "delivered"]);
  });
});
