import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/platform/db";
import { createAccount, createScopeReset, PRE_CUTOFF_SCOPES } from "../support/factories";
import { signIn, type HttpSession } from "../support/http-session";

/**
 * The /triage page and GET /api/triage show the current state against the
 * production build: a ticket triage found needing a reset, whose account was
 * reset since, is "Reset done" with a link to that reset, and is no longer
 * under "Needs reset".
 */
const db = getDb();
const ticketId = String(6_000_000_000 + randomInt(1_000_000));
let viewer: HttpSession;

beforeAll(async () => {
  viewer = await signIn("viewer@scopedesk.test");
});

afterAll(async () => {
  await db.ticketTriage.deleteMany({ where: { ticketId } });
});

interface Listed {
  items: { ticketId: string; state: string; foundState: string; reset: { id: string } | null }[];
  counts: Record<string, number>;
}

describe("the triage list after a reset", () => {
  it("shows the ticket as Reset done, linking the reset, under that filter and not under Needs reset", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const receivedAt = new Date(Date.now() - 60_000);
    await db.ticketTriage.create({
      data: {
        ticketId,
        ticketUrl: `http://127.0.0.1/agent/tickets/${ticketId}`,
        noteMarker: `[Scopedesk triage of ticket #${ticketId}]`,
        state: "needs_reset",
        accountId: account.id,
        accountUsername: account.username,
        subject: "Please enable erase jobs",
        receivedAt,
        triagedAt: receivedAt,
      },
    });
    const before = (await (await viewer.fetch("/api/triage?state=needs_reset&limit=200")).json()) as Listed;
    expect(before.items.find((i) => i.ticketId === ticketId)).toMatchObject({ state: "needs_reset", reset: null });

    const reset = await createScopeReset({ accountId: account.id });
    const done = (await (await viewer.fetch("/api/triage?state=reset_done&limit=200")).json()) as Listed;
    expect(done.items.find((i) => i.ticketId === ticketId)).toMatchObject({
      state: "reset_done",
      foundState: "needs_reset",
      reset: { id: reset.id },
    });
    expect(done.counts.reset_done).toBeGreaterThanOrEqual(1);
    const open = (await (await viewer.fetch("/api/triage?state=needs_reset&limit=200")).json()) as Listed;
    expect(open.items.some((i) => i.ticketId === ticketId)).toBe(false);

    const html = await (await viewer.fetch("/triage?state=reset_done")).text();
    expect(html).toContain(`href="/tickets/${ticketId}"`);
    expect(html).toContain(`href="/scope-resets/${reset.id}"`);
    expect(html).toContain("Reset done");
    expect(html).toContain("found: needs reset");
    expect(await (await viewer.fetch("/triage?state=needs_reset")).text()).not.toContain(`href="/tickets/${ticketId}"`);
  });
});
