import type pg from "pg";

/**
 * Seeded message activity (who was sent what), the data the Recipients' Data
 * Erasure API erases. Fixture accounts get the known rows below, which tests
 * and the demo refer to; generated accounts get a few rows each, made in one
 * set-based INSERT from deterministic hashes of the account id (hashint8extended
 * is stable across PostgreSQL versions: hash partitioning depends on it), so
 * a million accounts add seconds, not minutes. Runs after the accounts are in.
 */

export interface FixtureActivity {
  accountId: number;
  recipientEmail: string;
  recipientName: string;
  subject: string;
  categories: string[];
  ip: string;
  sentAt: string;
}

/** A recipient of legacy-acme, both its subusers and brightpost: erasing for one must leave the others. */
export const SHARED_RECIPIENT = "jane.doe@example.com";

const row = (
  accountId: number,
  recipientEmail: string,
  recipientName: string,
  subject: string,
  categories: string[],
  ip: string,
  sentAt: string,
): FixtureActivity => ({
  accountId,
  recipientEmail,
  recipientName,
  subject,
  categories,
  ip,
  sentAt,
});

export const FIXTURE_ACTIVITY: readonly FixtureActivity[] = [
  // 100001 legacy-acme (pre-cutoff parent; subusers 100002 and 100003)
  row(100001, "jane.doe@example.com", "Jane Doe", "Your March invoice", ["billing"], "203.0.113.10", "2026-03-02T09:15:00Z"),
  row(100001, "jane.doe@Example.COM", "Jane Doe", "Password reset", ["transactional"], "203.0.113.10", "2026-04-11T18:02:41Z"),
  row(100001, "jane.doe@example.com", "Jane Doe", "Spring sale: 20% off", ["marketing", "spring"], "198.51.100.7", "2026-05-20T07:00:00Z"),
  row(100001, "bob.smith@example.org", "Bob Smith", "Your March invoice", ["billing"], "192.0.2.44", "2026-03-02T09:15:03Z"),
  row(100001, "bob.smith@example.org", "Bob Smith", "Welcome to Acme", ["onboarding"], "192.0.2.44", "2026-01-05T12:30:00Z"),
  row(
    100001,
    "chen.wei@mail.example",
    "Chen Wei",
    "Order #48213 shipped",
    ["transactional", "orders"],
    "198.51.100.23",
    "2026-06-14T16:45:10Z",
  ),
  // 100002 legacy-acme-marketing (subuser)
  row(100002, "jane.doe@example.com", "Jane Doe", "Newsletter – June", ["newsletter"], "203.0.113.10", "2026-06-01T08:00:00Z"),
  row(100002, "jane.doe@example.com", "Jane Doe", "Newsletter – July", ["newsletter"], "203.0.113.10", "2026-07-01T08:00:00Z"),
  row(100002, "maria.garcia@example.net", "María García", "Newsletter – June", ["newsletter"], "192.0.2.91", "2026-06-01T08:00:02Z"),
  row(100002, "maria.garcia@example.net", "María García", "We miss you", ["winback"], "192.0.2.91", "2026-08-19T10:10:10Z"),
  // 100003 legacy-acme-eu (EU subuser)
  row(100003, "jane.doe@example.com", "Jane Doe", "Ihre Bestellung", ["transactional"], "203.0.113.10", "2026-02-22T14:00:00Z"),
  row(100003, "lukas.mueller@example.de", "Lukas Müller", "Ihre Bestellung", ["transactional"], "198.51.100.200", "2026-02-22T14:00:05Z"),
  row(100003, "lukas.mueller@example.de", "Lukas Müller", "Rechnung März", ["billing"], "198.51.100.200", "2026-03-03T09:00:00Z"),
  // 100004 brightpost (post-cutoff, has the erase-job scopes)
  row(100004, "jane.doe@example.com", "Jane Doe", "Your BrightPost digest", ["digest"], "203.0.113.10", "2026-09-09T06:30:00Z"),
  row(100004, "jane.doe@example.com", "Jane Doe", "Confirm your e-mail", ["transactional"], "203.0.113.10", "2026-01-15T11:11:11Z"),
  row(100004, "sam.taylor@example.com", "Sam Taylor", "Your BrightPost digest", ["digest"], "192.0.2.150", "2026-09-09T06:30:01Z"),
  row(100004, "sam.taylor@example.com", "Sam Taylor", "Team invite", ["transactional"], "192.0.2.150", "2026-04-04T13:37:00Z"),
  row(
    100004,
    "Sam.Taylor@example.com",
    "Sam Taylor",
    "One person, however the address is written",
    ["transactional"],
    "192.0.2.150",
    "2026-04-05T13:37:00Z",
  ),
  row(100004, "case.x@example.com", "Casey X", "Receipt", ["transactional"], "192.0.2.160", "2026-04-06T10:00:00Z"),
  row(100004, "Case.X@example.com", "Casey X", "Newsletter", ["newsletter"], "192.0.2.160", "2026-04-07T10:00:00Z"),
  row(100004, "CASE.X@example.com", "Casey X", "Survey", ["marketing"], "192.0.2.160", "2026-04-08T10:00:00Z"),
  // the other fixtures: a couple of rows each
  ...[100005, 100006, 100007, 100008, 100009, 100010, 100011, 100012, 100013].flatMap((id) => [
    row(id, `customer.${id}@example.com`, `Customer ${id}`, "Receipt", ["transactional"], "192.0.2.1", "2026-05-05T05:05:05Z"),
    row(id, SHARED_RECIPIENT, "Jane Doe", "Hello", ["marketing"], "203.0.113.10", "2026-05-06T06:06:06Z"),
  ]),
];

