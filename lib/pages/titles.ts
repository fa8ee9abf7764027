import "server-only";
import { can, type Permission } from "@/lib/auth/permissions";
import { getStaff } from "@/lib/auth/get-staff";
import { getDb } from "@/lib/platform/db";

/**
 * Each page's own <title> ("legacy-acme (#100001) · Scopedesk"), so a tab,
 * the browser's history and a screen reader say which account or reset it
 * is. Only for a signed-in staff member who may see the page (the page's own
 * guard answers everyone else); one small read by primary key, never the
 * page's whole data. Anything unknown falls back to the page's kind.
 */
async function allowed(permission: Permission): Promise<boolean> {
  const staff = await getStaff();
  return staff !== null && can(staff.role, permission);
}

const ACCOUNT_ID = /^\d{1,10}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function named(account: { id: number; username: string }): string {
  return `${account.username} (#${account.id})`;
}

export async function accountTitle(id: string): Promise<string> {
  if (!ACCOUNT_ID.test(id) || Number(id) > 2_147_483_647 || !(await allowed("accounts:read"))) return "Account";
  const account = await getDb().account.findUnique({ where: { id: Number(id) }, select: { id: true, username: true } });
  return account ? named(account) : "Account";
}

export async function resetTitle(id: string): Promise<string> {
  if (!UUID.test(id) || !(await allowed("tickets:read"))) return "Scope reset";
  const reset = await getDb().scopeReset.findUnique({
    where: { id },
    select: { outcome: true, account: { select: { id: true, username: true } } },
  });
  if (!reset) return "Scope reset";
  return `${reset.outcome === "failed" ? "Failed reset" : "Reset"} of ${named(reset.account)}`;
}

export async function familyResetTitle(id: string): Promise<string> {
  if (!UUID.test(id) || !(await allowed("tickets:read"))) return "Family reset";
  const first = await getDb().scopeReset.findFirst({
    where: { familyResetId: id },
    orderBy: { createdAt: "asc" },
    select: { account: { select: { id: true, username: true, parentId: true, parent: { select: { id: true, username: true } } } } },
  });
  if (!first) return "Family reset";
  const parent = first.account.parent ?? first.account;
  return `Family reset of ${named(parent)}`;
}
