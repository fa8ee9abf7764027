import "server-only";
import type { Role } from "@/lib/auth/permissions";
import { newSessionSecret, sessionKeyOf, sessionReference } from "@/lib/auth/session-secret";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import type { SessionClaims, StaffSession } from "./staff-sessions";

export interface SignedInStaff {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/**
 * Records a successful sign-in: creates or refreshes the staff row from the
 * identity provider's claims, opens a session (decision 013) and appends an
 * audit event, in one transaction. Returns the session's secret for the token,
 * or null when the staff member is disabled (no session).
 */
export async function recordSignIn(
  input: { subject: string; email: string; name: string; role: Role },
  session: { maxAgeSeconds: number },
  meta: RequestMeta,
): Promise<{ staff: SignedInStaff; sessionSecret: string } | null> {
  return getDb().$transaction(async (tx) => {
    const previous = await tx.staffUser.findUnique({ where: { subject: input.subject }, select: { role: true, disabledAt: true } });
    if (previous?.disabledAt) return null;
    const staff = await tx.staffUser.upsert({
      where: { subject: input.subject },
      create: { ...input, lastSignInAt: new Date() },
      update: { email: input.email, name: input.name, role: input.role, lastSignInAt: new Date() },
      select: { id: true, email: true, name: true, role: true },
    });
    const sessionSecret = newSessionSecret();
    const sessionKey = sessionKeyOf(sessionSecret);
    // Ended sessions are kept until they would have expired, then cleared here (the audit log keeps the history).
    await tx.staffSession.deleteMany({ where: { staffId: staff.id, expiresAt: { lt: new Date() } } });
    await tx.staffSession.create({
      data: {
        id: sessionKey,
        staffId: staff.id,
        expiresAt: new Date(Date.now() + session.maxAgeSeconds * 1000),
        ip: meta.ip,
        userAgent: meta.userAgent,
      },
    });
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "auth.sign_in",
      target: { type: "staff_user", id: staff.id },
      details: {
        role: staff.role,
        session: sessionReference(sessionKey),
        ...(previous && previous.role !== staff.role ? { previousRole: previous.role } : {}),
      },
      meta,
    });
    if (previous && previous.role !== staff.role) {
      await appendAuditEvent(tx, {
        actor: { id: null, name: "identity provider", email: null },
        action: "staff.role_changed",
        target: { type: "staff_user", id: staff.id },
        details: { before: previous.role, after: staff.role, source: "identity provider groups claim" },
        meta,
      });
    }
    return { staff, sessionSecret };
  });
}

/**
 * A disabled staff member's sign-in is refused before any session exists;
 * the refusal is audited. False for anyone else (including someone new).
 */
export async function refuseDisabledSignIn(subject: string, meta: RequestMeta): Promise<boolean> {
  return getDb().$transaction(async (tx) => {
    const staff = await tx.staffUser.findUnique({ where: { subject }, select: { id: true, name: true, email: true, disabledAt: true } });
    if (!staff?.disabledAt) return false;
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "auth.sign_in_refused",
      target: { type: "staff_user", id: staff.id },
      details: { reason: "disabled", disabledAt: staff.disabledAt.toISOString() },
      meta,
    });
    return true;
  });
}

/** The staff member of a live session: not revoked, not expired, not disabled; name, e-mail and role as they are now. */
export async function findLiveStaff(claims: SessionClaims): Promise<StaffSession | null> {
  const [row] = await getDb().$queryRaw<StaffSession[]>`
    SELECT u.id::text AS id, u.email, u.name, u.role::text AS role
      FROM staff_session s JOIN staff_user u ON u.id = s.staff_id
     WHERE s.id = ${claims.sessionKey} AND s.staff_id = ${claims.staffId}::uuid AND s.kind = ${claims.kind ?? "console"}
       AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`;
  return row ?? null;
}

/** Sign-out: revokes the session and records it, in one transaction. Returns its key (null if it was not live). */
export async function endStaffSession(sessionSecret: string, meta: RequestMeta): Promise<string | null> {
  const sessionKey = sessionKeyOf(sessionSecret);
  return getDb().$transaction(async (tx) => {
    const [ended] = await tx.$queryRaw<{ id: string; name: string; email: string }[]>`
      UPDATE staff_session s SET revoked_at = now(), revoked_reason = 'signed out'
        FROM staff_user u
       WHERE s.id = ${sessionKey} AND s.revoked_at IS NULL AND u.id = s.staff_id
      RETURNING u.id::text AS id, u.name, u.email`;
    if (!ended) return null;
    await appendAuditEvent(tx, {
      actor: ended,
      action: "auth.sign_out",
      target: { type: "staff_user", id: ended.id },
      details: { session: sessionReference(sessionKey) },
      meta,
    });
    return sessionKey;
  });
}
