import "server-only";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { can, type Permission } from "@/lib/auth/permissions";
import { safeReturnPath } from "@/lib/platform/safe-redirect";
import { staffSessions, type StaffSession } from "./staff-session";

export type { StaffSession } from "./staff-session";

/** The signed-in staff member of the current request (pages, layouts, route handlers), or null. */
export async function getStaff(): Promise<StaffSession | null> {
  return staffSessions().authenticate(await cookies());
}

/**
 * For pages: sends a signed-out visitor to sign in (and back to `returnTo`
 * afterwards) and answers 403 to a role without the permission.
 */
export async function requirePageStaff(permission: Permission, returnTo: string): Promise<StaffSession> {
  const staff = await getStaff();
  if (!staff) redirect(`/signin?callbackUrl=${encodeURIComponent(safeReturnPath(returnTo))}`);
  if (!can(staff.role, permission)) forbidden();
  return staff;
}

type SearchParams = Record<string, string | string[] | undefined>;

/** A page's own path with the query parameters worth keeping through sign-in (e.g. the ticket of a deep link). */
export function pagePath(path: string, searchParams: SearchParams, keep: readonly string[] = ["q", "ticket"]): string {
  const query = new URLSearchParams();
  for (const key of keep) {
    const value = searchParams[key];
    if (typeof value === "string") query.set(key, value.slice(0, 1000));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
