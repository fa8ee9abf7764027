import "server-only";
import { forbidden, redirect } from "next/navigation";
import { z } from "zod";
import { auth } from "@/auth";
import { can, ROLES, type Permission, type Role } from "@/lib/auth/permissions";

export interface StaffSession {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const sessionUser = z.object({
  id: z.string().uuid(),
  email: z.string().min(1),
  name: z.string(),
  role: z.enum(ROLES),
});

/** The signed-in staff member, or null. A session without a valid role is no session. */
export async function getStaff(): Promise<StaffSession | null> {
  const session = await auth();
  const parsed = sessionUser.safeParse(session?.user);
  return parsed.success ? parsed.data : null;
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

/** Only same-site absolute paths, so a crafted link cannot bounce a user elsewhere. */
export function safeReturnPath(path: string | null | undefined): string {
  if (!path || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  return path;
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
