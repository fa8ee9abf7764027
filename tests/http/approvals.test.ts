import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { deliverApprovalNotes } from "@/lib/helpdesk/deliver-approval-notes";
import { getDb } from "@/lib/platform/db";
import { approvalRequestBody, createAccount, createApiKey, PRE_CUTOFF_SCOPES } from "../support/factories";
import { deliveryClient, json, runJob } from "../support/delivery-harness";
import { anonymousFetch, BASE_URL, openTicket, signIn, type HttpSession } from "../support/http-session";

/**
 * Four eyes for risky resets (issue 22, decision 040) through the built app:
 * permissions, CSRF, bad input answered 4xx with nothing written, and the
 * whole story (refused, asked, approved, carried out) with its notes posted
 * into the development Zendesk, once each.
 */
let agent: HttpSession;
let agent2: HttpSession;
let viewer: HttpSession;
let lead: HttpSession;
let admin: HttpSession;
let ticket: { ticketId: string; url: string };

beforeAll(async () => {
  [agent, agent2, viewer, lead, admin, ticket] = await Promise.all([
    signIn("agent@scopedesk.test"),
    signIn("agent2@scopedesk.test"),
    signIn("viewer@scopedesk.test"),
    signIn("lead@scopedesk.test"),
    signIn("admin@scopedesk.test"),
    openTicket(),
  ]);
});

const LEGACY_WITH_OLD_SCOPES = [...PRE_CUTOFF_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"];

interface Detail {
  resetPlan: { previewFingerprint: string; default: { keyImpact: { fingerprint: string | null } } };
  approval: { rules: { default: { rule: string; message: string }[] } };
}

async function riskyAccount() {
  const account = await createAccount({ scopes: LEGACY_WITH_OLD_SCOPES });
  const key = await createApiKey(account.id, {
    name: "Legacy sender",
    scopes: ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send"],
  });
  const detail = (await (await agent.fetch(`/api/accounts/${account.id}`)).json()) as Detail;
  return { account, key, detail };
}

function requestBody(detail: Detail, overrides: Record<string, unknown> = {}) {
  return approvalRequestBody(detail, ticket.url, overrides);
}

async function ask(session: HttpSession = agent) {
  const { account, key, detail } = await riskyAccount();
  const response = await session.fetch(`/api/accounts/${account.id}/approval-requests`, json(requestBody(detail)));
  expect(response.status).toBe(201);
  const { approval } = (await response.json()) as { approval: { id: string } };
  return { account, key, approvalId: approval.id };
}

const approvals = (accountId: number) => getDb().resetApproval.count({ where: { accountId } });

describe("the whole story through the API", () => {
  it("refuses the risky reset with the rule, takes the request, lets a lead approve, carries it out once, and posts each note once", async () => {
    const { account, detail } = await riskyAccount();
    expect(detail.approval.rules.default).toEqual([{ rule: "key_losses", message: expect.stringContaining("Legacy sender") }]);
    const reset = await agent.fetch(
      `/api/accounts/${account.id}/scope-resets`,
      json({
        ticket: ticket.url,
        idempotencyKey: randomUUID(),
        expectedFingerprint: detail.resetPlan.previewFingerprint,
        acknowledgedKeyImpact: detail.resetPlan.default.keyImpact.fingerprint,
      }),
    );
    expect(reset.status).toBe(409);
    expect(await reset.json()).toMatchObject({ error: { code: "approval_required", details: { rules: [{ rule: "key_losses" }] } } });
    expect(await getDb().scopeReset.count({ where: { accountId: account.id } })).toBe(0);

    const body = requestBody(detail);
    const asked = await agent.fetch(`/api/accounts/${account.id}/approval-requests`, json(body));
    expect(asked.status).toBe(201);
    const { approval } = (await asked.json()) as {
      approval: { id: string; state: string; viewer: { canDecide: boolean; canCancel: boolean } };
    };
    expect(approval).toMatchObject({ state: "pending", viewer: { canDecide: false, canCancel: true } });
    const replay = await agent.fetch(`/api/accounts/${account.id}/approval-requests`, json(body));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ replayed: true, approval: { id: approval.id } });

    const queue = (await (await lead.fetch("/api/approvals")).json()) as { scope: string; items: { id: string; canDecide: boolean }[] };
    expect(queue.scope).toBe("all");
    expect(queue.items.find((i) => i.id === approval.id)).toMatchObject({ canDecide: true });

    const approved = await lead.fetch(`/api/approvals/${approval.id}/approve`, json({ comment: "Checked by phone." }));
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({
      approval: { state: "approved", decision: { by: "Lee Lead", comment: "Checked by phone." } },
      execution: null,
    });
    const denyLate = await admin.fetch(`/api/approvals/${approval.id}/deny`, json({ comment: "No." }));
    expect(denyLate.status).toBe(409);
    expect(await denyLate.json()).toMatchObject({ error: { code: "conflict", details: { state: "approved", by: "Lee Lead" } } });

    const byOther = await agent2.fetch(`/api/approvals/${approval.id}/execute`, json({}));
    expect(byOther.status).toBe(403);
    const executed = await agent.fetch(`/api/approvals/${approval.id}/execute`, json({}));
    expect(executed.status).toBe(201);
    const result = (await executed.json()) as {
      approval: { state: string; execution: { page: string } };
      execution: { kind: string; resetId: string };
    };
    expect(result).toMatchObject({ approval: { state: "executed" }, execution: { kind: "reset" } });
    expect(result.approval.execution.page).toBe(`/scope-resets/${result.execution.resetId}`);
    const again = await agent.fetch(`/api/approvals/${approval.id}/execute`, json({}));
    expect(again.status).toBe(409);
    expect(await getDb().scopeReset.count({ where: { accountId: account.id, outcome: "succeeded" } })).toBe(1);
    const view = (await (await viewer.fetch(`/api/scope-resets/${result.execution.resetId}`)).json()) as {
      approval: { id: string; approvedBy: string };
    };
    expect(view.approval).toEqual(expect.objectContaining({ id: approval.id, approvedBy: "Lee Lead" }));

    // No worker beside the HTTP tests: the notes' job is run here as the worker would, twice (a job run again posts nothing more).
    const client = deliveryClient();
    await deliverApprovalNotes(approval.id, client, { finalAttempt: false, jobId: `test-${randomUUID()}` });
    await deliverApprovalNotes(approval.id, client, { finalAttempt: false, jobId: `test-${randomUUID()}` });
    await runJob({ kind: "notes", resetId: result.execution.resetId }, client);
    const rows = await getDb().helpdeskDelivery.findMany({ where: { approvalId: approval.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ["approval_requested", "delivered"],
      ["approval_approved", "delivered"],
    ]);
    const comments = await client.listComments(ticket.ticketId);
    const mine = comments.filter((c) => c.body.includes(`${account.username} (#${account.id})`));
    const once = (text: string) =>
      expect(
        mine.filter((c) => c.body.includes(text)),
        text,
      ).toHaveLength(1);
    once(
      `Reset of ${account.username} (#${account.id}) requested by Alex Agent: needs approval because 1 existing API key would lose scopes it uses`,
    );
    once(`Reset of ${account.username} (#${account.id}) approved by Lee Lead.`);
    once("approved by Lee Lead before the reset");
    expect(mine.every((c) => !c.public)).toBe(true);
  });
});

