import "server-only";
import type { Db } from "@/lib/platform/db";

export interface SuggestedAccount {
  id: number;
  username: string;
  email: string;
  parentId: number | null;
  hasEraseJobScopes: boolean;
}

/** The accounts and subusers whose e-mail is the ticket requester's: what the ticket is most likely about. */
export async function suggestAccountsForRequester(db: Db, requesterEmail: string | null): Promise<SuggestedAccount[]> {
  if (!requesterEmail) return [];
  const rows = await db.$queryRaw<{ id: number; username: string; email: string; parent_id: number | null; has_erase_job: boolean }[]>`
    SELECT a.id, a.username, a.email, a.parent_id, s.has_erase_job
    FROM account a JOIN scope_set s ON s.id = a.scope_set_id
    WHERE lower(a.email) = lower(${requesterEmail})
    ORDER BY a.parent_id NULLS FIRST, a.id
    LIMIT 20`;
  return rows.map((r) => ({ id: r.id, username: r.username, email: r.email, parentId: r.parent_id, hasEraseJobScopes: r.has_erase_job }));
}
