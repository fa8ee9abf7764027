import { generateKeyPairSync, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { sessionKeyOf } from "@/lib/auth/session-secret";
import { disableStaff } from "@/lib/auth/staff-admin";
import { getDb } from "@/lib/platform/db";
import { authenticateSidebar } from "@/lib/zendesk-app/authenticate-sidebar";
import { openSidebarSession } from "@/lib/zendesk-app/open-sidebar-session";
import { parseSidebarCredential } from "@/lib/zendesk-app/sidebar-credential";
import { createStaff, requestMeta } from "../support/factories";
import { appToken, DEV_ZENDESK_URL, zendeskAgent } from "../support/zendesk-app";

/**
 * The Zendesk sidebar's session (decision 030): a signed load opens a staff
 * session of its own kind, through the same rows and checks as a sign-in;
 * anything but Zendesk's token, once, for a live staff member, opens nothing.
 */
const db = getDb();
const meta = () => requestMeta();

async function staffWithAgent(role: "viewer" | "agent" = "agent") {
  const staff = await createStaff(role);
  await zendeskAgent(staff.email);
  return staff;
}

describe("opening a sidebar session from a signed load", () => {
  it("opens a zendesk_sidebar session for the staff member with the agent's e-mail, audited, and refuses the token a second time", async () => {
    const staff = await staffWithAgent();
    const token = await appToken({ email: staff.email });
    const opened = await openSidebarSession(token, meta());
    expect(opened).toMatchObject({ ok: true, staff: { id: staff.id, email: staff.email, role: "agent" } });
    if (!opened.ok) return;
    const { secret } = parseSidebarCredential(opened.credential)!;
    const row = await db.staffSession.findUniqueOrThrow({ where: { id: sessionKeyOf(secret) } });
    expect(row).toMatchObject({ staffId: staff.id, kind: "zendesk_sidebar", revokedAt: null });
    expect(row.zendeskUserId).not.toBeNull();
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(await authenticateSidebar(opened.credential)).toMatchObject({ staff: { id: staff.id, role: "agent" } });
    expect(await db.auditEvent.count({ where: { action: "auth.zendesk_sidebar_opened", targetId: staff.id } })).toBe(1);

    expect(await openSidebarSession(token, meta())).toMatchObject({ ok: false, refusal: "replayed" });
  });

  it("refuses a token Zendesk did not sign, or signed for another installation or account, or expired", async () => {
    const staff = await staffWithAgent();
    const foreign = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const forged = await new SignJWT({
      sub: "1",
      aud: `${DEV_ZENDESK_URL}/api/v2/apps/installations/2000001.json`,
      iss: new URL(DEV_ZENDESK_URL).host,
    })
      .setProtectedHeader({ alg: "RS256" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(foreign);
    expect(await openSidebarSession(forged, meta())).toMatchObject({ ok: false, refusal: "bad_signature" });
    const otherInstallation = await appToken({ email: staff.email, aud: `${DEV_ZENDESK_URL}/api/v2/apps/installations/2000002.json` });
    expect(await openSidebarSession(otherInstallation, meta())).toMatchObject({ ok: false, refusal: "wrong_audience" });
    const otherAccount = await appToken({ email: staff.email, iss: "acme.zendesk.com" });
    expect(await openSidebarSession(otherAccount, meta())).toMatchObject({ ok: false, refusal: "wrong_issuer" });
    const expired = await appToken({ email: staff.email, expiresInSeconds: -120 });
    expect(await openSidebarSession(expired, meta())).toMatchObject({ ok: false, refusal: "expired" });
    expect(await db.staffSession.count({ where: { staffId: staff.id } })).toBe(0);
  });

  it("refuses an agent who is no staff member, a disabled one, and a Zendesk end user, each audited", async () => {
    const stranger = `stranger-${randomUUID()}@scopedesk.test`;
    await zendeskAgent(stranger);
    expect(await openSidebarSession(await appToken({ email: stranger }), meta())).toMatchObject({ ok: false, refusal: "unknown_staff" });

    const disabled = await staffWithAgent();
    await disableStaff(disabled.email, { id: null, name: "test", email: null }, meta());
    expect(await openSidebarSession(await appToken({ email: disabled.email }), meta())).toMatchObject({
      ok: false,
      refusal: "disabled_staff",
    });
    expect(await db.staffSession.count({ where: { staffId: disabled.id } })).toBe(0);

    const customer = `customer-${randomUUID()}@example.com`;
    const userId = await zendeskAgent(customer, "end-user");
    expect(await openSidebarSession(await appToken({ userId }), meta())).toMatchObject({ ok: false, refusal: "not_an_agent" });

    const refusals = await db.auditEvent.findMany({ where: { action: "auth.zendesk_sidebar_refused" }, orderBy: { seq: "desc" }, take: 3 });
    expect(refusals.map((e) => (e.details as { reason: string }).reason).sort()).toEqual([
      "disabled_staff",
      "not_an_agent",
      "unknown_staff",
    ]);
  });

  it("ends with its staff member: disabling them ends the sidebar session within five seconds", async () => {
    const staff = await staffWithAgent();
    const opened = await openSidebarSession(await appToken({ email: staff.email }), meta());
    if (!opened.ok) throw new Error(opened.message);
    expect(await authenticateSidebar(opened.credential)).not.toBeNull();
    await disableStaff(staff.email, { id: null, name: "test", email: null }, meta());
    const { secret } = parseSidebarCredential(opened.credential)!;
    expect((await db.staffSession.findUniqueOrThrow({ where: { id: sessionKeyOf(secret) } })).revokedAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5_100));
    expect(await authenticateSidebar(opened.credential)).toBeNull();
  });

  it("is not a console session, and a console credential is no sidebar credential", async () => {
    const staff = await staffWithAgent();
    const opened = await openSidebarSession(await appToken({ email: staff.email }), meta());
    if (!opened.ok) throw new Error(opened.message);
    const { secret } = parseSidebarCredential(opened.credential)!;
    // The same row named as a console session (what a sealed Auth.js token would claim) is no session.
    const { staffSessions } = await import("@/lib/auth/staff-sessions");
    expect(await staffSessions().staffFor({ sessionKey: sessionKeyOf(secret), staffId: staff.id, expiresAt: Infinity })).toBeNull();
    expect(await authenticateSidebar(`sds1.${staff.id}.${"A".repeat(43)}`)).toBeNull();
    expect(await authenticateSidebar("garbage")).toBeNull();
  });
});
