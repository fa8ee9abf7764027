import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { readAssignee } from "@/lib/approvals/approval-record";
import { cancelApproval } from "@/lib/approvals/cancel-approval";
import { decideApproval } from "@/lib/approvals/decide-approval";
import { executeApproval } from "@/lib/approvals/execute-approval";
import { getApprovalView } from "@/lib/approvals/get-approval";
import { requestApproval } from "@/lib/approvals/request-approval";
import { approvalRequestSchema } from "@/lib/approvals/request-schema";
import { sweepApprovals } from "@/lib/approvals/sweep-approvals";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { scopeResetRequestSchema } from "@/lib/scope-resets/request";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import { approvalRequestBody, createAccount, createApiKey, createStaff, PRE_CUTOFF_SCOPES, requestMeta } from "../support/factories";
import { assignTicket, openTicket } from "../support/http-session";

/**
 * Four eyes for risky resets (issue 22, decision 040), against the real
 * database and the development Zendesk: who may approve, what voids an
 * approval, expiry, and every race resolved by the request's row lock.
 */
const LEGACY_WITH_OLD_SCOPES = [...PRE_CUTOFF_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"];
const LEGACY_SENDER = ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send"];

type Staff = { id: string; email: string; name: string; role: "viewer" | "agent" | "lead" | "admin" };
let agent: Staff;
let lead: Staff;
let lead2: Staff;

beforeAll(async () => {
  [agent, lead, lead2] = await Promise.all([createStaff("agent"), createStaff("lead"), createStaff("lead")]);
});

/** An account whose default reset takes scopes from a key it uses: the key_losses rule fires. */
async function riskyAccount() {
  const account = await createAccount({ scopes: LEGACY_WITH_OLD_SCOPES });
  const key = await createApiKey(account.id, { name: "Legacy sender", scopes: LEGACY_SENDER });
  return { account, key };
}

async function ask(accountId: number, ticket: { ticketId: string; url: string }, by: Staff = agent) {
  const detail = await getAccountDetail(accountId);
  const request = approvalRequestSchema(getConfig().helpdesk).parse(
    approvalRequestBody(detail, ticket.url, { reason: "The customer wants the default set; they will replace the legacy sender." }),
  );
  const assignee = await readAssignee(ticket.ticketId, { fresh: true });
  return requestApproval({ accountId, request, staff: by, meta: requestMeta(), assignee });
}

const decide = (
  approvalId: string,
  decision: "approve" | "deny",
  by: Staff,
  comment: string | null = decision === "deny" ? "Ask the customer first." : null,
) => decideApproval({ approvalId, decision, comment, staff: by, meta: requestMeta() });

async function deliveries(approvalId: string) {
  return getDb().helpdeskDelivery.findMany({
    where: { approvalId },
    orderBy: { createdAt: "asc" },
    select: { kind: true, body: true, public: true },
  });
}

async function events(approvalId: string) {
  const rows = await getDb().auditEvent.findMany({
    where: { targetType: "reset_approval", targetId: approvalId },
    orderBy: { seq: "asc" },
    select: { action: true },
  });
  return rows.map((r) => r.action);
}

describe("a risky reset needs approval", () => {
  it("is refused by the reset itself with the rule that fired, changing nothing and recording no failed reset", async () => {
    const { account } = await riskyAccount();
    const ticket = await openTicket();
    const detail = await getAccountDetail(account.id);
    expect(detail.approval.rules.default.map((r) => r.rule)).toEqual(["key_losses"]);
    expect(detail.approval.rules.minimal).toEqual([]);
    const request = scopeResetRequestSchema(getConfig().helpdesk).parse({
      ticket: ticket.url,
      idempotencyKey: randomUUID(),
      expectedFingerprint: detail.resetPlan.previewFingerprint,
      acknowledgedKeyImpact: detail.resetPlan.default.keyImpact.fingerprint,
    });
    await expect(performScopeReset({ accountId: account.id, request, staff: agent, meta: requestMeta() })).rejects.toMatchObject({
      code: "approval_required",
      details: { rules: [{ rule: "key_losses", message: expect.stringContaining("Legacy sender") }] },
    });
    expect(await getDb().scopeReset.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("refuses a request nothing fires for: reset it directly", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    await expect(ask(account.id, await openTicket())).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("needs no approval"),
    });
  });
});

describe("who may approve", () => {
  it("refuses the requester, even a lead asking for their own reset", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket(), lead);
    await expect(decide(approvalId, "approve", lead)).rejects.toMatchObject({
      code: "approver_not_allowed",
      details: { reason: "requester" },
    });
    expect((await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state).toBe("pending");
    await decide(approvalId, "approve", lead2);
    expect((await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state).toBe("approved");
  });

  it("refuses the ticket's assignee in the helpdesk, asked at decision time", async () => {
    const { account } = await riskyAccount();
    const ticket = await openTicket();
    const { approvalId } = await ask(account.id, ticket);
    await assignTicket(ticket.ticketId, lead.email.toUpperCase());
    await expect(decide(approvalId, "approve", lead)).rejects.toMatchObject({
      code: "approver_not_allowed",
      details: { reason: "assignee" },
      message: expect.stringContaining("assignee"),
    });
    await assignTicket(ticket.ticketId, null);
    expect(await decide(approvalId, "approve", lead)).toEqual({ state: "approved" });
  });

  it("refuses an agent by role", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    const other = await createStaff("agent");
    await expect(decide(approvalId, "approve", other)).rejects.toMatchObject({ code: "approver_not_allowed", details: { reason: "role" } });
  });
});

