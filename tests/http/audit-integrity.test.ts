import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyExport } from "@/lib/audit/verify-export";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { createAccount, createAuditedScopeReset, createScopeReset, staffByEmail } from "../support/factories";
import { anonymousFetch, signIn, type HttpSession } from "../support/http-session";

/**
 * The audit log that proves itself, through the API (decision 036): leads ask
 * for a verification and read its result in words; the JSON Lines export
 * verifies offline; delivery states are there to poll.
 */
let lead: HttpSession, agent: HttpSession, viewer: HttpSession;

beforeAll(async () => {
  [lead, agent, viewer] = await Promise.all([
    signIn("lead@scopedesk.test"),
    signIn("agent@scopedesk.test"),
    signIn("viewer@scopedesk.test"),
  ]);
});

/** `npm run worker -- --once`: works what is queued (the verification), then exits. */
async function workOnce(): Promise<void> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts", "--once"], {
    env: process.env,
    stdio: "ignore",
  });
  expect(await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)))).toBe(0);
}

type Verification = { id: string; status: string; percent: number; report: { ok: boolean; summary: string; intactThrough: string } | null };

describe("POST /api/audit/chain-verifications", () => {
  it("starts one verification for a lead, audited, answers the same one while it waits, and the worker reports in words", async () => {
    // One from another test may still wait for a worker (none runs beside the HTTP tests): finish it first.
    await workOnce();
    const started = await lead.fetch("/api/audit/chain-verifications", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(started.status).toBe(201);
    const { verification } = (await started.json()) as { started: boolean; verification: Verification };
    expect(verification).toMatchObject({ status: "queued", percent: 0, report: null });
    const requested = await getDb().auditEvent.findFirst({
      where: { action: "audit.chain_verification_requested", requestId: started.headers.get("x-request-id")! },
    });
    expect(requested).toMatchObject({ actorEmail: "lead@scopedesk.test", targetId: verification.id });

    const again = await lead.fetch("/api/audit/chain-verifications", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { verification: Verification }).verification.id).toBe(verification.id);

    await workOnce();
    const done = await lead.fetch(`/api/audit/chain-verifications/${verification.id}`);
    expect(done.status).toBe(200);
    const result = ((await done.json()) as { verification: Verification }).verification;
    expect(result).toMatchObject({ status: "done", percent: 100, report: { ok: true } });
    expect(result.report!.summary).toMatch(
      /^Intact through event #\d+: all [\d,]+ events match their hashes and links, and the chain head points at the last one\./,
    );
    const latest = (await (await lead.fetch("/api/audit/chain-verifications/latest")).json()) as { verification: Verification };
    expect(latest.verification.id).toBe(verification.id);
  });

  it("is for leads and admins only, refuses a body that is not {}, and a write from another site", async () => {
    const post = (session: HttpSession, body = "{}") =>
      session.fetch("/api/audit/chain-verifications", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect((await post(agent)).status).toBe(403);
    expect((await post(viewer)).status).toBe(403);
    expect((await agent.fetch("/api/audit/chain-verifications/latest")).status).toBe(403);
    expect((await anonymousFetch("/api/audit/chain-verifications", { method: "POST", body: "{}" })).status).toBe(401);
    const bad = await post(lead, '{"everything":true}');
    expect(bad.status).toBe(400);
    const crossSite = await lead.fetch("/api/audit/chain-verifications", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      body: "{}",
    });
    expect(crossSite.status).toBe(403);
    expect((await lead.fetch(`/api/audit/chain-verifications/${randomUUID()}`)).status).toBe(404);
    expect((await lead.fetch("/api/audit/chain-verifications/not-a-uuid")).status).toBe(400);
  });
});

describe("GET /api/scope-resets/export?format=jsonl", () => {
  it("downloads a file that verifies offline with the public key alone", async () => {
    const alex = await staffByEmail("agent@scopedesk.test");
    const account = await createAccount();
    await createAuditedScopeReset({ accountId: account.id, actor: alex });
    await createAuditedScopeReset({ accountId: account.id, actor: alex, outcome: "failed" });
    const response = await lead.fetch(`/api/scope-resets/export?account=${account.id}&format=jsonl`);
    expect(response.status).toBe(200);
    const file = Buffer.from(await response.arrayBuffer());
    const result = verifyExport(file, [getConfig().audit.signingKey!]);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, counts: { scopeResets: 2 } });
  });
});

describe("delivery states", () => {
  it("gives each visible reset's state, for the list to poll, and an agent only their own", async () => {
    const alex = await staffByEmail("agent@scopedesk.test");
    const blair = await staffByEmail("agent2@scopedesk.test");
    const account = await createAccount();
    const mine = await createScopeReset({ accountId: account.id, actor: alex });
    const theirs = await createScopeReset({ accountId: account.id, actor: blair });
    for (const [kind, status] of [
      ["scopes_before", "delivered"],
      ["scopes_after", "queued"],
    ] as const) {
      const marker = `[ref ${randomUUID()}]`;
      await getDb().helpdeskDelivery.create({
        data: {
          id: randomUUID(),
          resetId: mine.id,
          ticketId: mine.ticketId,
          kind,
          body: `note ${marker}`,
          public: false,
          marker,
          status,
          requestedByName: alex.name,
          ...(status === "delivered" ? { deliveredAt: new Date(), zendeskCommentId: 1n } : {}),
        },
      });
    }
    const ids = `${mine.id},${theirs.id}`;
    const asLead = (await (await lead.fetch(`/api/scope-resets/delivery-states?ids=${ids}`)).json()) as { states: Record<string, unknown> };
    expect(asLead.states).toEqual({ [mine.id]: { notes: "queued", reply: null }, [theirs.id]: { notes: "none", reply: null } });
    const asAgent = (await (await agent.fetch(`/api/scope-resets/delivery-states?ids=${ids}`)).json()) as {
      states: Record<string, unknown>;
    };
    expect(Object.keys(asAgent.states)).toEqual([mine.id]);
    expect((await lead.fetch("/api/scope-resets/delivery-states?ids=nope")).status).toBe(400);
    expect(
      (await lead.fetch(`/api/scope-resets/delivery-states?ids=${Array.from({ length: 201 }, () => randomUUID()).join(",")}`)).status,
    ).toBe(400);
    expect((await viewer.fetch(`/api/scope-resets/delivery-states?ids=${ids}`)).status).toBe(403);
  });

  it("gives one reset's deliveries and the reply as it was sent", async () => {
    const alex = await staffByEmail("agent@scopedesk.test");
    const account = await createAccount();
    const reset = await createScopeReset({ accountId: account.id, actor: alex });
    await getDb().helpdeskDelivery.create({
      data: {
        id: randomUUID(),
        resetId: reset.id,
        ticketId: reset.ticketId,
        kind: "customer_reply",
        body: `Hello, your account can now create erasure jobs. [ref ${reset.id}]`,
        public: true,
        marker: `[ref ${reset.id}]`,
        status: "retrying",
        lastError: "Zendesk answered 503",
        requestedByName: alex.name,
      },
    });
    const response = await lead.fetch(`/api/scope-resets/${reset.id}/deliveries`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      state: { notes: "none", reply: "retrying" },
      reply: {
        body: `Hello, your account can now create erasure jobs. [ref ${reset.id}]`,
        status: "retrying",
        sentBy: alex.name,
        lastError: "Zendesk answered 503",
      },
    });
    expect((await lead.fetch(`/api/scope-resets/${randomUUID()}/deliveries`)).status).toBe(404);
  });
});
