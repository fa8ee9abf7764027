import "server-only";
import pg from "pg";
import { getConfig } from "@/lib/platform/config";

/**
 * A small raw `pg` pool for what Prisma cannot do well: COPY ... TO STDOUT
 * streams (the audit export) and the one statement whose parameter is a
 * quarter of a megabyte (queuing an erase job). Everything else goes through getDb().
 */
const holder = globalThis as unknown as { __scopedeskPgPool?: pg.Pool };

export function getPgPool(): pg.Pool {
  holder.__scopedeskPgPool ??= new pg.Pool({ connectionString: getConfig().databaseUrl, max: 10, idleTimeoutMillis: 30_000 });
  return holder.__scopedeskPgPool;
}

export async function closePgPool(): Promise<void> {
  await holder.__scopedeskPgPool?.end();
  holder.__scopedeskPgPool = undefined;
}

/** What a statement needs: a pool, a client, or a client inside a transaction. */
export type PgQueryable = Pick<pg.Pool, "query">;
