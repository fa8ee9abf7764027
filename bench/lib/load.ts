/**
 * HTTP load with autocannon, keeping every response time so the 95th
 * percentile is exact (autocannon's own summary stops at p90 / p97.5).
 */
import autocannon from "autocannon";
import { summarize, type LatencySummary } from "./harness";

export interface LoadOptions {
  baseUrl: string;
  /** Paths to rotate through, one per request. */
  paths: string[];
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds?: number;
}

export async function httpLoad(options: LoadOptions): Promise<LatencySummary & { non2xx: number }> {
  if (options.warmupSeconds) await once({ ...options, durationSeconds: options.warmupSeconds }, false);
  return once(options, true);
}

async function once(options: LoadOptions, record: boolean): Promise<LatencySummary & { non2xx: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        method: options.method ?? "GET",
        headers: options.headers,
        body: options.body,
        requests: [{ setupRequest: (request) => ({ ...request, path: options.paths[next++ % options.paths.length]! }) }],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      if (record) latencies.push(responseTime);
    });
  });
  const summary = summarize(latencies, result.errors + result.timeouts, performance.now() - started);
  return { ...summary, throughput: result.requests.average, non2xx: result.non2xx };
}
