import "server-only";
import { ROLES, type Role } from "@/lib/auth/permissions";
import { AppError } from "@/lib/platform/errors";
import { appendAuditEvent, type Actor, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb, type Tx } from "@/lib/platform/db";

/**
 * What `npm run staff` does (scripts/staff.ts): each change to a staff member
 * is one transaction that also records an audit event. Sessions are checked
 * against these rows on every request (decision 013), so a change takes
 * effect within the session cache window (LIVE_SESSION_CACHE_MS).
 */
export interface StaffListing {
  email: string;
  name: string;
  role: Role;
  disabledAt: Date | null;
  lastSignInAt: Date | null;
  liveSessions: number;
}

export interface StaffChange {
  email: string;
  changed: boolean;
  detail: string;
}

export async function listStaff(): Promise<StaffListing[]> {
  const rows = await getDb().staffUser.findMany({
    orderBy: [{ email: "asc" }, { createdAt: "asc" }],
    select: {
      email: true,
      name: true,
      role: true,
      disabledAt: true,
      lastSignInAt: true,
      _count: { select: { sessions: { where: { revokedAt: null, expiresAt: { gt: new Date() } } } } },
    },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, liveSessions: _count.sessions }));
}

interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled_at: Date | null;
}

/** The one staff member with that e-mail, locked for the transaction. */
async function lockStaff(tx: Tx, email: string): Promise<StaffRow> {
  const rows = await tx.$queryRaw<StaffRow[]>`
    SELECT id::text AS id, email, name, role::text AS role, disabled_at
      FROM staff_user WHERE lower(email) = lower(${email}) ORDER BY created_at FOR UPDATE`;
  if (rows.length === 0)
    throw new AppError("not_found", `No staff member has the e-mail ${email} (they appear here after their first sign-in).`);
  if (rows.length > 1)
    throw new AppError("conflict", `${rows.length} staff members share the e-mail ${email}; change them in the database by id.`);
  return rows[0]!;
}

async function revokeLiveSessions(tx: Tx, staffId: string, reason: string): Promise<number> {
  return tx.$executeRaw`
    UPDATE staff_session SET revoked_at = now(), revoked_reason = ${reason}
     WHERE staff_id = ${staffId}::uuid AND revoked_at IS NULL AND expires_at > now()`;
}

const target = (staff: StaffRow) => ({ type: "staff_user", id: staff.id });

/** Locks a staff member out: no sign-in, and every session ends. */
export async function disableStaff(email: string, actor: Actor, meta: RequestMeta): Promise<StaffChange> {
  return getDb().$transaction(async (tx) => {
    const staff = await lockStaff(tx, email);
    if (staff.disabled_at)
      return { email: staff.email, changed: false, detail: `already disabled since ${staff.disabled_at.toISOString()}` };
    await tx.$executeRaw`UPDATE staff_user SET disabled_at = now() WHERE id = ${staff.id}::uuid`;
    const sessionsRevoked = await revokeLiveSessions(tx, staff.id, "staff member disabled");
    await appendAuditEvent(tx, { actor, action: "staff.disabled", target: target(staff), details: { sessionsRevoked }, meta });
    return { email: staff.email, changed: true, detail: `disabled; ${sessionsRevoked} live session(s) ended` };
  });
}

/** Lets a disabled staff member sign in again (their old sessions stay ended). */
export async function enableStaff(email: string, actor: Actor, meta: RequestMeta): Promise<StaffChange> {
  return getDb().$transaction(async (tx) => {
    const staff = await lockStaff(tx, email);
    if (!staff.disabled_at) return { email: staff.email, changed: false, detail: "not disabled" };
    await tx.$executeRaw`UPDATE staff_user SET disabled_at = NULL WHERE id = ${staff.id}::uuid`;
    await appendAuditEvent(tx, {
      actor,
      action: "staff.enabled",
      target: target(staff),
      details: { disabledAt: staff.disabled_at.toISOString() },
      meta,
    });
    return { email: staff.email, changed: true, detail: "enabled: they may sign in again" };
  });
}

/**
 * Changes the role every live session of the member acts with. The identity
 * provider's groups claim sets it again at their next sign-in: a lasting
 * change is made there too.
 */
export async function changeStaffRole(email: string, role: string, actor: Actor, meta: RequestMeta): Promise<StaffChange> {
  if (!(ROLES as readonly string[]).includes(role))
    throw new AppError("bad_request", `Unknown role "${role}": use one of ${ROLES.join(", ")}.`);
  return getDb().$transaction(async (tx) => {
    const staff = await lockStaff(tx, email);
    if (staff.role === role) return { email: staff.email, changed: false, detail: `already ${role}` };
    await tx.$executeRaw`UPDATE staff_user SET role = ${role}::staff_role WHERE id = ${staff.id}::uuid`;
    await appendAuditEvent(tx, {
      actor,
      action: "staff.role_changed",
      target: target(staff),
      details: { before: staff.role, after: role, source: "npm run staff" },
      meta,
    });
    return {
      email: staff.email,
      changed: true,
      detail: `${staff.role} → ${role} (until the identity provider's groups say otherwise at their next sign-in)`,
    };
  });
}

/** Ends every live session of a staff member; they may sign in again. */
export async function revokeStaffSessions(email: string, actor: Actor, meta: RequestMeta): Promise<StaffChange> {
  return getDb().$transaction(async (tx) => {
    const staff = await lockStaff(tx, email);
    const sessionsRevoked = await revokeLiveSessions(tx, staff.id, "revoked by npm run staff");
    if (sessionsRevoked === 0) return { email: staff.email, changed: false, detail: "no live sessions" };
    await appendAuditEvent(tx, { actor, action: "staff.sessions_revoked", target: target(staff), details: { sessionsRevoked }, meta });
    return { email: staff.email, changed: true, detail: `${sessionsRevoked} live session(s) ended` };
  });
}
