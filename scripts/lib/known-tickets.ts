import pg from "pg";

/**
 * The highest Zendesk ticket number Scopedesk's database knows (resets, notes,
 * deliveries, approvals, triage), or 0. The development Zendesk keeps its
 * tickets in memory: after a restart of the demo it numbers new tickets after
 * this, so a new ticket never takes the number of one Scopedesk already has a
 * triage or a reset for (which would show the old ticket's state).
 */
export const TICKET_TABLES = ["scope_reset", "ticket_note", "admin_note", "helpdesk_delivery", "reset_approval", "ticket_triage"] as const;

export async function highestKnownTicketId(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const union = TICKET_TABLES.map(
      (table) => `SELECT max(ticket_id::bigint) AS id FROM ${table} WHERE ticket_id ~ '^[1-9][0-9]{0,14}$'`,
    ).join(" UNION ALL ");
    const { rows } = await client.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM (${union}) known`);
    return Number(rows[0]?.id ?? 0);
  } finally {
    await client.end();
  }
}
