import "server-only";
import { getDb, type Tx } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";

export interface ScopeResetOutcome {
  resetId: string;
  /** True when the idempotency key had already been used for this request: nothing new was done. */
  replayed: boolean;
}

/** idempotency_mismatch: the reset the key already produced. */
export interface IdempotencyMismatchDetails {
  resetId: string;
}

/**
 * The reset an idempotency key already produced: the same request again is
 * answered with it; another request with the same key is refused.
 */
export async function findResetReplay(idempotencyKey: string, requestHash: string, tx?: Tx): Promise<ScopeResetOutcome | null> {
  const db = tx ?? getDb();
  const earlier = await db.scopeReset.findFirst({
    where: { idempotencyKey, outcome: "succeeded" },
    select: { id: true, requestHash: true },
  });
  if (!earlier) return null;
  if (earlier.requestHash !== requestHash) {
    throw new AppError(
      "idempotency_mismatch",
      "This idempotency key was already used for a different reset request. Open the preview again to get a new key.",
      { resetId: earlier.id } satisfies IdempotencyMismatchDetails,
    );
  }
  return { resetId: earlier.id, replayed: true };
}
