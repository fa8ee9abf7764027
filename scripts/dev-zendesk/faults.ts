/**
 * Injected failures for tests and demos. A fault applies to the next `times`
 * API requests (/api/…, /oauth/…) whose path contains one of `paths` (and
 * whose method is `method`, when given); faults are used up in the order
 * they were added.
 *
 *   { "status": 429, "retryAfter": 2, "times": 3 }          rate limited three times
 *   { "status": 503, "paths": "comments" }                   the next comments read fails
 *   { "status": 500, "method": "PUT", "apply": true }        the note is added, then 500: the ambiguous case
 *   { "hang": true, "paths": "/api/v2/tickets/4242" }        never answers (until close)
 *   { "delayMs": 3000 }                                      answers normally, 3 s late
 */
import { z } from "zod";

export const faultSchema = z
  .strictObject({
    /** Answer with this status and a Zendesk error body instead. */
    status: z.number().int().min(400).max(599).optional(),
    /** Retry-After, in seconds, on the fault's answer. */
    retryAfter: z.number().int().min(0).max(86_400).optional(),
    times: z.number().int().min(1).max(10_000).default(1),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** Never answer; the connection stays open until the client gives up or the server closes. */
    hang: z.boolean().optional(),
    /** Do what the request asks first, then fail (status or hang): the write happened, the answer is lost. */
    apply: z.boolean().optional(),
    /** Substrings of the request path; default every API path. */
    paths: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    method: z.enum(["GET", "POST", "PUT"]).optional(),
  })
  .refine((f) => f.status !== undefined || f.hang === true || f.delayMs !== undefined, {
    error: "a fault needs a status, hang: true or delayMs",
  })
  .refine((f) => !(f.status !== undefined && f.hang === true), { error: "status and hang exclude each other" });

export type DevZendeskFaultInput = z.input<typeof faultSchema>;
export type DevZendeskFault = z.output<typeof faultSchema>;

export class FaultQueue {
  private faults: { fault: DevZendeskFault; left: number }[] = [];

  add(input: DevZendeskFaultInput): DevZendeskFault {
    const fault = faultSchema.parse(input);
    this.faults.push({ fault, left: fault.times });
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  /** What is still waiting to happen. */
  pending(): { fault: DevZendeskFault; left: number }[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault this request meets, if any; it counts as one of its `times`. */
  take(method: string, path: string): DevZendeskFault | undefined {
    const entry = this.faults.find(({ fault }) => {
      if (fault.method !== undefined && fault.method !== method) return false;
      const paths = fault.paths === undefined ? [] : [fault.paths].flat();
      return paths.length === 0 || paths.some((p) => path.includes(p));
    });
    if (!entry) return undefined;
    entry.left--;
    if (entry.left === 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.fault;
  }
}
