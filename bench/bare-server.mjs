// The bench's baselines for the erasure request, each its own process
// started by bench/scenarios/erasure.ts:
//   node bench/bare-server.mjs <port>               reads and parses the same JSON body and answers 202
//                                                   with a job id: no auth, no validation, no database.
//   node bench/bare-server.mjs <port> <databaseUrl> the same, and stores the addresses as the app's request
//                                                   does (one erase_job row, the same insert): the least
//                                                   any erasure request must do, with the app removed.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import pg from "pg";

const port = Number(process.argv[2] ?? 3251);
const databaseUrl = process.argv[3];
const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 10 }) : null;
// The bench's own accounts (bench/scenarios/erasure.ts), rotated like the app's requests.
const FIRST_BENCH_ID = 90_000_000;
const ACCOUNTS = 3000;
let next = 0;

async function store(addresses) {
  const id = randomUUID();
  await pool.query({
    name: "enqueue-erase-job",
    text: `INSERT INTO erase_job (id, account_id, on_behalf_of_account_id, api_key_id, addresses, address_count)
           VALUES ($1::uuid, $2, $3, $4, $5, $6)`,
    values: [id, FIRST_BENCH_ID + (next++ % ACCOUNTS), null, null, addresses.join("\n"), addresses.length],
  });
  return id;
}

createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (!Array.isArray(body.email_addresses)) throw new Error("no list");
      const id = pool ? await store(body.email_addresses) : randomUUID();
      res.writeHead(202, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: id }));
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"errors":[{"message":"bad","field":""}]}');
    }
  });
}).listen(port, "127.0.0.1", () => console.log(`bare server on ${port}${pool ? " (storing the row)" : ""}`));
