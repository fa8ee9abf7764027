/**
 * `npm run bench:session`: what the staff session check of decision 013 costs.
 *
 * 1. Timed calls in this process of the check itself (lib/auth/staff-sessions.ts),
 *    against the benchmark database as the app role: the cached answer (most
 *    requests), decrypting the token (first request of a token), reading the
 *    session and staff rows (once per session per cache window), and both.
 * 2. Against the production build: GET of an unknown /api path, which the
 *    catch-all answers right after the check (404 signed in, 401 signed out),
 *    at 1 and 20 clients, with and without a session cookie.
 *
 * BENCH_DATABASE_URL (default scopedesk_bench_session; local, never the demo
 * or test one, reached as a superuser like every benchmark), BENCH_PORT
 * (default 3650, and the next one for the IdP), --skip-build, --duration=<s>
 * (default 10). Not part of `npm test`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { loadDotEnv } from "../scripts/lib/env";
import { APP_ROLE, asRole } from "../scripts/lib/database-roles";
import { onShutdown } from "../scripts/lib/processes";
import { machineDescription, percentile, prepareBenchDatabase, round, sessionCookie, startStack, writeResults } from "./lib/harness";
import { httpLoad } from "./lib/load";

loadDotEnv();
const args = process.argv.slice(2);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/scopedesk_bench_session";
const port = Number(process.env.BENCH_PORT ?? 3650);
const duration = Number(args.find((a) => a.startsWith("--duration="))?.split("=")[1] ?? 10);

await prepareBenchDatabase(databaseUrl);

// The check reads its configuration from the environment when first used.
Object.assign(process.env, {
  SCOPEDESK_ENV: "development",
  DATABASE_URL: asRole(databaseUrl, APP_ROLE),
  AUTH_SECRET: randomBytes(32).toString("base64url"),
});
const { decode, encode } = await import("next-auth/jwt");
const { createStaffSessions, sessionClaimsFrom } = await import("../lib/auth/staff-sessions");
const { findLiveStaff, recordSignIn } = await import("../lib/auth/record-sign-in");
const { disconnectDb } = await import("../lib/platform/db");

interface Timing {
  what: string;
  calls: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

async function timed(what: string, calls: number, fn: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < Math.min(200, calls); i++) await fn(); // warm-up: JIT, connections
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { what, calls, p50Us: round(percentile(samples, 50), 1), p99Us: round(percentile(samples, 99), 1), meanUs: round(mean, 1) };
}

const identity = { subject: `bench#${randomUUID()}`, email: `bench-${randomUUID()}@scopedesk.test`, name: "Bench", role: "agent" as const };
const signedIn = (await recordSignIn(identity, { maxAgeSeconds: 3600 }, { requestId: "bench", ip: null, userAgent: "bench" }))!;
const COOKIE = "authjs.session-token";
const token = await encode({
  token: { sid: signedIn.sessionSecret, staffId: signedIn.staff.id, email: identity.email, name: identity.name, role: identity.role },
  secret: process.env.AUTH_SECRET!,
  salt: COOKIE,
  maxAge: 3600,
});
const cookies = { get: (name: string) => (name === COOKIE ? { value: token } : undefined), getAll: () => [{ name: COOKIE, value: token }] };
const secret = () => process.env.AUTH_SECRET!;
const shared = createStaffSessions({ secret, findLiveStaff });
const claims = sessionClaimsFrom(await decode({ token, secret: secret(), salt: COOKIE }))!;
const staffRow = await findLiveStaff(claims);
if (!staffRow) throw new Error("the benchmark's session is not live");

const inProcess: Timing[] = [
  await timed("cached (token decoded and session checked within the window)", 100_000, () => shared.authenticate(cookies)),
  await timed("token decrypted, no database read", 3_000, () =>
    createStaffSessions({ secret, findLiveStaff: async () => staffRow }).authenticate(cookies),
  ),
  await timed("database read only (staff_session ⋈ staff_user, through Prisma)", 3_000, () => findLiveStaff(claims)),
  await timed("uncached: decrypt + database read", 3_000, () => createStaffSessions({ secret, findLiveStaff }).authenticate(cookies)),
];
await disconnectDb();
for (const t of inProcess) console.log(`${t.what}: p50 ${t.p50Us} µs, p99 ${t.p99Us} µs, mean ${t.meanUs} µs (${t.calls} calls)`);

const stack = await startStack({ databaseUrl, port, idpPort: port + 1, distDir: ".next-bench", skipBuild: args.includes("--skip-build") });
onShutdown(() => stack.stop());
const http: {
  clients: number;
  session: string;
  p50: number;
  p95: number;
  p99: number;
  throughput: number;
  statuses: Record<string, number>;
}[] = [];
try {
  const cookie = await sessionCookie(stack.baseUrl, "agent@scopedesk.test");
  for (const connections of [1, 20]) {
    for (const [session, headers] of [
      ["signed in (404)", { cookie }],
      ["no cookie (401)", {}],
    ] as const) {
      const r = await httpLoad({
        baseUrl: stack.baseUrl,
        paths: ["/api/session-check-bench"],
        headers,
        connections,
        durationSeconds: duration,
        warmupSeconds: 2,
      });
      http.push({ clients: connections, session, p50: r.p50, p95: r.p95, p99: r.p99, throughput: r.throughput, statuses: r.statuses });
      console.log(`${connections} client(s), ${session}: p50 ${r.p50} ms, p95 ${r.p95} ms, ${r.throughput} req/s`);
    }
  }
} finally {
  await stack.stop();
}

const machine = await machineDescription(databaseUrl);
const markdown = [
  `# Staff session check, ${new Date().toISOString().slice(0, 10)} (one machine, one day)`,
  "",
  `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}. App role ${APP_ROLE}.`,
  "",
  "## The check in-process (lib/auth/staff-sessions.ts)",
  "",
  "| step | p50 µs | p99 µs | mean µs | calls |",
  "|---|---|---|---|---|",
  ...inProcess.map((t) => `| ${t.what} | ${t.p50Us} | ${t.p99Us} | ${t.meanUs} | ${t.calls} |`),
  "",
  "## Through the production build (GET of an unknown /api path: the session check, then 404 or 401)",
  "",
  "| clients | session | p50 / p95 / p99 ms | req/s | statuses |",
  "|---|---|---|---|---|",
  ...http.map((r) => `| ${r.clients} | ${r.session} | ${r.p50} / ${r.p95} / ${r.p99} | ${r.throughput} | ${JSON.stringify(r.statuses)} |`),
  "",
].join("\n");
const paths = writeResults("session-check", { machine, inProcess, http }, markdown);
console.log(`\n${markdown}\nwritten to ${paths.mdPath}`);
process.exit(0);
