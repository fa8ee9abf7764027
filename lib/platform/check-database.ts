import "server-only";
import { getDb } from "./db";
import { getLogger } from "./logger";

export async function checkDatabase(): Promise<{ ok: boolean; latencyMs: number; migrations?: number; error?: string }> {
  const started = performance.now();
  try {
    const [row] = await getDb().$queryRaw<{ migrations: bigint }[]>`
      SELECT count(*) AS migrations FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    return { ok: true, latencyMs: Math.round(performance.now() - started), migrations: Number(row?.migrations ?? 0) };
  } catch (error) {
    getLogger().warn({ err: error }, "health check: database unreachable");
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: "database unreachable" };
  }
}
