/**
 * HTTP load with autocannon, keeping every response time so the 95th
 * percentile is exact (autocannon's own summary stops at p90 / p97.5).
 */
import autocannon from "autocannon";
import { cpuMeter, type CpuPerRequest } from "./cpu";
import { round, summarize, type LatencySummary } from "./harness";

export interface LoadOptions {
  baseUrl: string;
  /** Paths to rotate through, one per request. */
  paths: string[];
  /** Extra headers per request (e.g. a different API key each time). */
  headersFor?: (i: number) => Record<string, string>;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds?: number;
  /** The app's server process: CPU per request of it, PostgreSQL and this process (after the warm-up). */
  cpuOfPid?: number;
}

type LoadResult = LatencySummary & { non2xx: number; statuses: Record<string, number>; cpu?: CpuPerRequest };

export async function httpLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds) await once({ ...options, durationSeconds: options.warmupSeconds }, false);
  return once(options, true);
}

async function once(options: LoadOptions, record: boolean): Promise<LoadResult> {
  const meter = record && options.cpuOfPid !== undefined ? cpuMeter(options.cpuOfPid) : null;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
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
        requests: [
          {
            setupRequest: (request) => {
              const i = next++;
              const path = options.paths[i % options.paths.length]!;
              return options.headersFor
                ? { ...request, path, headers: { ...request.headers, ...options.headersFor(i) } }
                : { ...request, path };
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on("response", (_client, status, _bytes, responseTime) => {
      if (!record) return;
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  const cpu = meter?.stop(latencies.length);
  const summary = summarize(latencies, result.errors + result.timeouts, performance.now() - started);
  return {
    ...(cpu ? { cpu } : {}),
    ...summary,
    throughput: round((latencies.length / Math.max(1, result.duration)) * 1, 1),
    non2xx: result.non2xx,
    statuses,
  };
}
