import "server-only";
import type { Db } from "@/lib/platform/db";

/** GET /v3/api_keys: the account's keys, names and ids, never secrets, oldest first. */
export async function listApiKeys(db: Db, accountId: number, limit: number): Promise<{ result: { api_key_id: string; name: string }[] }> {
  const keys = await db.apiKey.findMany({
    where: { accountId },
    select: { id: true, name: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  return { result: keys.map((k) => ({ api_key_id: k.id, name: k.name })) };
}
