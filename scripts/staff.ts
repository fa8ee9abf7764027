/**
 * `npm run staff -- <command>`: manage console staff from a shell with access
 * to the database (DATABASE_URL, the app role is enough). Every change is one
 * transaction with its audit event and reaches live sessions within
 * LIVE_SESSION_CACHE_MS (decision 013).
 *
 *   list                                       everyone, with role, status and live sessions
 *   disable <email>                            no more sign-in, every session ends
 *   enable <email>                             may sign in again
 *   role <email> <viewer|agent|lead|admin>     the role live sessions act with (the IdP sets it again at sign-in)
 *   revoke-sessions <email>                    ends every session; they may sign in again
 *
 * Runs under tsx with the "react-server" condition so the server-only modules load.
 */
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { ROLES } from "../lib/auth/permissions";
import { getConfig } from "../lib/platform/config";
import { isAppError } from "../lib/platform/errors";
import type { Actor, RequestMeta } from "../lib/audit/append-audit-event";
import { disconnectDb } from "../lib/platform/db";
import { changeStaffRole, disableStaff, enableStaff, listStaff, revokeStaffSessions, type StaffChange } from "../lib/auth/staff-admin";
import { LIVE_SESSION_CACHE_MS } from "../lib/auth/staff-sessions";
import { loadDotEnv } from "./lib/env";

const USAGE = `usage: npm run staff -- list | disable <email> | enable <email> | role <email> <${ROLES.join("|")}> | revoke-sessions <email>`;

loadDotEnv();
getConfig(); // fail fast on a bad configuration
// Who did it, as the audit log records it: the operating-system account that ran the command.
const actor: Actor = { id: null, name: `${userInfo().username}@${hostname()} (npm run staff)`, email: null };
const meta: RequestMeta = { requestId: randomUUID(), ip: null, userAgent: "scopedesk staff CLI" };

async function main([command, email, role, ...extra]: string[]): Promise<number> {
  if (command === "list" && !email) {
    const staff = await listStaff();
    for (const s of staff) {
      const status = s.disabledAt ? `disabled ${s.disabledAt.toISOString()}` : "active";
      const seen = s.lastSignInAt ? `last sign-in ${s.lastSignInAt.toISOString()}` : "never signed in";
      console.log(
        `${s.email.padEnd(32)} ${s.role.padEnd(7)} ${status.padEnd(33)} ${String(s.liveSessions).padStart(3)} live session(s)  ${seen}  ${s.name}`,
      );
    }
    console.log(`${staff.length} staff member(s)`);
    return 0;
  }
  const change = await changeFor(command, email, role, extra);
  if (!change) {
    console.error(USAGE);
    return 2;
  }
  console.log(
    `${change.email}: ${change.detail}${change.changed ? ` (recorded in the audit log; live sessions see it within ${LIVE_SESSION_CACHE_MS / 1000} s)` : ""}`,
  );
  return 0;
}

function changeFor(command?: string, email?: string, role?: string, extra: string[] = []): Promise<StaffChange> | null {
  if (!email || extra.length > 0) return null;
  if (command === "disable" && !role) return disableStaff(email, actor, meta);
  if (command === "enable" && !role) return enableStaff(email, actor, meta);
  if (command === "revoke-sessions" && !role) return revokeStaffSessions(email, actor, meta);
  if (command === "role" && role) return changeStaffRole(email, role, actor, meta);
  return null;
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  console.error(isAppError(error) ? error.message : `npm run staff failed: ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
} finally {
  await disconnectDb();
}
process.exit(code);
