import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { stopBoss } from "@/lib/jobs/boss";
import { getDb } from "@/lib/platform/db";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import { loadReplyFacts } from "@/lib/scope-resets/load-reply-facts";
import { deliveryClient, driveJob, json, resetForNewTicket, sendReply, ZENDESK } from "../support/delivery-harness";
import { createAccount, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";
import { openTicket, signIn, type HttpSession } from "../support/http-session";

/**
 * One reply per ticket and account (decision 045): once a reply about an
 * account is on a ticket (a reset's, a family reset's, or the "create a new
 * key" reply without a reset), the console offers no second one that would
 * contradict it, and a send of one is refused with 409 reply_already_sent
 * saying what was sent and where. The reply panel's reason not to send comes
 * from the server (closed ticket, no ticket named).
 */
const db = getDb();
let agent: HttpSession;
let client: ZendeskClient;

beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
  client = deliveryClient();
});
afterAll(stopBoss);

interface ReplyViewJson {
  draft: { text: string; factsFingerprint: string } | null;
  blocked: string | null;
  sent: { id: string; status: string } | null;
  otherReply: { delivery: { id: string }; details: { about: string; path: string; text: string; status: string } } | null;
  cannotSend: string | null;
}
interface ErrorJson {
  error: { code: string; message: string; details: { about: string; path: string; text: string; deliveryId: string } };
}

const accountReply = async (accountId: number, ticketId?: string) =>
  (await (await agent.fetch(`/api/accounts/${accountId}/customer-reply${ticketId ? `?ticket=${ticketId}` : ""}`)).json()) as ReplyViewJson;
const resetReply = async (resetId: string) =>
  ((await (await agent.fetch(`/api/scope-resets/${resetId}`)).json()) as { reply: ReplyViewJson }).reply;

