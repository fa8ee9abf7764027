/**
 * The staff seeded into the bundled development identity provider (and, by
 * the DB seed script, into staff_user). Plain data: no oidc-provider import,
 * so anything may depend on it cheaply.
 *
 * The `groups` are what the IdP puts in the `groups` claim; Scopedesk maps
 * them to roles through OIDC_ROLE_MAP (default `scopedesk-<role>:<role>`).
 * `sub` is stable across restarts: Scopedesk keys staff on `${issuer}#${sub}`.
 */
export type DevStaffRole = "viewer" | "agent" | "lead" | "admin";

export interface DevStaff {
  /** Stable subject identifier, e.g. `dev-agent`. */
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly role: DevStaffRole;
}

/** The one password every seeded development account uses. Development only. */
export const DEV_PASSWORD = "scopedesk";

export const DEV_STAFF: readonly DevStaff[] = [
  { sub: "dev-viewer", email: "viewer@scopedesk.test", name: "Vera Viewer", groups: ["scopedesk-viewer"], role: "viewer" },
  { sub: "dev-agent", email: "agent@scopedesk.test", name: "Alex Agent", groups: ["scopedesk-agent"], role: "agent" },
  { sub: "dev-agent2", email: "agent2@scopedesk.test", name: "Blair Agent", groups: ["scopedesk-agent"], role: "agent" },
  { sub: "dev-lead", email: "lead@scopedesk.test", name: "Lee Lead", groups: ["scopedesk-lead"], role: "lead" },
  { sub: "dev-admin", email: "admin@scopedesk.test", name: "Ada Admin", groups: ["scopedesk-admin"], role: "admin" },
];

/** The seeded staff member with this e-mail address (case-insensitive), if any. */
export function findDevStaffByEmail(email: string): DevStaff | undefined {
  const wanted = email.trim().toLowerCase();
  return DEV_STAFF.find((s) => s.email === wanted);
}

/** The seeded staff member with this subject identifier, if any. */
export function findDevStaffBySub(sub: string): DevStaff | undefined {
  return DEV_STAFF.find((s) => s.sub === sub);
}
