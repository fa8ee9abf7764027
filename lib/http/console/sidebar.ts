import { ROLE_PERMISSIONS, type Permission, type Role } from "@/lib/auth/permissions";
import { sidebarCsrfToken } from "@/lib/zendesk-app/sidebar-credential";
import { consoleEndpoint } from "./endpoint";

/**
 * GET /api/sidebar-session: the Zendesk sidebar page's first question (decision
 * 030): who its session is for, what the role allows, and the session's CSRF
 * token for writes (X-Scopedesk-Csrf). Readable only by the page itself: no
 * other site can read an answer of this origin.
 */
export const sidebarSessionEndpoint = consoleEndpoint(
  { method: "GET", path: "/sidebar-session", permission: "tickets:read" },
  async ({ staff, c }): Promise<SidebarSessionOutput> => {
    const credential = c.get("credential");
    return {
      staff: { name: staff.name, email: staff.email, role: staff.role },
      permissions: [...ROLE_PERMISSIONS[staff.role]],
      sidebar: credential.kind === "zendesk_sidebar",
      csrfToken: credential.kind === "zendesk_sidebar" ? sidebarCsrfToken(credential.secret) : null,
    };
  },
);

export interface SidebarSessionOutput {
  staff: { name: string; email: string; role: Role };
  permissions: Permission[];
  /** False when the console's own session asked (it needs no CSRF token). */
  sidebar: boolean;
  csrfToken: string | null;
}