describe("no contradictory second reply on a ticket", () => {
  it("after a reset's reply, the ticket gets no 'nothing needed to change' reply about the same account; another ticket may", async () => {
    const { resetId, ticketId, accountId } = await resetForNewTicket(agent);
    const deliveryId = await sendReply(agent, resetId);
    await driveJob({ kind: "reply", deliveryId }, client);
    const sentText = (await db.helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).body;

    // The account holds the scopes now, so the account page offers the new-key reply: not on this ticket.
    const offered = await accountReply(accountId, ticketId);
    expect(offered.draft).toBeNull();
    expect(offered.blocked).toMatch(new RegExp(`already on ticket #${ticketId}: the reply of its scope reset was sent`));
    expect(offered.otherReply!.details).toMatchObject({ about: "reset", path: `/scope-resets/${resetId}`, status: "delivered" });
    expect(offered.otherReply!.details.text).toBe(sentText);

    // A send drafted elsewhere (on another ticket's page) is refused on this ticket, saying what was sent.
    const elsewhere = await openTicket();
    const draft = (await accountReply(accountId, elsewhere.ticketId)).draft!;
    expect(draft.text).toContain("already has the erase-job scopes");
    const refused = await agent.fetch(
      `/api/accounts/${accountId}/customer-reply`,
      json({ ticket: `#${ticketId}`, text: draft.text, factsFingerprint: draft.factsFingerprint }),
    );
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as ErrorJson;
    expect(body.error.code).toBe("reply_already_sent");
    expect(body.error.details).toMatchObject({ about: "reset", path: `/scope-resets/${resetId}`, deliveryId, text: sentText });
    expect(await db.helpdeskDelivery.count({ where: { ticketId, kind: "customer_reply" } })).toBe(1);

    // Another ticket is another conversation: there the new-key reply is true and sent.
    const other = await agent.fetch(
      `/api/accounts/${accountId}/customer-reply`,
      json({ ticket: `#${elsewhere.ticketId}`, text: draft.text, factsFingerprint: draft.factsFingerprint }),
    );
    expect(other.status).toBe(201);
  });

  it("after the new-key reply, a later reset on the same ticket offers no 'now enabled' reply", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const ticket = await openTicket();
    const draft = (await accountReply(account.id, ticket.ticketId)).draft!;
    const sent = await agent.fetch(
      `/api/accounts/${account.id}/customer-reply`,
      json({ ticket: `#${ticket.ticketId}`, text: draft.text, factsFingerprint: draft.factsFingerprint }),
    );
    expect(sent.status).toBe(201);

    // The scopes are taken away since (someone else's change), and the agent resets the account on the same ticket.
    const legacy = await ensureScopeSet(db, PRE_CUTOFF_SCOPES);
    await db.account.update({ where: { id: account.id }, data: { scopeSetId: legacy.id } });
    const { resetId } = await resetForNewTicketOf(account.id, ticket.ticketId);
    const reply = await resetReply(resetId);
    expect(reply.draft).toBeNull();
    expect(reply.blocked).toContain('the "create a new key" reply (no reset) is on its way');
    expect(reply.otherReply!.details).toMatchObject({ about: "new_key_only", path: `/accounts/${account.id}` });

    // Sending it anyway, drafted from the facts as they are, is refused, saying what was sent.
    const { factsFingerprint } = await loadReplyFacts(db, { kind: "reset", resetId });
    const refused = await agent.fetch(
      `/api/scope-resets/${resetId}/customer-reply`,
      json({ text: "Hello, the scopes are now enabled.", factsFingerprint }),
    );
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorJson).error).toMatchObject({
      code: "reply_already_sent",
      details: { about: "new_key_only", text: draft.text },
    });
    expect(await db.helpdeskDelivery.count({ where: { resetId, kind: "customer_reply" } })).toBe(0);
  });

  it("on a ticket where the account was reset, the reply to send is the reset's, not 'nothing needed to change'", async () => {
    const { resetId, ticketId, accountId } = await resetForNewTicket(agent);
    const offered = await accountReply(accountId, ticketId);
    expect(offered.draft).toBeNull();
    expect(offered.blocked).toContain(`send the reset's reply from /scope-resets/${resetId}`);
    const draft = (await accountReply(accountId)).draft!;
    const refused = await agent.fetch(
      `/api/accounts/${accountId}/customer-reply`,
      json({ ticket: `#${ticketId}`, text: draft.text, factsFingerprint: draft.factsFingerprint }),
    );
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorJson).error).toMatchObject({
      code: "conflict",
      details: { resetId, path: `/scope-resets/${resetId}` },
    });
    // The reset's own reply is still offered and goes.
    expect((await resetReply(resetId)).draft).not.toBeNull();
    await sendReply(agent, resetId);
  });

  it("after a family reset's reply, no subuser of it gets a second reply on that ticket", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const subs = [
      await createAccount({ scopes: ["mail.send"], parentId: parent.id }),
      await createAccount({ scopes: ["mail.send"], parentId: parent.id }),
    ];
    const ticket = await openTicket();
    const preview = (await (await agent.fetch(`/api/accounts/${parent.id}/family-resets`)).json()) as {
      parent: { expectedFingerprint: string };
      subusers: { id: number; expectedFingerprint: string }[];
    };
    const reset = await agent.fetch(
      `/api/accounts/${parent.id}/family-resets`,
      json({
        ticket: `#${ticket.ticketId}`,
        idempotencyKey: randomUUID(),
        parent: { expectedFingerprint: preview.parent.expectedFingerprint },
        subusers: preview.subusers.map((s) => ({ id: s.id, expectedFingerprint: s.expectedFingerprint })),
      }),
    );
    expect(reset.status).toBe(201);
    const { familyResetId } = (await reset.json()) as { familyResetId: string };
    const family = ((await (await agent.fetch(`/api/family-resets/${familyResetId}`)).json()) as { reply: ReplyViewJson }).reply;
    const sent = await agent.fetch(
      `/api/family-resets/${familyResetId}/customer-reply`,
      json({ text: family.draft!.text, factsFingerprint: family.draft!.factsFingerprint }),
    );
    expect(sent.status).toBe(201);

    for (const id of [subs[0]!.id, parent.id]) {
      const offered = await accountReply(id, ticket.ticketId);
      expect(offered.draft).toBeNull();
      expect(offered.otherReply!.details).toMatchObject({ about: "family", path: `/family-resets/${familyResetId}` });
    }
  });
});

