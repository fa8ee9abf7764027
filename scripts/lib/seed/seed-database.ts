import pg from "pg";
import type { AppConfig } from "@/lib/platform/config";
import { DEV_STAFF } from "../../dev-idp/users";
import type { SeedOptions } from "./generate";
import { loadAccounts, type LoadResult } from "./load";
import { loadMessageActivity } from "./message-activity";

export interface SeedSettings {
  seed: string;
  accounts: number;
  today: Date;
  /** Average message-activity rows per generated account (SEED_ACTIVITY_PER_ACCOUNT, default 1). */
  activityPerAccount?: number;
}

/** Reads SEED, SEED_ACCOUNTS and SEED_TODAY; refuses nonsense with a clear message. */
export function seedSettingsFromEnv(env: Record<string, string | undefined>): SeedSettings {
  const accounts = Number(env.SEED_ACCOUNTS ?? "2000");
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > 5_000_000) {
    throw new Error(`SEED_ACCOUNTS must be a whole number from 1 to 5,000,000 (got "${env.SEED_ACCOUNTS}").`);
  }
  const todayText = env.SEED_TODAY ?? new Date().toISOString().slice(0, 10);
  const today = new Date(`${todayText}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(todayText) || Number.isNaN(today.getTime())) {
    throw new Error(`SEED_TODAY must be a date like 2026-11-22 (got "${todayText}").`);
  }
  const activityPerAccount = Number(env.SEED_ACTIVITY_PER_ACCOUNT ?? "1");
  if (!Number.isInteger(activityPerAccount) || activityPerAccount < 0 || activityPerAccount > 100) {
    throw new Error(`SEED_ACTIVITY_PER_ACCOUNT must be a whole number from 0 to 100 (got "${env.SEED_ACTIVITY_PER_ACCOUNT}").`);
  }
  return { seed: env.SEED ?? "scopedesk", accounts, today, activityPerAccount };
}

export interface SeedReport extends LoadResult {
  staff: number;
  messageActivity: number;
  seconds: number;
}

/**
 * Replaces all accounts, scope sets, keys and staff with generated data, as
 * the owner role (MIGRATION_DATABASE_URL: it creates staging tables).
 * The audit log is append-only and is left alone (recreate the database to
 * start it over).
 */
export async function seedDatabase(config: AppConfig, settings: SeedSettings): Promise<SeedReport> {
  // The demo data replaces what is there and carries API keys and staff anyone can read in this repository.
  if (config.env === "production") {
    throw new Error(
      "Seeding writes demo data (its API keys are in the repository), so it refuses to run when SCOPEDESK_ENV is production.",
    );
  }
  const started = performance.now();
  const client = new pg.Client({ connectionString: config.migrationDatabaseUrl });
  const second = new pg.Client({ connectionString: config.migrationDatabaseUrl });
  await Promise.all([client.connect(), second.connect()]);
  try {
    const opts: SeedOptions = { seed: settings.seed, accounts: settings.accounts, cutoff: config.signupCutoff, today: settings.today };
    const result = await loadAccounts(client, second, opts, async (tx) => {
      await tx.query(`TRUNCATE account, api_key, scope_set, staff_user RESTART IDENTITY CASCADE`);
      for (const staff of DEV_STAFF) {
        await tx.query(`INSERT INTO staff_user (id, subject, email, name, role) VALUES (gen_random_uuid(), $1, $2, $3, $4)`, [
          `${config.oidc.issuer}#${staff.sub}`,
          staff.email,
          staff.name,
          staff.role,
        ]);
      }
    });
    await client.query("ANALYZE account, api_key, scope_set, staff_user");
    const messageActivity = await loadMessageActivity(client, settings.activityPerAccount ?? 1);
    return { ...result, staff: DEV_STAFF.length, messageActivity, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all([client.end(), second.end()]);
  }
}
