import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ERASE_JOB_SCOPES } from "@/lib/scopes/catalog";
import { createAccount, createAccountWithKey, createApiKey, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";
import { openTicket, signIn, type HttpSession } from "../support/http-session";
import { v3 } from "../support/v3-contract";

/** Reset Scopes never hurts the customer, over HTTP (issue 11, decision 010). */
let agent: HttpSession;
/** A ticket of the development Zendesk: a reset's ticket must exist. */
let ticket: { ticketId: string; url: string };
beforeAll(async () => {
  [agent, ticket] = await Promise.all([signIn("agent@scopedesk.test"), openTicket()]);
});

interface Detail {
  resetPlan: {
    previewFingerprint: string;
    blocked: { code: string; parent: { id: number } } | null;
    default: {
      added: string[];
      removed: string[];
      nothingToDo: boolean;
      keyImpact: { fingerprint: string | null; losses: { keyId: string; loses: string[] }[] };
    };
    minimal: { added: string[]; removed: string[] } | null;
    subusersLackingEraseJob: { id: number }[];
  };
}

async function detail(id: number): Promise<Detail> {
  const response = await agent.fetch(`/api/accounts/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Detail;
}

function post(path: string, body: unknown) {
  return agent.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

const LEGACY_SCOPES = [...PRE_CUTOFF_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"];

describe("POST /api/accounts/{id}/scope-resets", () => {
  it("refuses a subuser of a parent that lacks the scopes with 409 parent_lacks_scopes, naming the parent", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: ["mail.send"], parentId: parent.id });
    const d = await detail(sub.id);
    expect(d.resetPlan.blocked).toMatchObject({ code: "parent_lacks_scopes", parent: { id: parent.id } });
    const response = await post(`/api/accounts/${sub.id}/scope-resets`, {
      ticket: `#${ticket.ticketId}`,
      idempotencyKey: randomUUID(),
      expectedFingerprint: d.resetPlan.previewFingerprint,
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      error: { code: "parent_lacks_scopes", message: expect.stringContaining(parent.username), details: { parent: { id: parent.id } } },
    });
  });

  it("refuses without the acknowledgement, with the list of keys and what each loses, then resets with it", async () => {
    const account = await createAccount({ scopes: LEGACY_SCOPES });
    const key = await createApiKey(account.id, {
      name: "Legacy sender",
      scopes: ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send"],
    });
    const d = await detail(account.id);
    const body = { ticket: ticket.url, idempotencyKey: randomUUID(), expectedFingerprint: d.resetPlan.previewFingerprint };

    const refused = await post(`/api/accounts/${account.id}/scope-resets`, body);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      error: {
        code: "key_impact_unacknowledged",
        details: {
          keyImpact: {
            fingerprint: d.resetPlan.default.keyImpact.fingerprint,
            losses: [{ keyId: key.id, loses: ["email_activity.read", "mail.legacy_smtp_api.send"] }],
          },
        },
      },
    });

    // The key acted with 3 scopes before (mail.send + the two legacy ones).
    expect(((await (await v3("/v3/scopes", { key: key.plaintext })).json()) as { scopes: string[] }).scopes).toHaveLength(3);
    // Acknowledged, a reset that takes scopes from a key needs a lead's approval (issue 22); then it is carried out as confirmed.
    const acknowledged = { ...body, acknowledgedKeyImpact: d.resetPlan.default.keyImpact.fingerprint };
    const needsApproval = await post(`/api/accounts/${account.id}/scope-resets`, acknowledged);
    expect(needsApproval.status).toBe(409);
    expect(await needsApproval.json()).toMatchObject({
      error: { code: "approval_required", details: { rules: [{ rule: "key_losses" }] } },
    });
    const asked = await post(`/api/accounts/${account.id}/approval-requests`, {
      kind: "reset",
      ...acknowledged,
      reason: "The legacy sender is retired.",
    });
    expect(asked.status).toBe(201);
    const approvalId = ((await asked.json()) as { approval: { id: string } }).approval.id;
    const lead = await signIn("lead@scopedesk.test");
    expect(
      (
        await lead.fetch(`/api/approvals/${approvalId}/approve`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
      ).status,
    ).toBe(200);
    const done = await post(`/api/approvals/${approvalId}/execute`, {});
    expect(done.status).toBe(201);
    const reset = { id: ((await done.json()) as { execution: { resetId: string } }).execution.resetId };
    const view = (await (await agent.fetch(`/api/scope-resets/${reset.id}`)).json()) as {
      reply: { draft: { text: string } };
      impact: { losses: unknown[] };
    };
    expect(view.impact.losses).toHaveLength(1);
    expect(view.reply.draft.text).toContain("email_activity.read, mail.legacy_smtp_api.send");
    // What the agent acknowledged is what happened: the key keeps mail.send only.
    expect(((await (await v3("/v3/scopes", { key: key.plaintext })).json()) as { scopes: string[] }).scopes).toEqual(["mail.send"]);
  });

  it("does a minimal reset on request: the erase-job scopes added, nothing removed, no key loses anything", async () => {
    const account = await createAccount({ scopes: LEGACY_SCOPES });
    const key = await createApiKey(account.id, { scopes: ["mail.send", "email_activity.read"] });
    const d = await detail(account.id);
    expect(d.resetPlan.minimal).toEqual(expect.objectContaining({ added: [...ERASE_JOB_SCOPES], removed: [] }));
    const response = await post(`/api/accounts/${account.id}/scope-resets`, {
      ticket: `#${ticket.ticketId}`,
      idempotencyKey: randomUUID(),
      expectedFingerprint: d.resetPlan.previewFingerprint,
      mode: "minimal",
    });
    expect(response.status).toBe(201);
    expect(((await (await v3("/v3/scopes", { key: key.plaintext })).json()) as { scopes: string[] }).scopes).toEqual([
      "email_activity.read",
      "mail.send",
    ]);
  });

  it("shows what a forced reset would add and remove when there is nothing to do", async () => {
    const account = await createAccount({ scopes: [...POST_CUTOFF_SCOPES, "legacy.thing.read"] });
    const d = await detail(account.id);
    expect(d.resetPlan.default).toMatchObject({ nothingToDo: true, removed: ["legacy.thing.read"] });
  });
});