describe("a true follow-up is not refused", () => {
  it("after the new-key reply named a subuser lacking the scopes, the family reset of that subuser replies on the same ticket", async () => {
    const parent = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: ["mail.send"], parentId: parent.id });
    const ticket = await openTicket();
    const draft = (await accountReply(parent.id, ticket.ticketId)).draft!;
    expect(draft.text).toContain(`- ${sub.username}`);
    const first = await agent.fetch(
      `/api/accounts/${parent.id}/customer-reply`,
      json({ ticket: `#${ticket.ticketId}`, text: draft.text, factsFingerprint: draft.factsFingerprint }),
    );
    expect(first.status).toBe(201);

    // The customer answers "yes, enable them": the agent resets the subuser (the parent has the scopes: not reset).
    const preview = (await (await agent.fetch(`/api/accounts/${parent.id}/family-resets`)).json()) as {
      subusers: { id: number; expectedFingerprint: string }[];
    };
    const reset = await agent.fetch(
      `/api/accounts/${parent.id}/family-resets`,
      json({
        ticket: `#${ticket.ticketId}`,
        idempotencyKey: randomUUID(),
        parent: null,
        subusers: preview.subusers.map((s) => ({ id: s.id, expectedFingerprint: s.expectedFingerprint })),
      }),
    );
    expect(reset.status).toBe(201);
    const { familyResetId } = (await reset.json()) as { familyResetId: string };
    const family = ((await (await agent.fetch(`/api/family-resets/${familyResetId}`)).json()) as { reply: ReplyViewJson }).reply;
    expect(family.blocked).toBeNull();
    expect(family.draft!.text).toContain(`your subuser ${sub.username} (your account ${parent.username} had them already)`);
    const followUp = await agent.fetch(
      `/api/family-resets/${familyResetId}/customer-reply`,
      json({ text: family.draft!.text, factsFingerprint: family.draft!.factsFingerprint }),
    );
    expect(followUp.status).toBe(201);
    // The subuser itself was reset on this ticket: no new-key reply about it there.
    expect((await accountReply(sub.id, ticket.ticketId)).draft).toBeNull();
  });
});

describe("why a reply cannot be sent, from the server", () => {
  it("names a closed ticket, and a missing ticket for an account's reply", async () => {
    const ticket = await openTicket();
    // Closed before the console first reads it (it keeps a ticket it read for 30 seconds).
    await fetch(`${ZENDESK}/__dev/tickets/${ticket.ticketId}/status`, json({ status: "closed" }));
    const { resetId, accountId } = await resetForNewTicket(agent, ticket.ticketId);
    const reply = await resetReply(resetId);
    expect(reply.draft).not.toBeNull();
    expect(reply.cannotSend).toBe(
      `Ticket #${ticket.ticketId} is closed, and Zendesk accepts no more comments on a closed ticket: copy the reply into a follow-up ticket.`,
    );
    const open = await resetForNewTicket(agent);
    expect((await resetReply(open.resetId)).cannotSend).toBeNull();
    expect((await accountReply(accountId)).cannotSend).toMatch(/^Set the ticket you are working on/);
  });
});

/** Resets an existing account (lacking the scopes) on a given ticket through the API. */
async function resetForNewTicketOf(accountId: number, ticketId: string): Promise<{ resetId: string }> {
  const detail = (await (await agent.fetch(`/api/accounts/${accountId}`)).json()) as { resetPlan: { previewFingerprint: string } };
  const response = await agent.fetch(
    `/api/accounts/${accountId}/scope-resets`,
    json({ ticket: `#${ticketId}`, idempotencyKey: randomUUID(), expectedFingerprint: detail.resetPlan.previewFingerprint }),
  );
  expect(response.status).toBe(201);
  return { resetId: ((await response.json()) as { reset: { id: string } }).reset.id };
}
