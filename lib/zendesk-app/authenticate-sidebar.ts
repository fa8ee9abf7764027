import "server-only";
import { sessionKeyOf } from "@/lib/auth/session-secret";
import { staffSessions, type StaffSession } from "@/lib/auth/staff-sessions";
import { parseSidebarCredential } from "./sidebar-credential";

/**
 * The staff member a sidebar credential names, through the same session check
 * as every sign-in (lib/auth, decision 013): its staff_session row (kind
 * zendesk_sidebar) live, its member not disabled, name and role as they are
 * now, cached for at most five seconds. Null for anything else.
 */
export async function authenticateSidebar(credential: string | undefined): Promise<{ staff: StaffSession; secret: string } | null> {
  const parsed = parseSidebarCredential(credential);
  if (!parsed) return null;
  const staff = await staffSessions().staffFor({
    sessionKey: sessionKeyOf(parsed.secret),
    staffId: parsed.staffId,
    // The row's own expiry is checked in the database.
    expiresAt: Number.POSITIVE_INFINITY,
    kind: "zendesk_sidebar",
  });
  return staff ? { staff, secret: parsed.secret } : null;
}
