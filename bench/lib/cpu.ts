/**
 * CPU time spent per request by each party on this one machine: the app's
 * server processes, PostgreSQL's processes and the load generator (this
 * process). With app, database and load sharing the same cores, this shows
 * the throughput the machine can give the same work at best
 * (cores × 1000 ms ÷ CPU ms per request), whatever the code does with its time.
 * Read from /proc (Linux only): utime + stime of each process, in clock ticks.
 */
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { round } from "./harness";

/** Linux's USER_HZ; 100 on every x86-64 and arm64 kernel (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100;

interface ProcessRow {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process itself. */
  cpuMs: number;
  /** cutime + cstime: the CPU of its children that have exited and been waited for. */
  reapedMs: number;
}

function processes(): Map<number, ProcessRow> {
  const rows = new Map<number, ProcessRow>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      // Fields after the command: state ppid … utime stime cutime cstime (the 14th to 17th fields overall).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
      rows.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(fields[1]),
        comm,
        cpuMs: ms(Number(fields[11]) + Number(fields[12])),
        reapedMs: ms(Number(fields[13]) + Number(fields[14])),
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return rows;
}

function appTree(rows: Map<number, ProcessRow>, rootPid: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const row of rows.values()) children.set(row.ppid, [...(children.get(row.ppid) ?? []), row.pid]);
  const tree = new Set<number>();
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (!rows.has(pid) || tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU used between two snapshots by a set of processes, exact even when some
 * start or exit in between (PostgreSQL's backends do, when a pool closes): a
 * process's CPU counts from its first appearance, and one that exited counts
 * through its parent's reaped-children time, less what it had used before.
 */
function usedBetween(before: Map<number, ProcessRow>, after: Map<number, ProcessRow>, member: (row: ProcessRow) => boolean): number {
  let used = 0;
  for (const row of after.values()) {
    if (!member(row)) continue;
    const earlier = before.get(row.pid);
    used += row.cpuMs - (earlier?.cpuMs ?? 0) + (row.reapedMs - (earlier?.reapedMs ?? 0));
  }
  for (const row of before.values()) if (member(row) && !after.has(row.pid)) used -= row.cpuMs;
  return used;
}

export interface CpuPerRequest {
  /** CPU ms per request of the app's server processes. */
  appMs: number;
  /** CPU ms per request of all PostgreSQL processes (backends, WAL writer, checkpointer…). */
  postgresMs: number;
  /** CPU ms per request of the load generator. */
  loadMs: number;
  /** cores × 1000 ÷ (app + PostgreSQL + load): the most requests per second this machine gives the same work. */
  machineCapacityPerSecond: number;
  /** The same without the load generator (as if it ran elsewhere). */
  capacityWithoutLoadPerSecond: number;
}

/** Starts counting; `stop(requests)` gives CPU per request since the start. */
export function cpuMeter(appRootPid: number): { stop(requests: number): CpuPerRequest } {
  const before = processes();
  const appBefore = appTree(before, appRootPid);
  const load = process.cpuUsage();
  return {
    stop(requests) {
      const after = processes();
      const loadUsage = process.cpuUsage(load);
      const app = new Set([...appBefore, ...appTree(after, appRootPid)]);
      const n = Math.max(1, requests);
      const appMs = usedBetween(before, after, (r) => app.has(r.pid)) / n;
      const postgresMs = usedBetween(before, after, (r) => r.comm === "postgres") / n;
      const loadMs = (loadUsage.user + loadUsage.system) / 1000 / n;
      const cores = os.cpus().length;
      return {
        appMs: round(appMs, 2),
        postgresMs: round(postgresMs, 2),
        loadMs: round(loadMs, 2),
        machineCapacityPerSecond: round((cores * 1000) / Math.max(0.01, appMs + postgresMs + loadMs), 1),
        capacityWithoutLoadPerSecond: round((cores * 1000) / Math.max(0.01, appMs + postgresMs), 1),
      };
    },
  };
}
