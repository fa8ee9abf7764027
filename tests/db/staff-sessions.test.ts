import { describe, expect, it } from "vitest";
import { newSessionSecret, sessionKeyOf } from "@/lib/auth/session-secret";
import { getDb } from "@/lib/platform/db";
import { endStaffSession, findLiveStaff, recordSignIn, refuseDisabledSignIn } from "@/lib/auth/record-sign-in";
import { changeStaffRole, disableStaff, enableStaff, listStaff, revokeStaffSessions } from "@/lib/auth/staff-admin";
import { requestMeta } from "../support/factories";

/** Sessions are rows (decision 013): sign-in opens one, sign-out and the staff CLI end them, each with its audit event. */
const cli = { id: null, name: "tester@host (npm run staff)", email: null };
let n = 0;

async function signedIn(role: "viewer" | "agent" | "lead" | "admin" = "agent") {
  const id = `${process.pid}-${Date.now()}-${n++}`;
  const identity = { subject: `test-issuer#${id}`, email: `session-${id}@scopedesk.test`, name: `Session ${id}`, role };
  const result = (await recordSignIn(identity, { maxAgeSeconds: 3600 }, requestMeta()))!;
  const claims = { sessionKey: sessionKeyOf(result.sessionSecret), staffId: result.staff.id, expiresAt: Date.now() + 3_600_000 };
  return { ...result, identity, claims };
}

const events = async (staffId: string) =>
  await getDb().auditEvent.findMany({
    where: { targetType: "staff_user", targetId: staffId },
    orderBy: { seq: "asc" },
    select: { action: true, details: true, actorName: true },
  });

describe("staff sessions in the database", () => {
  it("sign-in opens a live session, stored by the hash of its secret, and records it", async () => {
    const { staff, sessionSecret, claims } = await signedIn();
    expect(await findLiveStaff(claims)).toEqual({ id: staff.id, email: staff.email, name: staff.name, role: "agent" });
    const row = await getDb().staffSession.findUniqueOrThrow({ where: { id: sessionKeyOf(sessionSecret) } });
    expect(row.id).not.toContain(sessionSecret);
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await events(staff.id)).map((e) => e.action)).toEqual(["auth.sign_in"]);
  });

  it("is not live for a session id nobody issued, or for another staff member's id", async () => {
    const { claims } = await signedIn();
    const other = await signedIn();
    expect(await findLiveStaff({ ...claims, sessionKey: sessionKeyOf(newSessionSecret()) })).toBeNull();
    expect(await findLiveStaff({ ...claims, staffId: other.staff.id })).toBeNull();
  });

  it("sign-out ends that session only, once, and records it", async () => {
    const first = await signedIn();
    const second = await recordSignIn(first.identity, { maxAgeSeconds: 3600 }, requestMeta());
    expect(await endStaffSession(first.sessionSecret, requestMeta())).toBe(first.claims.sessionKey);
    expect(await endStaffSession(first.sessionSecret, requestMeta())).toBeNull();
    expect(await findLiveStaff(first.claims)).toBeNull();
    expect(await findLiveStaff({ ...first.claims, sessionKey: sessionKeyOf(second!.sessionSecret) })).not.toBeNull();
    expect((await events(first.staff.id)).map((e) => e.action)).toEqual(["auth.sign_in", "auth.sign_in", "auth.sign_out"]);
  });

  it("is not live once expired", async () => {
    const { claims } = await signedIn();
    await getDb().staffSession.update({ where: { id: claims.sessionKey }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await findLiveStaff(claims)).toBeNull();
  });
});

describe("npm run staff", () => {
  it("disable ends every session, refuses the next sign-in (recorded), and enable lets them in again", async () => {
    const { staff, identity, claims } = await signedIn();
    expect(await disableStaff(staff.email.toUpperCase(), cli, requestMeta())).toMatchObject({
      changed: true,
      detail: expect.stringMatching(/1 live session/),
    });
    expect(await findLiveStaff(claims)).toBeNull();
    expect(await disableStaff(staff.email, cli, requestMeta())).toMatchObject({ changed: false });
    expect(await refuseDisabledSignIn(identity.subject, requestMeta())).toBe(true);
    expect(await recordSignIn(identity, { maxAgeSeconds: 3600 }, requestMeta())).toBeNull();

    expect(await enableStaff(staff.email, cli, requestMeta())).toMatchObject({ changed: true });
    expect(await refuseDisabledSignIn(identity.subject, requestMeta())).toBe(false);
    expect(await findLiveStaff(claims)).toBeNull(); // old sessions stay ended
    expect(await recordSignIn(identity, { maxAgeSeconds: 3600 }, requestMeta())).not.toBeNull();

    const recorded = await events(staff.id);
    expect(recorded.map((e) => e.action)).toEqual([
      "auth.sign_in",
      "staff.disabled",
      "auth.sign_in_refused",
      "staff.enabled",
      "auth.sign_in",
    ]);
    expect(recorded[1]).toMatchObject({ actorName: cli.name, details: { sessionsRevoked: 1 } });
  });

  it("role changes what live sessions act with, and is recorded", async () => {
    const { staff, claims } = await signedIn("agent");
    expect(await changeStaffRole(staff.email, "viewer", cli, requestMeta())).toMatchObject({ changed: true });
    expect(await findLiveStaff(claims)).toMatchObject({ role: "viewer" });
    expect(await changeStaffRole(staff.email, "viewer", cli, requestMeta())).toMatchObject({ changed: false });
    await expect(changeStaffRole(staff.email, "superuser", cli, requestMeta())).rejects.toMatchObject({ code: "bad_request" });
    expect((await events(staff.id)).at(-1)).toMatchObject({
      action: "staff.role_changed",
      details: { before: "agent", after: "viewer", source: "npm run staff" },
    });
  });

  it("revoke-sessions ends every live session but lets them sign in again", async () => {
    const { staff, identity, claims } = await signedIn();
    await recordSignIn(identity, { maxAgeSeconds: 3600 }, requestMeta());
    expect(await revokeStaffSessions(staff.email, cli, requestMeta())).toMatchObject({ changed: true, detail: "2 live session(s) ended" });
    expect(await findLiveStaff(claims)).toBeNull();
    expect(await revokeStaffSessions(staff.email, cli, requestMeta())).toMatchObject({ changed: false });
    expect(await refuseDisabledSignIn(identity.subject, requestMeta())).toBe(false);
    expect((await events(staff.id)).at(-1)).toMatchObject({ action: "staff.sessions_revoked", details: { sessionsRevoked: 2 } });
  });

  it("answers not found for an unknown e-mail, and lists staff with their live sessions", async () => {
    await expect(disableStaff("nobody@scopedesk.test", cli, requestMeta())).rejects.toMatchObject({ code: "not_found" });
    const { staff } = await signedIn("lead");
    expect((await listStaff()).find((s) => s.email === staff.email)).toMatchObject({ role: "lead", disabledAt: null, liveSessions: 1 });
  });
});
