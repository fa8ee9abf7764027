import "server-only";
import type { Role } from "@/lib/auth/permissions";
import { appendAuditEvent, type RequestMeta } from "./audit";
import { getDb } from "./db";

export interface SignedInStaff {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/**
 * Records a successful sign-in: creates or refreshes the staff row from the
 * identity provider's claims and appends an audit event, in one transaction.
 */
export async function recordSignIn(
  input: { subject: string; email: string; name: string; role: Role },
  meta: RequestMeta,
): Promise<SignedInStaff> {
  return getDb().$transaction(async (tx) => {
    const previous = await tx.staffUser.findUnique({ where: { subject: input.subject }, select: { role: true } });
    const staff = await tx.staffUser.upsert({
      where: { subject: input.subject },
      create: { ...input, lastSignInAt: new Date() },
      update: { email: input.email, name: input.name, role: input.role, lastSignInAt: new Date() },
      select: { id: true, email: true, name: true, role: true },
    });
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "auth.sign_in",
      target: { type: "staff_user", id: staff.id },
      details: { role: staff.role, ...(previous && previous.role !== staff.role ? { previousRole: previous.role } : {}) },
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
    return staff;
  });
}
