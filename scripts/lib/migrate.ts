import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each in its own
 * transaction, and records them in Prisma's own `_prisma_migrations` table
 * (same columns, sha256 checksum of the file) so `prisma migrate deploy` can
 * take over wherever Prisma's schema engine is available. Hand-written because
 * that engine cannot be downloaded on our machines (STACK-NOTES.md).
 */

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

// Prisma's own advisory lock key, so our runner and `prisma migrate` exclude each other.
const MIGRATION_LOCK_KEY = 72707369;

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

export async function readLocalMigrations(dir = MIGRATIONS_DIR): Promise<LocalMigration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksumOf(sql) };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrate(databaseUrl: string, opts: { dir?: string; log?: (line: string) => void } = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const local = await readLocalMigrations(opts.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const appliedByName = new Map(rows.map((r) => [r.migration_name, r]));

    const failed = rows.filter((r) => r.finished_at === null);
    if (failed.length > 0) {
      throw new MigrationError(
        `Migration ${failed.map((r) => r.migration_name).join(", ")} started but never finished. Inspect the database, then mark it rolled back before migrating again.`,
      );
    }
    const localNames = new Set(local.map((m) => m.name));
    const unknown = rows.filter((r) => !localNames.has(r.migration_name));
    if (unknown.length > 0) {
      throw new MigrationError(
        `The database has migrations this checkout does not know: ${unknown.map((r) => r.migration_name).join(", ")}. Update your checkout.`,
      );
    }

    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const m of local) {
      const applied = appliedByName.get(m.name);
      if (applied) {
        if (applied.checksum !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.name} was edited after it was applied (checksum ${applied.checksum.slice(0, 12)}… in the database, ${m.checksum.slice(0, 12)}… on disk). Applied migrations are immutable: revert the edit and add a new migration instead.`,
          );
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      const startedAt = new Date();
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), m.checksum, m.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${(error as Error).message}`);
      }
      result.applied.push(m.name);
      log(`applied ${m.name}`);
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
