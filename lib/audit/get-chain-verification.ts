import "server-only";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import type { ChainReport } from "./chain-report";

/**
 * "Verify chain" runs as the audit page shows them (decision 036): status,
 * progress and, once done, the report in words.
 */
export interface ChainVerificationView {
  id: string;
  status: "queued" | "running" | "done" | "failed";
  requestedByName: string;
  /** The chain head's seq when the walk began (0 while queued). */
  totalEvents: number;
  checkedEvents: number;
  /** 0 to 100. */
  percent: number;
  report: ChainReport | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

type Row = Awaited<ReturnType<ReturnType<typeof getDb>["auditVerification"]["findFirstOrThrow"]>>;

export function toVerificationView(r: Row): ChainVerificationView {
  const total = Number(r.totalEvents);
  const checked = Number(r.checkedEvents);
  return {
    id: r.id,
    status: r.status,
    requestedByName: r.requestedByName,
    totalEvents: total,
    checkedEvents: checked,
    percent: r.status === "done" ? 100 : total > 0 ? Math.min(99, Math.floor((checked / total) * 100)) : 0,
    report: (r.result as ChainReport | null) ?? null,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export async function getChainVerification(id: string): Promise<ChainVerificationView> {
  const row = await getDb().auditVerification.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `No chain verification with id ${id}.`);
  return toVerificationView(row);
}

export async function latestChainVerification(): Promise<ChainVerificationView | null> {
  const row = await getDb().auditVerification.findFirst({ orderBy: { createdAt: "desc" } });
  return row ? toVerificationView(row) : null;
}
