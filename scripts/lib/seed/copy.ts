/**
 * COPY (text format) helpers shared by the seeders: value escaping, array
 * literals, and a writer that buffers rows into ~1 MiB chunks and respects
 * the stream's backpressure.
 */
import { once } from "node:events";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

const NEEDS_ESCAPE = /[\\\t\n\r]/;
export function copyText(value: string | number | boolean | null): string {
  if (value === null) return "\\N";
  if (typeof value !== "string") return String(value);
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

/** Buffers rows into ~1 MiB chunks and respects the COPY stream's backpressure. */
export class CopyWriter {
  private buffer: string[] = [];
  private size = 0;
  private constructor(
    private readonly stream: NodeJS.WritableStream & { end: () => void },
    private readonly done: Promise<unknown>,
  ) {}

  static open(client: pg.Client | pg.PoolClient, sql: string): CopyWriter {
    const stream = client.query(copyFrom(sql));
    const done = new Promise((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
    });
    return new CopyWriter(stream, done);
  }

  async row(values: (string | number | boolean | null)[]): Promise<void> {
    const line = `${values.map(copyText).join("\t")}\n`;
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await this.done;
  }
}
