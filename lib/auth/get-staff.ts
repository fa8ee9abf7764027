import "server-only";
import { cookies } from "next/headers";
import { staffSessions, type StaffSession } from "./staff-sessions";

export type { StaffSession } from "./staff-sessions";

/** The signed-in staff member of the current request (pages, layouts, route handlers), or null. */
export async function getStaff(): Promise<StaffSession | null> {
  return staffSessions().authenticate(await cookies());
}
