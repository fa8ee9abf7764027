/**
 * The audit workspace's filters: one schema for the /audit page, the JSON API
 * and the export, so a bookmarked page, an API call and a download with the
 * same query string always mean the same set of resets.
 *
 * Pure: no database, no clock unless given one (`now`).
 */
import { z } from "zod";
import { parseInstant } from "@/lib/accounts/cutoff";
import { parseTicketRef } from "@/lib/tickets/ticket-ref";

export const AUDIT_RANGE_PRESETS = ["today", "7d", "30d", "all"] as const;
export type AuditRangePreset = (typeof AUDIT_RANGE_PRESETS)[number];
export const AUDIT_OUTCOMES = ["succeeded", "failed"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export const EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The query parameters that select resets (cursor, limit and format only page or shape them). */
export const FILTER_PARAMS = ["range", "from", "to", "agent", "account", "ticket", "outcome"] as const;
export type FilterParam = (typeof FILTER_PARAMS)[number];

export const MAX_PARAM_LENGTH = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Nothing in Scopedesk predates this; earlier dates are typing mistakes. */
export const EARLIEST_DATE = new Date("2020-01-01T00:00:00Z");
const DAY_MS = 86_400_000;
const USERNAME = /^[A-Za-z0-9._@+-]{1,100}$/;
const ACCOUNT_ID = /^[1-9][0-9]{0,9}$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// The ticket id is all a filter needs: any Zendesk ticket URL names one.
const ANY_HELPDESK = { baseUrl: "https://filter.zendesk.com", allowedSubdomains: "any" } as const;

export type AccountFilter = { id: number } | { username: string };

/** A parsed filter: the range is half-open, [from, to). */
export interface AuditFilter {
  range: AuditRangePreset | "custom";
  from: Date | null;
  to: Date | null;
  agent: string | null;
  account: AccountFilter | null;
  ticket: string | null;
  outcome: AuditOutcome | null;
  /** The normalised query parameters, in FILTER_PARAMS order: what links and cursors are built from. */
  params: Partial<Record<FilterParam, string>>;
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface AuditListQuery {
  filter: AuditFilter;
  cursor: Cursor | null;
  limit: number;
}

export interface AuditExportQuery {
  filter: AuditFilter;
  format: ExportFormat;
}

/** A single, not-too-long value; empty means "not set" (an HTML form sends every field). */
function param(name: string) {
  return z
    .union([z.string(), z.array(z.string())], { error: `${name} must be text.` })
    .optional()
    .transform((value, ctx) => {
      if (Array.isArray(value)) {
        ctx.addIssue({ code: "custom", message: `Give ${name} at most once.` });
        return z.NEVER;
      }
      const text = value?.trim() ?? "";
      if (text.length > MAX_PARAM_LENGTH) {
        ctx.addIssue({ code: "custom", message: `${name} is too long (at most ${MAX_PARAM_LENGTH} characters).` });
        return z.NEVER;
      }
      return text === "" ? undefined : text;
    });
}

function startOfUtcDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

/** `YYYY-MM-DD` (a whole UTC day) or an ISO instant with a zone. `end` turns a day into the start of the next one. */
function parseDateParam(text: string, end: boolean): Date | string {
  const day = DATE_ONLY.exec(text);
  if (day) {
    try {
      const start = parseInstant(`${text}T00:00:00Z`);
      return end ? new Date(start.getTime() + DAY_MS) : start;
    } catch {
      return `${JSON.stringify(text)} is not a calendar date.`;
    }
  }
  try {
    return parseInstant(text);
  } catch {
    return `${JSON.stringify(text.slice(0, 40))} is not a date: use YYYY-MM-DD or an ISO 8601 time with a zone, e.g. 2026-11-01T09:30:00Z.`;
  }
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function presetFrom(preset: AuditRangePreset, now: Date): Date | null {
  const today = startOfUtcDay(now);
  if (preset === "today") return today;
  if (preset === "7d") return new Date(today.getTime() - 6 * DAY_MS);
  if (preset === "30d") return new Date(today.getTime() - 29 * DAY_MS);
  return null;
}

const filterShape = {
  range: param("range"),
  from: param("from"),
  to: param("to"),
  agent: param("agent"),
  account: param("account"),
  ticket: param("ticket"),
  outcome: param("outcome"),
};

type RawFilter = { [K in FilterParam]?: string };

function resolveFilter(raw: RawFilter, now: Date, ctx: z.RefinementCtx): AuditFilter | null {
  let ok = true;
  const fail = (path: string, message: string) => {
    ctx.addIssue({ code: "custom", path: [path], message });
    ok = false;
  };
  const params: Partial<Record<FilterParam, string>> = {};

  let range: AuditFilter["range"] = "all";
  let from: Date | null = null;
  let to: Date | null = null;
  if (raw.range !== undefined) {
    if (!(AUDIT_RANGE_PRESETS as readonly string[]).includes(raw.range)) {
      fail("range", `range must be one of ${AUDIT_RANGE_PRESETS.join(", ")}.`);
    } else if (raw.from !== undefined || raw.to !== undefined) {
      fail("range", "Choose a preset range or from/to dates, not both.");
    } else {
      range = raw.range as AuditRangePreset;
      from = presetFrom(range, now);
      if (range !== "all") params.range = range;
    }
  } else if (raw.from !== undefined || raw.to !== undefined) {
    range = "custom";
    const latest = new Date(startOfUtcDay(now).getTime() + 2 * DAY_MS);
    for (const [key, end] of [
      ["from", false],
      ["to", true],
    ] as const) {
      const text = raw[key];
      if (text === undefined) continue;
      const parsed = parseDateParam(text, end);
      if (typeof parsed === "string") {
        fail(key, `${key}: ${parsed}`);
        continue;
      }
      if (parsed < EARLIEST_DATE || parsed > latest) {
        fail(key, `${key} must be between ${isoDay(EARLIEST_DATE)} and tomorrow (got ${text}).`);
        continue;
      }
      if (key === "from") from = parsed;
      else to = parsed;
      params[key] = text;
    }
    if (from && to && from.getTime() >= to.getTime()) {
      fail("to", `The date range is inverted or empty: from ${raw.from} is not before to ${raw.to}.`);
    }
  }

  let agent: string | null = null;
  if (raw.agent !== undefined) {
    const parsed = z.uuid().safeParse(raw.agent.toLowerCase());
    if (!parsed.success) fail("agent", "agent must be a staff member's id (a UUID).");
    else params.agent = agent = parsed.data;
  }

  let account: AccountFilter | null = null;
  if (raw.account !== undefined) {
    if (ACCOUNT_ID.test(raw.account) && Number(raw.account) <= 2_147_483_647) {
      account = { id: Number(raw.account) };
      params.account = raw.account;
    } else if (USERNAME.test(raw.account) && !/^\d+$/.test(raw.account)) {
      account = { username: raw.account.toLowerCase() };
      params.account = account.username;
    } else {
      fail("account", "account must be an account id (a number) or a username (letters, digits, . _ @ + -).");
    }
  }

  let ticket: string | null = null;
  if (raw.ticket !== undefined) {
    const parsed = parseTicketRef(raw.ticket, ANY_HELPDESK);
    if (!parsed.ok) fail("ticket", `ticket: ${parsed.error}`);
    else params.ticket = ticket = parsed.ticketId;
  }

  let outcome: AuditOutcome | null = null;
  if (raw.outcome !== undefined) {
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(raw.outcome)) fail("outcome", `outcome must be ${AUDIT_OUTCOMES.join(" or ")}.`);
    else params.outcome = outcome = raw.outcome as AuditOutcome;
  }

  return ok ? { range, from, to, agent, account, ticket, outcome, params } : null;
}

/** Identifies a filter: a cursor carries it and is refused under any other filter. */
export function filterKey(filter: Pick<AuditFilter, "params">): string {
  const text = FILTER_PARAMS.map((k) => `${k}=${filter.params[k] ?? ""}`).join("&");
  return hash53(text).toString(36);
}

/** cyrb53: a fast, well-mixed 53-bit string hash (not a secret; the server checks visibility on every page). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function toBase64Url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** The opaque cursor for the page after `last`, bound to the filter. */
export function encodeCursor(filter: Pick<AuditFilter, "params">, last: Cursor): string {
  return toBase64Url(JSON.stringify({ k: filterKey(filter), t: last.createdAt.toISOString(), i: last.id }));
}

export type CursorResult = { ok: true; cursor: Cursor } | { ok: false; message: string };

export function decodeCursor(text: string, filter: Pick<AuditFilter, "params">): CursorResult {
  const malformed = {
    ok: false as const,
    message: "The cursor is malformed: use the nextCursor of a previous page, or leave it out for the first page.",
  };
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return malformed;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return malformed;
  }
  const shape = z.object({ k: z.string(), t: z.iso.datetime(), i: z.uuid() }).strict().safeParse(value);
  if (!shape.success) return malformed;
  if (shape.data.k !== filterKey(filter)) {
    return { ok: false, message: "The cursor belongs to a different filter: start again from the first page of this filter." };
  }
  const createdAt = new Date(shape.data.t);
  // No row is older, and a year-0000 cursor would reach Postgres as a date it refuses (22008).
  if (createdAt < EARLIEST_DATE) return malformed;
  return { ok: true, cursor: { createdAt, id: shape.data.i } };
}

export interface SchemaOptions {
  /** The clock for presets and date bounds; read at each parse. */
  now?: () => Date;
}

/** List (page and API): the filter plus `cursor` and `limit`. Unknown parameters are refused. */
export function auditListQuerySchema(options: SchemaOptions = {}) {
  const now = options.now ?? (() => new Date());
  return z
    .object({ ...filterShape, cursor: param("cursor"), limit: param("limit") })
    .strict()
    .transform((raw, ctx): AuditListQuery => {
      const filter = resolveFilter(raw, now(), ctx);
      let limit = DEFAULT_PAGE_SIZE;
      if (raw.limit !== undefined) {
        if (!/^\d{1,4}$/.test(raw.limit) || Number(raw.limit) < 1 || Number(raw.limit) > MAX_PAGE_SIZE) {
          ctx.addIssue({ code: "custom", path: ["limit"], message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.` });
          return z.NEVER;
        }
        limit = Number(raw.limit);
      }
      if (!filter) return z.NEVER;
      let cursor: Cursor | null = null;
      if (raw.cursor !== undefined) {
        const decoded = decodeCursor(raw.cursor, filter);
        if (!decoded.ok) {
          ctx.addIssue({ code: "custom", path: ["cursor"], message: decoded.message });
          return z.NEVER;
        }
        cursor = decoded.cursor;
      }
      return { filter, cursor, limit };
    });
}

/** Export: the filter plus `format` (csv or jsonl). The whole filtered set, so no cursor or limit. */
export function auditExportQuerySchema(options: SchemaOptions = {}) {
  const now = options.now ?? (() => new Date());
  return z
    .object({ ...filterShape, format: param("format") })
    .strict()
    .transform((raw, ctx): AuditExportQuery => {
      const filter = resolveFilter(raw, now(), ctx);
      if (raw.format === undefined || !(EXPORT_FORMATS as readonly string[]).includes(raw.format)) {
        ctx.addIssue({ code: "custom", path: ["format"], message: `format must be ${EXPORT_FORMATS.join(" or ")}.` });
        return z.NEVER;
      }
      if (!filter) return z.NEVER;
      return { filter, format: raw.format as ExportFormat };
    });
}

/** The filter alone (account timeline, charts): no cursor, limit or format. */
export function auditFilterSchema(options: SchemaOptions = {}) {
  const now = options.now ?? (() => new Date());
  return z
    .object(filterShape)
    .strict()
    .transform((raw, ctx): AuditFilter => resolveFilter(raw, now(), ctx) ?? z.NEVER);
}

/** Query string for a filter (plus extras such as cursor or format), in a stable order. */
export function filterSearchParams(filter: Pick<AuditFilter, "params">, extra: Record<string, string | undefined> = {}): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of FILTER_PARAMS) {
    const value = filter.params[key];
    if (value !== undefined) query.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) query.set(key, value);
  return query;
}
