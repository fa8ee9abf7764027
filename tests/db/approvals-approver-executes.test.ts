import { describe, expect, it } from "vitest";
import { decideApproval } from "@/lib/approvals/decide-approval";
import { executeApproval } from "@/lib/approvals/execute-approval";
import { requestApproval } from "@/lib/approvals/request-approval";
import { approvalRequestSchema } from "@/lib/approvals/request-schema";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { approvalRequestBody, createAccount, createApiKey, createStaff, PRE_CUTOFF_SCOPES, requestMeta } from "../support/factories";
import { openTicket } from "../support/http-session";

// This file's processes run with the approver carrying out what they approve (read on first use of the configuration).
process.env.APPROVAL_EXECUTES = "approver";

describe("APPROVAL_EXECUTES=approver", () => {
  it("lets the approver carry it out, once, however many executions race", async () => {
    expect(getConfig().approvals.executes).toBe("approver");
    const [agent, lead] = await Promise.all([createStaff("agent"), createStaff("lead")]);
    const account = await createAccount({ scopes: [...PRE_CUTOFF_SCOPES, "email_activity.read"] });
    await createApiKey(account.id, { name: "Activity reader", scopes: ["email_activity.read"] });
    const detail = await getAccountDetail(account.id);
    const ticket = await openTicket();
    const request = approvalRequestSchema(getConfig().helpdesk).parse(
      approvalRequestBody(detail, ticket.url, { reason: "Agreed with the customer." }),
    );
    const { approvalId } = await requestApproval({
      accountId: account.id,
      request,
      staff: agent,
      meta: requestMeta(),
      assignee: { state: "none" },
    });
    await decideApproval({ approvalId, decision: "approve", comment: null, staff: lead, meta: requestMeta() });

    const runs = await Promise.allSettled([
      ...Array.from({ length: 3 }, () => executeApproval({ approvalId, staff: lead, meta: requestMeta() })),
      executeApproval({ approvalId, staff: agent, meta: requestMeta() }),
    ]);
    expect(runs.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of runs.filter((x): x is PromiseRejectedResult => x.status === "rejected")) {
      expect(r.reason).toMatchObject({ code: "conflict", details: { state: expect.stringMatching(/^(executing|executed)$/) } });
    }
    expect(await getDb().scopeReset.count({ where: { accountId: account.id, outcome: "succeeded" } })).toBe(1);
    const row = await getDb().resetApproval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row.state).toBe("executed");
    const events = await getDb().auditEvent.count({
      where: { targetType: "reset_approval", targetId: approvalId, action: "approval.executed" },
    });
    expect(events).toBe(1);
  });
});
