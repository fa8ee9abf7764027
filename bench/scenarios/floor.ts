/**
 * The pipeline's floor: GET /api/me, a signed-in request that passes the
 * whole /api pipeline (request context, staff session, permission) and reads
 * nothing else, so every console scenario can be set against what any
 * request costs here. Signed out, the same path answers 401 right after the
 * session check: the session check's own share.
 */
import { httpLoad } from "../lib/load";
import type { ScenarioResult } from "./accounts";

export const FLOOR_SCENARIO = "pipeline floor: GET /api/me (signed in)";

export async function floorScenarios(input: {
  baseUrl: string;
  cookie: string;
  durationSeconds: number;
  concurrencies: number[];
  appPid?: number;
}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const concurrency of input.concurrencies) {
    const load = (headers: Record<string, string>) =>
      httpLoad({
        baseUrl: input.baseUrl,
        paths: ["/api/me"],
        headers,
        connections: concurrency,
        durationSeconds: input.durationSeconds,
        warmupSeconds: 2,
        cpuOfPid: input.appPid,
      });
    const signedIn = await load({ cookie: input.cookie });
    results.push({ scenario: FLOOR_SCENARIO, concurrency, app: signedIn, cpu: signedIn.cpu });
    const signedOut = await load({});
    // 401 is the expected answer here, not an error.
    results.push({
      scenario: "session check: GET /api/me signed out (401)",
      concurrency,
      app: { ...signedOut, non2xx: signedOut.non2xx - (signedOut.statuses["401"] ?? 0) },
      cpu: signedOut.cpu,
    });
  }
  return results;
}