describe("permissions", () => {
  it("lets no viewer ask, and no agent decide; a viewer may read a request like the ticket's record", async () => {
    const { account, detail } = await riskyAccount();
    const refused = await viewer.fetch(`/api/accounts/${account.id}/approval-requests`, json(requestBody(detail)));
    expect(refused.status).toBe(403);
    expect(await approvals(account.id)).toBe(0);
    const { approvalId } = await ask();
    for (const path of [`/api/approvals/${approvalId}/approve`, `/api/approvals/${approvalId}/deny`]) {
      const response = await agent2.fetch(path, json({ comment: "x" }));
      expect(response.status, path).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "forbidden", message: expect.stringContaining("approvals:decide") } });
    }
    expect((await viewer.fetch(`/api/approvals/${approvalId}`)).status).toBe(200);
    expect((await viewer.fetch("/api/approvals")).status).toBe(403);
    expect((await anonymousFetch(`/api/approvals/${approvalId}`)).status).toBe(401);
  });

  it("refuses a lead's approval of their own request with 403 approver_not_allowed, and an agent sees only their own requests", async () => {
    const { approvalId } = await ask(lead);
    const self = await lead.fetch(`/api/approvals/${approvalId}/approve`, json({}));
    expect(self.status).toBe(403);
    expect(await self.json()).toMatchObject({ error: { code: "approver_not_allowed", details: { reason: "requester" } } });
    const mine = (await (await agent2.fetch("/api/approvals?state=all")).json()) as { scope: string; items: { id: string }[] };
    expect(mine.scope).toBe("own");
    expect(mine.items.some((i) => i.id === approvalId)).toBe(false);
    const admins = await admin.fetch(`/api/approvals/${approvalId}/approve`, json({}));
    expect(admins.status).toBe(200);
  });
});