const FIRST = [
  "Alex",
  "Sam",
  "Kim",
  "Jo",
  "Lee",
  "Maria",
  "Li",
  "Noor",
  "Ana",
  "Tom",
  "Eva",
  "Raj",
  "Yuki",
  "Omar",
  "Ines",
  "Priya",
  "Jonas",
  "Fatima",
  "Mateo",
  "Chloe",
];
const LAST = [
  "Smith",
  "Garcia",
  "Chen",
  "Müller",
  "Rossi",
  "Kowalski",
  "Nguyen",
  "Okafor",
  "Silva",
  "Haddad",
  "Ivanova",
  "Tanaka",
  "Dubois",
  "Larsen",
  "Kaya",
  "Murphy",
  "Novak",
  "Santos",
  "Berg",
  "Patel",
];
const DOMAINS = [
  "gmail.example",
  "outlook.example",
  "yahoo.example",
  "proton.example",
  "mail.example",
  "web.example",
  "icloud.example",
  "corp.example",
];
const SUBJECTS = [
  "Your receipt",
  "Password reset",
  "Weekly newsletter",
  "Your order has shipped",
  "Welcome aboard",
  "Invoice available",
  "Reminder: your cart",
  "Security alert",
  "Event invitation",
  "Survey: how did we do?",
];
const CATEGORIES = ["{transactional}", "{marketing}", "{newsletter}", "{transactional,orders}", "{billing}", "{}"];

const sqlArray = (items: readonly string[]) => `ARRAY[${items.map((s) => `'${s.replace(/'/g, "''")}'`).join(",")}]::text[]`;

/** Replaces all message activity. perAccount: average rows per generated account (0 for none). */
export async function loadMessageActivity(client: pg.Client, perAccount: number): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("TRUNCATE message_activity RESTART IDENTITY");
    const fixtures = await client.query(
      `INSERT INTO message_activity (account_id, recipient_email, recipient_name, subject, categories, ip, sent_at)
       SELECT f.account_id, f.recipient_email, f.recipient_name, f.subject, f.categories, f.ip, f.sent_at
       FROM jsonb_to_recordset($1::jsonb) AS f(account_id int, recipient_email text, recipient_name text, subject text, categories text[], ip text, sent_at timestamptz)
       WHERE EXISTS (SELECT 1 FROM account a WHERE a.id = f.account_id)`,
      [
        JSON.stringify(
          FIXTURE_ACTIVITY.map((r) => ({
            account_id: r.accountId,
            recipient_email: r.recipientEmail,
            recipient_name: r.recipientName,
            subject: r.subject,
            categories: r.categories,
            ip: r.ip,
            sent_at: r.sentAt,
          })),
        ),
      ],
    );
    let generated = 0;
    if (perAccount > 0) {
      // Building the indexes once afterwards is far faster than maintaining
      // them row by row: drop them (whatever the migrations define), recreate below.
      const { rows: indexes } = await client.query<{ name: string; definition: string }>(
        `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = 'message_activity'::regclass AND NOT x.indisprimary`,
      );
      for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
      // h: a non-negative 62-bit hash per (account, message); its bits pick the fields.
      const result = await client.query(
        `INSERT INTO message_activity (account_id, recipient_email, recipient_name, subject, categories, ip, sent_at)
         SELECT id,
                lower(translate(fn, 'üéá', 'uea')) || '.' || lower(translate(ln, 'üéá', 'uea')) || (h >> 20) % 50 || '@' || (${sqlArray(DOMAINS)})[1 + (h >> 8) % ${DOMAINS.length}],
                fn || ' ' || ln,
                (${sqlArray(SUBJECTS)})[1 + (h >> 14) % ${SUBJECTS.length}],
                ((${sqlArray(CATEGORIES)})[1 + (h >> 26) % ${CATEGORIES.length}])::text[],
                '198.51.' || (h >> 30) % 256 || '.' || (h >> 38) % 254 + 1,
                least(now(), signed_up_at + make_interval(secs => ((h >> 40) % 94608000)::double precision))
         FROM (
           SELECT a.id, a.signed_up_at, g.h,
                  (${sqlArray(FIRST)})[1 + g.h % ${FIRST.length}] AS fn,
                  (${sqlArray(LAST)})[1 + (g.h >> 4) % ${LAST.length}] AS ln
           FROM account a
           CROSS JOIN LATERAL (
             SELECT hashint8extended(a.id::bigint * 4096 + n, 7) & 4611686018427387903 AS h
             FROM generate_series(1, ((hashint4(a.id) & 2147483647) % ${2 * perAccount + 1})::int) AS n
           ) g
           WHERE a.id >= 1000000
         ) s`,
      );
      generated = result.rowCount ?? 0;
      for (const index of indexes) await client.query(index.definition);
    }
    await client.query("COMMIT");
    await client.query("ANALYZE message_activity");
    return (fixtures.rowCount ?? 0) + generated;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
