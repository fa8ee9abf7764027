import "server-only";
import type { Db, Tx } from "@/lib/platform/db";

/**
 * "Accept this once": a signed thing (a Zendesk app JWT, a webhook) is
 * claimed in Postgres by a digest of what was signed, never of how it is
 * spelled (lib/zendesk-app/app-token.ts, lib/triage/webhook-signature.ts), so every server process
 * agrees, until the moment it could no longer be accepted anyway (its own
 * expiry); the worker's prune job drops older claims.
 */
export type ReplayKind = "zendesk_app_token" | "zendesk_webhook";

/** True the first time; false when the same thing was claimed before (a replay). Inside the caller's transaction. */
export async function claimOnce(tx: Tx, kind: ReplayKind, digest: string, expiresAt: Date): Promise<boolean> {
  const claimed = await tx.$executeRaw`
    INSERT INTO replay_guard (kind, digest, expires_at) VALUES (${kind}, ${digest}, ${expiresAt})
    ON CONFLICT (kind, digest) DO NOTHING`;
  return claimed === 1;
}

/** Drops claims whose things have expired (the worker, every five minutes). */
export async function pruneReplayGuard(db: Db): Promise<number> {
  return db.$executeRaw`DELETE FROM replay_guard WHERE expires_at < now() - interval '1 minute'`;
}