describe("an approval is bound to what was approved", () => {
  it("is void when a key changes before the decision, and says what changed field by field", async () => {
    const { account, key } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    const fewer = await ensureScopeSet(getDb(), ["mail.send"]);
    await getDb().apiKey.update({ where: { id: key.id }, data: { scopeSetId: fewer.id } });
    const view = await getApprovalView(approvalId, lead);
    expect(view.state).toBe("voided");
    expect(view.changes.map((c) => c.text)).toEqual([
      `Key 'Legacy sender' (${key.id}) now has email_activity.read, mail.legacy_smtp_api.send removed.`,
    ]);
    await expect(decide(approvalId, "approve", lead)).rejects.toMatchObject({
      code: "approval_voided",
      details: {
        changes: [{ subject: "key", text: expect.stringContaining("now has email_activity.read, mail.legacy_smtp_api.send removed") }],
      },
    });
    const row = await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row.state).toBe("voided");
    expect(await events(approvalId)).toEqual(["approval.requested", "approval.voided"]);
    const notes = await deliveries(approvalId);
    expect(notes.map((n) => n.kind)).toEqual(["approval_requested", "approval_voided"]);
    expect(notes[1]!.body).toContain("What changed since the request:");
  });

  it("is void when the account changes after approval, at execution under the lock, and nothing is reset", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await decide(approvalId, "approve", lead, "Confirmed with the customer.");
    await createApiKey(account.id, { name: "Brand new", scopes: ["mail.send"] });
    await expect(executeApproval({ approvalId, staff: agent, meta: requestMeta() })).rejects.toMatchObject({
      code: "approval_voided",
      details: { changes: [{ subject: "key", text: expect.stringMatching(/^Key 'Brand new' \(.+\) was created, with 1 scope\.$/) }] },
    });
    expect(await getDb().scopeReset.count({ where: { accountId: account.id, outcome: "succeeded" } })).toBe(0);
    expect((await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state).toBe("voided");
  });

  it("carries out exactly the approved plan (mode, acknowledged losses), once, naming the approval in its notes", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await decide(approvalId, "approve", lead, "Confirmed.");
    const done = await executeApproval({ approvalId, staff: agent, meta: requestMeta() });
    expect(done).toMatchObject({ kind: "reset", replayed: false });
    const reset = await getDb().scopeReset.findUniqueOrThrow({
      where: { id: done.kind === "reset" ? done.resetId : "" },
      select: { mode: true, removed: true, actorId: true, reason: true, ticketNotes: { select: { body: true, kind: true } } },
    });
    expect(reset).toMatchObject({ mode: "default", actorId: agent.id, reason: expect.stringContaining("replace the legacy sender") });
    expect(reset.removed).toEqual(expect.arrayContaining(["email_activity.read", "mail.legacy_smtp_api.send"]));
    expect(reset.ticketNotes.find((n) => n.kind === "scopes_after")!.body).toContain(`approved by ${lead.name} before the reset`);
    const row = await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row).toMatchObject({ state: "executed", executedById: agent.id, resetId: reset && done.kind === "reset" ? done.resetId : null });
    expect(await events(approvalId)).toEqual(["approval.requested", "approval.approved", "approval.executed"]);
    await expect(executeApproval({ approvalId, staff: agent, meta: requestMeta() })).rejects.toMatchObject({
      code: "conflict",
      details: { state: "executed" },
    });
  });

  it("is carried out by the requester only (APPROVAL_EXECUTES=requester)", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await decide(approvalId, "approve", lead);
    await expect(executeApproval({ approvalId, staff: lead, meta: requestMeta() })).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("expiry", () => {
  it("refuses a decision after the request's time and records it expired, once", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await getDb().resetApproval.update({ where: { id: approvalId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await getApprovalView(approvalId, lead)).state).toBe("expired");
    await expect(decide(approvalId, "approve", lead)).rejects.toMatchObject({ code: "approval_expired" });
    await expect(decide(approvalId, "approve", lead)).rejects.toMatchObject({ code: "conflict", details: { state: "expired" } });
    expect(await events(approvalId)).toEqual(["approval.requested", "approval.expired"]);
  });

  it("is recorded by the sweep with its note, and an approved request expires too", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await decide(approvalId, "approve", lead);
    await getDb().resetApproval.update({ where: { id: approvalId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const swept = await sweepApprovals();
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect((await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state).toBe("expired");
    expect((await deliveries(approvalId)).map((d) => d.kind)).toEqual(["approval_requested", "approval_approved", "approval_expired"]);
    await expect(executeApproval({ approvalId, staff: agent, meta: requestMeta() })).rejects.toMatchObject({
      code: "conflict",
      details: { state: "expired" },
    });
  });

  it("voids by the sweep a request whose account changed, with what changed", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    const more = await ensureScopeSet(getDb(), [...LEGACY_WITH_OLD_SCOPES, "legacy.extra"]);
    await getDb().account.update({ where: { id: account.id }, data: { scopeSetId: more.id } });
    await sweepApprovals();
    const row = await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row.state).toBe("voided");
    expect(row.changes).toEqual([{ subject: "account", text: "1 scope added to the account (legacy.extra)." }]);
  });
});

describe("races", () => {
  it("lets exactly one of a concurrent approval and denial win; the loser is told who won", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    const results = await Promise.allSettled([decide(approvalId, "approve", lead), decide(approvalId, "deny", lead2)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: "conflict", details: { state: expect.stringMatching(/^(approved|denied)$/) } });
    expect(lost[0]!.reason.message).toMatch(/was (already approved|denied) by Staff \d+/);
    const decisions = (await events(approvalId)).filter((a) => a === "approval.approved" || a === "approval.denied");
    expect(decisions).toHaveLength(1);
  });

  it("carries out an approval once under concurrent executions, and queues each step's note once", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await decide(approvalId, "approve", lead);
    const runs = await Promise.allSettled(
      Array.from({ length: 4 }, () => executeApproval({ approvalId, staff: agent, meta: requestMeta() })),
    );
    const ok = runs.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    for (const r of runs.filter((x): x is PromiseRejectedResult => x.status === "rejected")) {
      expect(r.reason).toMatchObject({ code: "conflict", details: { state: expect.stringMatching(/^(executing|executed)$/) } });
    }
    expect(await getDb().scopeReset.count({ where: { accountId: account.id, outcome: "succeeded" } })).toBe(1);
    const notes = await deliveries(approvalId);
    expect(notes.map((n) => n.kind)).toEqual(["approval_requested", "approval_approved"]);
    expect(notes.every((n) => !n.public)).toBe(true);
    // The reset's own two notes follow, once.
    expect(
      await getDb().helpdeskDelivery.count({ where: { accountId: account.id, kind: { in: ["scopes_before", "scopes_after"] } } }),
    ).toBe(2);
  });

  it("lets a cancellation and a decision race: one wins", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    const results = await Promise.allSettled([
      cancelApproval({ approvalId, comment: null, staff: agent, meta: requestMeta() }),
      decide(approvalId, "approve", lead),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const state = (await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } })).state;
    expect(["cancelled", "approved"]).toContain(state);
  });

  it("allows one live request per account, and the same request sent twice is one request", async () => {
    const { account } = await riskyAccount();
    const ticket = await openTicket();
    const detail = await getAccountDetail(account.id);
    const body = approvalRequestBody(detail, ticket.url, { reason: "why" });
    const request = approvalRequestSchema(getConfig().helpdesk).parse(body);
    const assignee = { state: "none" as const };
    const first = await requestApproval({ accountId: account.id, request, staff: agent, meta: requestMeta(), assignee });
    const again = await requestApproval({ accountId: account.id, request, staff: agent, meta: requestMeta(), assignee });
    expect(again).toEqual({ approvalId: first.approvalId, replayed: true });
    await expect(ask(account.id, ticket)).rejects.toMatchObject({
      code: "conflict",
      details: { approvalId: first.approvalId, state: "pending" },
    });
  });
});

