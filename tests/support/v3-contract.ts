import { readFileSync } from "node:fs";
import { OpenAPIBackend } from "openapi-backend";
import { expect } from "vitest";
import { parse } from "yaml";
import { BASE_URL } from "./http-session";

/**
 * Checks customer-API responses against the seed contract
 * (docs/seeds/tsg_recipients_data_erasure_v3.yaml) with openapi-backend:
 * status documented, headers (X-RateLimit-*, X-Envoy-Ratelimited on 429) and
 * body schema. The contract is OpenAPI 3.1, which openapi-backend's document
 * check does not know ("info.summary"), so it loads in quick mode: no
 * document check, schemas compiled on first use.
 */
const SPEC_PATH = new URL("../../docs/seeds/tsg_recipients_data_erasure_v3.yaml", import.meta.url);
export const spec = parse(readFileSync(SPEC_PATH, "utf8")) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
};

export const ERASE_OPERATION = "EraseRecipientEmailData";
export const ERASE_STATUS_OPERATION = "GetEraseJobStatus";

/**
 * GET /v3/recipients/erasejob/{job_id} is ours, not in the seed contract: it
 * is described here in the contract's own style (its error answers, its
 * rate-limit headers, on-behalf-of), so its answers are checked the same way.
 */
const errorRefs = Object.fromEntries(
  ["400", "401", "403", "404", "429", "500"].map((status) => [status, { $ref: `#/components/responses/RecipientsDataErasure${status}` }]),
);
const rateLimitHeaders = (spec as unknown as { components: { responses: Record<string, { headers: unknown }> } }).components.responses
  .RecipientsDataErasure400!.headers;
spec.paths["/v3/recipients/erasejob/{job_id}"] = {
  get: {
    operationId: ERASE_STATUS_OPERATION,
    parameters: [
      { name: "job_id", in: "path", required: true, schema: { type: "string" } },
      { $ref: "#/components/parameters/OnBehalfOf" },
    ],
    responses: {
      "200": {
        description: "The job's state and counts, never its addresses",
        headers: rateLimitHeaders,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              required: ["job_id", "status", "email_address_count", "records_erased", "created_at", "started_at", "finished_at"],
              properties: {
                job_id: { type: "string" },
                status: { type: "string", enum: ["queued", "running", "done", "failed"] },
                email_address_count: { type: "integer", minimum: 1 },
                records_erased: { type: "integer", minimum: 0 },
                created_at: { type: "string" },
                started_at: { type: ["string", "null"] },
                finished_at: { type: ["string", "null"] },
              },
            },
          },
        },
      },
      ...errorRefs,
    },
  } as never,
};

const api = new OpenAPIBackend({ definition: spec as never, quick: true });
const ready = api.init();

export interface CheckedResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Reads a fetch response and asserts it matches the contract; returns status, headers and parsed body. */
export async function expectContract(response: Response, operationId = ERASE_OPERATION): Promise<CheckedResponse> {
  await ready;
  const text = await response.text();
  const body: unknown = text === "" ? undefined : JSON.parse(text);
  checkAgainstContract({ status: response.status, headers: response.headers, body }, operationId);
  return { status: response.status, headers: response.headers, body };
}

export function checkAgainstContract(r: CheckedResponse, operationId = ERASE_OPERATION): void {
  const operation =
    operationId === ERASE_STATUS_OPERATION
      ? spec.paths["/v3/recipients/erasejob/{job_id}"]!.get!
      : spec.paths["/v3/recipients/erasejob"]!.post!;
  const documented = Object.keys(operation.responses);
  expect(documented, `status ${r.status} is not in the contract`).toContain(String(r.status));
  expect(r.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  const headers = Object.fromEntries(r.headers.entries());
  const headerCheck = api.validator.validateResponseHeaders(headers, operationId, {
    statusCode: r.status,
    setMatchType: "superset" as never,
  });
  expect(headerCheck.errors ?? [], `headers of ${r.status}: ${JSON.stringify(headers)}`).toEqual([]);
  const bodyCheck = api.validator.validateResponse(r.body, operationId, r.status);
  expect(bodyCheck.errors ?? [], `body of ${r.status}: ${JSON.stringify(r.body)?.slice(0, 500)}`).toEqual([]);
  // Integers, as the contract types them, and consistent with each other.
  const limit = Number(r.headers.get("x-ratelimit-limit"));
  const remaining = Number(r.headers.get("x-ratelimit-remaining"));
  const reset = Number(r.headers.get("x-ratelimit-reset"));
  expect(limit).toBe(100);
  expect(remaining).toBeGreaterThanOrEqual(0);
  expect(remaining).toBeLessThanOrEqual(limit);
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(60);
  if (r.status === 429) expect(r.headers.get("x-envoy-ratelimited")).toBe("true");
}

export function v3(path: string, init: RequestInit & { key?: string | null; onBehalfOf?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (init.onBehalfOf !== undefined) headers.set("on-behalf-of", init.onBehalfOf);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${BASE_URL}${path}`, { ...init, headers, redirect: "manual" });
}

export function erase(
  key: string | null,
  emailAddresses: unknown,
  extra: { onBehalfOf?: string; rawBody?: string } = {},
): Promise<Response> {
  return v3("/v3/recipients/erasejob", {
    method: "POST",
    key,
    onBehalfOf: extra.onBehalfOf,
    body: extra.rawBody ?? JSON.stringify({ email_addresses: emailAddresses }),
  });
}

/** Waits for a fresh rate-limit window when the current one is nearly over, so a test's requests share one. */
export async function atStartOfWindowIfNeeded(minSeconds = 20): Promise<void> {
  const intoWindow = (Date.now() / 1000) % 60;
  if (60 - intoWindow < minSeconds) await new Promise((r) => setTimeout(r, (61 - intoWindow) * 1000));
}
