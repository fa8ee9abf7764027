import { PgBoss } from "pg-boss";
import pg from "pg";
import { BOSS_SCHEMA, QUEUE_OPTIONS } from "./queues";

/**
 * Part of the migration step, run as the database owner: installs or
 * upgrades pg-boss's schema, creates the queues with their policies (or
 * brings existing ones to them), and lets the app's role use them without
 * owning them. The app and the workers start pg-boss with `migrate: false`.
 * Not server-only: scripts/lib/migrate.ts runs it outside Next.
 */
export async function migrateJobQueues(ownerUrl: string, appRole: string | null): Promise<void> {
  const boss = new PgBoss({
    connectionString: ownerUrl,
    schema: BOSS_SCHEMA,
    migrate: true,
    createSchema: true,
    supervise: false,
    schedule: false,
    max: 2,
  });
  boss.on("error", () => {});
  await boss.start();
  try {
    for (const { name, options } of QUEUE_OPTIONS) {
      if (await boss.getQueue(name)) await boss.updateQueue(name, options);
      else await boss.createQueue(name, options);
    }
  } finally {
    await boss.stop({ graceful: false, timeout: 5000 });
  }
  if (!appRole) return;
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(appRole);
    const schema = client.escapeIdentifier(BOSS_SCHEMA);
    // Data only: the app's role works jobs but cannot change the queue tables' shape.
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${role}`);
  } finally {
    await client.end();
  }
}
