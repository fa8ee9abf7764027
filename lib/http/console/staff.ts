import { ROLE_PERMISSIONS, type Permission, type Role } from "@/lib/auth/permissions";
import { consoleEndpoint } from "./endpoint";

/**
 * GET /api/me: who is signed in, and what their role allows. Answered from the
 * session check alone (cached, decision 013), so it is also the pipeline's
 * floor in the benchmark: a signed-in request that reads nothing else.
 */
export const getMeEndpoint = consoleEndpoint(
  { method: "GET", path: "/me", permission: "accounts:read" },
  async ({ staff }): Promise<MeOutput> => ({
    id: staff.id,
    name: staff.name,
    email: staff.email,
    role: staff.role,
    permissions: [...ROLE_PERMISSIONS[staff.role]],
  }),
);
export interface MeOutput {
  id: string;
  name: string;
  email: string;
  role: Role;
  permissions: Permission[];
}
