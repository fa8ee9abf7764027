import type { ChainedEvent } from "./chain";

/**
 * A reset record's fields that its audit event repeats, compared the same way
 * by the chain verification (chain-report.ts) and the offline export verifier
 * (verify-export.ts). The event is the proof; the record is the app's to
 * change, so a difference points at the record. Pure.
 */
export interface ResetRecordFacts {
  outcome: string;
  accountId: number;
  ticketId: string;
  actorId: string | null;
  actorName: string;
  actorEmail: string;
  requestId: string;
  clientIp: string | null;
  userAgent: string | null;
  added: string[];
  removed: string[];
}

/** The same fields as read from anywhere (an export's JSON, a database row), not yet trusted to have their types. */
export type ResetRecordFields = { [K in keyof ResetRecordFacts]: unknown };

export interface ResetFieldDifference {
  /** The reset record's column, as an export names it. */
  column: string;
  /** The field in words. */
  label: string;
  inEvent: unknown;
  inRecord: unknown;
  /** A list of scopes (added or removed) rather than one value. */
  list: boolean;
}

type Single = Exclude<keyof ResetRecordFacts, "added" | "removed">;

const SINGLE_FIELDS: readonly { key: Single; column: string; label: string; inEvent: (e: ChainedEvent) => unknown }[] = [
  { key: "outcome", column: "outcome", label: "outcome", inEvent: (e) => e.action.replace(/^scope_reset\./, "") },
  { key: "accountId", column: "account_id", label: "account", inEvent: (e) => e.targetId },
  { key: "ticketId", column: "ticket_id", label: "ticket", inEvent: (e) => e.ticketId },
  { key: "actorId", column: "actor_id", label: "actor id", inEvent: (e) => e.actorId },
  { key: "actorName", column: "actor_name", label: "actor name", inEvent: (e) => e.actorName },
  { key: "actorEmail", column: "actor_email", label: "actor e-mail", inEvent: (e) => e.actorEmail },
  { key: "requestId", column: "request_id", label: "request id", inEvent: (e) => e.requestId },
  { key: "clientIp", column: "client_ip", label: "IP", inEvent: (e) => e.ip },
  { key: "userAgent", column: "user_agent", label: "user agent", inEvent: (e) => e.userAgent },
];

function plainText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : String(v);
}

/**
 * Where a reset record and its audit event disagree. `details` is the event's
 * details as parsed by the caller; `asText` turns a value into comparable text
 * (the export verifier's keeps big numbers exact).
 */
export function resetEventDifferences(
  event: ChainedEvent,
  details: Record<string, unknown>,
  record: ResetRecordFields,
  asText: (v: unknown) => string | null = plainText,
): ResetFieldDifference[] {
  const out: ResetFieldDifference[] = [];
  for (const f of SINGLE_FIELDS) {
    const inEvent = f.inEvent(event);
    const inRecord = record[f.key];
    if ((asText(inEvent) ?? "") !== (asText(inRecord) ?? "")) {
      out.push({ column: f.column, label: f.label, inEvent, inRecord, list: false });
    }
  }
  for (const key of ["added", "removed"] as const) {
    const inEvent = details[key];
    const inRecord = record[key];
    if (!Array.isArray(inEvent) || !Array.isArray(inRecord)) continue;
    const sorted = (list: unknown[]) =>
      list
        .map((s) => asText(s) ?? "")
        .sort()
        .join(" ");
    if (sorted(inEvent) !== sorted(inRecord)) out.push({ column: key, label: key, inEvent, inRecord, list: true });
  }
  return out;
}