describe("CSRF", () => {
  const FORGED = { "content-type": "application/json", origin: "http://evil.example", "sec-fetch-site": "cross-site" };

  it("refuses every approval write sent from another site, and changes nothing", async () => {
    const { account, detail } = await riskyAccount();
    const ask = await fetch(`${BASE_URL}/api/accounts/${account.id}/approval-requests`, {
      method: "POST",
      headers: { ...FORGED, cookie: agent.cookie },
      body: JSON.stringify(requestBody(detail)),
    });
    expect(ask.status).toBe(403);
    expect(await approvals(account.id)).toBe(0);
    const { approvalId } = await (async () => {
      const r = await agent.fetch(`/api/accounts/${account.id}/approval-requests`, json(requestBody(detail)));
      return { approvalId: ((await r.json()) as { approval: { id: string } }).approval.id };
    })();
    for (const [session, step, body] of [
      [lead, "approve", {}],
      [lead, "deny", { comment: "no" }],
      [agent, "cancel", {}],
      [agent, "execute", {}],
    ] as const) {
      const response = await fetch(`${BASE_URL}/api/approvals/${approvalId}/${step}`, {
        method: "POST",
        headers: { ...FORGED, cookie: session.cookie },
        body: JSON.stringify(body),
      });
      expect(response.status, step).toBe(403);
    }
    expect((await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state).toBe("pending");
  });
});

describe("bad input is a 4xx and writes nothing", () => {
  it.each([
    ["no reason", { reason: undefined }, /reason is required/],
    ["a blank reason", { reason: "   " }, /reason is required/],
    ["a NUL in the reason", { reason: "because\u0000" }, /NUL/],
    ["an unknown kind", { kind: "everything" }, /kind must be/],
    ["an unknown field", { approver: "me" }, /approver|Unrecognized/i],
    ["a malformed fingerprint", { expectedFingerprint: "abc" }, /expectedFingerprint/],
    ["a reason too long", { reason: "x".repeat(2001) }, /at most 2000/],
  ])("refuses a request with %s", async (_name, overrides, message) => {
    const { account, detail } = await riskyAccount();
    const response = await agent.fetch(`/api/accounts/${account.id}/approval-requests`, json(requestBody(detail, overrides)));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(await approvals(account.id)).toBe(0);
  });

  it("refuses a stale preview (409) and an unacknowledged key loss (409), writing nothing", async () => {
    const { account, detail } = await riskyAccount();
    const stale = await agent.fetch(
      `/api/accounts/${account.id}/approval-requests`,
      json(requestBody(detail, { expectedFingerprint: "0".repeat(64) })),
    );
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ error: { code: "stale_preview" } });
    const unacked = await agent.fetch(
      `/api/accounts/${account.id}/approval-requests`,
      json(requestBody(detail, { acknowledgedKeyImpact: undefined })),
    );
    expect(unacked.status).toBe(409);
    expect(await unacked.json()).toMatchObject({ error: { code: "key_impact_unacknowledged" } });
    expect(await approvals(account.id)).toBe(0);
  });

  it("refuses a denial without a comment, a bad id, a bad filter and an unknown request", async () => {
    const { approvalId } = await ask();
    const noComment = await lead.fetch(`/api/approvals/${approvalId}/deny`, json({}));
    expect(noComment.status).toBe(400);
    expect(((await noComment.json()) as { error: { message: string } }).error.message).toMatch(/comment is required/);
    const blank = await lead.fetch(`/api/approvals/${approvalId}/deny`, json({ comment: "  " }));
    expect(blank.status).toBe(400);
    expect((await lead.fetch("/api/approvals/not-a-uuid")).status).toBe(400);
    expect((await lead.fetch("/api/approvals/not-a-uuid/approve", json({}))).status).toBe(400);
    expect((await lead.fetch("/api/approvals?state=nope")).status).toBe(400);
    expect((await lead.fetch(`/api/approvals/${randomUUID()}`)).status).toBe(404);
    expect((await lead.fetch(`/api/approvals/${randomUUID()}/approve`, json({}))).status).toBe(404);
    expect((await lead.fetch(`/api/approvals/${approvalId}/approve`, json({ comment: "x".repeat(2001) }))).status).toBe(400);
    expect((await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state).toBe("pending");
  });
});
