import "server-only";
import { forbidden, notFound, redirect } from "next/navigation";
import type { z } from "zod";
import { can, type Permission } from "@/lib/auth/permissions";
import { isAppError } from "@/lib/platform/errors";
import { getStaff, type StaffSession } from "@/lib/auth/get-staff";
import { safeReturnPath } from "@/lib/platform/safe-redirect";

/**
 * The one guard every console page calls: the staff session (a signed-out
 * visitor goes to sign in and comes back here, with the deep link's ticket
 * kept), the permission (403), and the page's path parameters (404 when
 * they are not what the page shows).
 */

export async function guardPage<S extends z.ZodType | undefined = undefined>(options: {
  permission: Permission;
  /** The page's own path, as it should be returned to after sign-in. */
  path: string;
  searchParams?: SearchParams;
  /** Query parameters worth keeping through sign-in. Default q and ticket. */
  keep?: readonly string[];
  params?: { schema: NonNullable<S>; values: unknown };
}): Promise<{ staff: StaffSession; params: S extends z.ZodType ? z.output<S> : undefined }> {
  const staff = await requirePageStaff(options.permission, pagePath(options.path, options.searchParams ?? {}, options.keep));
  if (!options.params) return { staff, params: undefined as never };
  const parsed = options.params.schema.safeParse(options.params.values);
  if (!parsed.success) notFound();
  return { staff, params: parsed.data as never };
}

/** A page's data, with "no such thing" answered as the 404 page. */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
}

/**
 * For pages: sends a signed-out visitor to sign in (and back to `returnTo`
 * afterwards) and answers 403 to a role without the permission.
 */
async function requirePageStaff(permission: Permission, returnTo: string): Promise<StaffSession> {
  const staff = await getStaff();
  if (!staff) redirect(`/signin?callbackUrl=${encodeURIComponent(safeReturnPath(returnTo))}`);
  if (!can(staff.role, permission)) forbidden();
  return staff;
}

type SearchParams = Record<string, string | string[] | undefined>;

/** A page's own path with the query parameters worth keeping through sign-in (e.g. the ticket of a deep link). */
function pagePath(path: string, searchParams: SearchParams, keep: readonly string[] = ["q", "ticket"]): string {
  const query = new URLSearchParams();
  for (const key of keep) {
    const value = searchParams[key];
    if (typeof value === "string") query.set(key, value.slice(0, 1000));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