describe("family reset", () => {
  it("previews and resets a parent with the subusers picked, answering one outcome per account", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const subs = [
      await createAccount({ scopes: ["mail.send"], parentId: parent.id }),
      await createAccount({ scopes: ["mail.send"], parentId: parent.id }),
    ];
    expect((await detail(parent.id)).resetPlan.subusersLackingEraseJob.map((s) => s.id).sort()).toEqual(subs.map((s) => s.id).sort());
    const preview = (await (await agent.fetch(`/api/accounts/${parent.id}/family-resets`)).json()) as {
      parent: { expectedFingerprint: string };
      subusers: { id: number; expectedFingerprint: string }[];
    };
    const response = await post(`/api/accounts/${parent.id}/family-resets`, {
      ticket: ticket.url,
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: preview.parent.expectedFingerprint },
      subusers: preview.subusers.map((s) => ({ id: s.id, expectedFingerprint: s.expectedFingerprint })),
    });
    expect(response.status).toBe(201);
    const summary = (await response.json()) as { familyResetId: string; results: { accountId: number; outcome: string }[] };
    expect(summary.results.map((r) => r.outcome)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const page = (await (await agent.fetch(`/api/family-resets/${summary.familyResetId}`)).json()) as { attempts: { outcome: string }[] };
    expect(page.attempts).toHaveLength(3);
  });

  it("refuses bad input with 400 and does nothing", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    for (const body of [
      { ticket: "#1", idempotencyKey: randomUUID(), parent: null, subusers: [] },
      {
        ticket: "https://other-company.zendesk.com/agent/tickets/1",
        idempotencyKey: randomUUID(),
        parent: null,
        subusers: [{ id: 1, expectedFingerprint: "a".repeat(64) }],
      },
      {
        ticket: ticket.url,
        idempotencyKey: randomUUID(),
        parent: null,
        subusers: [{ id: 2_000_000_000, expectedFingerprint: "a".repeat(64) }],
      },
    ]) {
      const response = await post(`/api/accounts/${parent.id}/family-resets`, body);
      expect(response.status).toBe(400);
    }
  });
});

describe("/v3 for subusers", () => {
  it("bounds a subuser's key by its parent, and names the parent when it lacks the scope", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const { key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES, parentId: parent.id });
    const scopes = ((await (await v3("/v3/scopes", { key: key.plaintext })).json()) as { scopes: string[] }).scopes;
    expect(scopes).not.toContain("recipients.erasejob.create");
    expect(scopes.filter((s) => /^(subusers|teammates|sso|billing)\./.test(s))).toEqual([]);
    const refused = await v3("/v3/recipients/erasejob", {
      method: "POST",
      key: key.plaintext,
      body: JSON.stringify({ email_addresses: ["a@example.com"] }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      errors: [{ message: expect.stringContaining(`the parent account ${parent.username} lacks recipients.erasejob.create`) }],
    });
  });

  it("never lets a key mint a stronger one", async () => {
    const { key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES, keyScopes: ["api_keys.create"] });
    const post3 = (body: unknown) => v3("/v3/api_keys", { method: "POST", key: key.plaintext, body: JSON.stringify(body) });
    const stronger = await post3({ name: "x", scopes: ["api_keys.create", "recipients.erasejob.create", "api_keys.delete"] });
    expect(stronger.status).toBe(403);
    expect(await stronger.json()).toMatchObject({
      errors: [{ message: expect.stringContaining("api_keys.delete, recipients.erasejob.create") }],
    });
    expect((await post3({ name: "x", scopes: [] })).status).toBe(400);
    expect((await post3({ name: "x", scopes: ["2fa_required"] })).status).toBe(400);
    const same = await post3({ name: "same" });
    expect(same.status).toBe(201);
    expect(await same.json()).toMatchObject({ scopes: ["api_keys.create"] });
  });
});