describe("cancelling", () => {
  it("is the requester's alone, and leaves a note", async () => {
    const { account } = await riskyAccount();
    const { approvalId } = await ask(account.id, await openTicket());
    await expect(cancelApproval({ approvalId, comment: null, staff: lead, meta: requestMeta() })).rejects.toMatchObject({
      code: "forbidden",
    });
    await cancelApproval({ approvalId, comment: "The customer changed their mind.", staff: agent, meta: requestMeta() });
    const notes = await deliveries(approvalId);
    expect(notes.at(-1)).toMatchObject({
      kind: "approval_cancelled",
      body: expect.stringContaining("Comment: The customer changed their mind."),
    });
  });
});

describe("a family reset above the limit", () => {
  it("is refused before any account, asked for, approved and carried out as one, its notes naming the approval", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const subs = await Promise.all(Array.from({ length: 5 }, () => createAccount({ scopes: ["mail.send"], parentId: parent.id })));
    const ticket = await openTicket();
    const { describeFamilyReset } = await import("@/lib/scope-resets/describe-reset-options");
    const { loadResetSubject } = await import("@/lib/scope-resets/load-reset-subject");
    const { performFamilyReset } = await import("@/lib/scope-resets/perform-family-reset");
    const { familyResetRequestSchema } = await import("@/lib/scope-resets/request");
    const preview = describeFamilyReset(await loadResetSubject(getDb(), parent.id, { lock: false }), "default");
    expect(preview.subusers).toHaveLength(5);
    const confirmation = {
      ticket: ticket.url,
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: preview.parent.expectedFingerprint },
      subusers: preview.subusers.map((s) => ({ id: s.id, expectedFingerprint: s.expectedFingerprint })),
    };
    // Six accounts, more than five: nothing is done, not even the parent.
    await expect(
      performFamilyReset({
        parentId: parent.id,
        request: familyResetRequestSchema(getConfig().helpdesk).parse(confirmation),
        staff: agent,
        meta: requestMeta(),
      }),
    ).rejects.toMatchObject({
      code: "approval_required",
      details: { rules: [{ rule: "family_size", message: expect.stringContaining("6 accounts") }] },
    });
    expect(await getDb().scopeReset.count({ where: { accountId: { in: [parent.id, ...subs.map((s) => s.id)] } } })).toBe(0);

    const request = approvalRequestSchema(getConfig().helpdesk).parse({
      kind: "family",
      ...confirmation,
      reason: "The whole family, as the customer asked.",
    });
    const { approvalId } = await requestApproval({
      accountId: parent.id,
      request,
      staff: agent,
      meta: requestMeta(),
      assignee: { state: "none" },
    });
    await decide(approvalId, "approve", lead, "Six accounts, all legacy: fine.");
    const done = await executeApproval({ approvalId, staff: agent, meta: requestMeta() });
    expect(done.kind).toBe("family");
    if (done.kind !== "family") return;
    expect(done.summary.results.map((r) => r.outcome)).toEqual(Array(6).fill("succeeded"));
    const row = await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row).toMatchObject({ state: "executed", familyResetId: done.familyResetId });
    const note2 = await getDb().ticketNote.findFirstOrThrow({ where: { familyResetId: done.familyResetId, kind: "scopes_after" } });
    expect(note2.body).toContain(`approved by ${lead.name} before the reset`);
  });
});
