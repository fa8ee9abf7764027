/**
 * The one table of who may do what. Every page, route handler and server
 * action asks `can(role, permission)` on the server; the UI may ask too, but
 * only to decide what to show.
 */
export const ROLES = ["viewer", "agent", "lead", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "accounts:read",
  "tickets:read",
  "scopes:reset",
  "audit:read_own",
  "audit:read_all",
  "audit:export",
  /** Approve or deny a risky reset another staff member asked for (decision 040); APPROVAL_APPROVER_ROLES may narrow it further. */
  "approvals:decide",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const viewer: readonly Permission[] = ["accounts:read", "tickets:read"];
const agent: readonly Permission[] = [...viewer, "scopes:reset", "audit:read_own"];
const lead: readonly Permission[] = [...agent, "audit:read_all", "audit:export", "approvals:decide"];
// Staff are managed with `npm run staff` on the server, not in the console, so admin adds no permission here (yet).
const admin: readonly Permission[] = [...lead];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  viewer: new Set(viewer),
  agent: new Set(agent),
  lead: new Set(lead),
  admin: new Set(admin),
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

const RANK: Record<Role, number> = { viewer: 0, agent: 1, lead: 2, admin: 3 };

/** The strongest role the identity provider's groups map to, or null when none does. */
export function roleFromGroups(groups: unknown, roleMap: Readonly<Record<string, Role>>): Role | null {
  const list = Array.isArray(groups) ? groups : typeof groups === "string" ? groups.split(/[\s,]+/) : [];
  let best: Role | null = null;
  for (const group of list) {
    if (typeof group !== "string") continue;
    const role = roleMap[group];
    if (role && (best === null || RANK[role] > RANK[best])) best = role;
  }
  return best;
}
