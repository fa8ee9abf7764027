import "server-only";
import { notFound } from "next/navigation";
import type { z } from "zod";
import type { Permission } from "@/lib/auth/permissions";
import { isAppError } from "@/lib/errors";
import { pagePath, requirePageStaff, type StaffSession } from "@/lib/server/session";

/**
 * The one guard every console page calls: the staff session (a signed-out
 * visitor goes to sign in and comes back here, with the deep link's ticket
 * kept), the permission (403), and the page's path parameters (404 when
 * they are not what the page shows).
 */
type SearchParams = Record<string, string | string[] | undefined>;

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
