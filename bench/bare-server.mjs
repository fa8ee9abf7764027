// The bench's baseline: a bare Node http server that only reads and parses
// the same JSON body and answers 202 with a job id — no auth, no validation,
// no database. Started by bench/erasure.ts as its own process.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 3251);
createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (!Array.isArray(body.email_addresses)) throw new Error("no list");
      res.writeHead(202, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: randomUUID() }));
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"errors":[{"message":"bad","field":""}]}');
    }
  });
}).listen(port, "127.0.0.1", () => console.log(`bare server on ${port}`));
