import type { ApiErrorBody } from "@/lib/platform/errors";

/** An /api error as the browser sees it: status, code and a message safe to show. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function apiFetch<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers },
  });
  if (response.ok) return (await response.json()) as T;
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await response.json()) as ApiErrorBody;
  } catch {
    // not JSON: fall back to the status line
  }
  if (response.status === 401 && typeof window !== "undefined") {
    // The session ended: a full page load (not a client navigation) so the
    // server sees the missing session and the sign-in flow starts clean.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/signin?callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  throw new ApiError(
    response.status,
    body.error?.code ?? "http_error",
    body.error?.message ?? `Request failed (${response.status} ${response.statusText}).`,
    body.error?.requestId ?? response.headers.get("x-request-id"),
    body.error?.details,
  );
}
