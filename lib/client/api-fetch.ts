import type { ApiErrorBody, ApiErrorCode, CommonErrors, ErrorDetailsMap } from "@/lib/platform/errors";

/** Every code an /api call can fail with, as the browser sees it: the server's, or the two the client adds. */
export type ClientErrorCode = ApiErrorCode | "network" | "http_error";

/**
 * An /api error as the browser sees it: status, code and a message safe to
 * show. `E` is the endpoint's declared error details (for example
 * `ResetScopesErrors`), read through `detailsFor`.
 */
export class ApiError<E extends ErrorDetailsMap = CommonErrors> extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly requestId: string | null,
    private readonly details?: unknown,
  ) {
    super(message);
  }

  /** The details this error carries when its code is `code`, as the endpoint declares them; otherwise undefined. */
  detailsFor<C extends keyof E & string>(code: C): E[C] | undefined {
    return (this.code as string) === code ? (this.details as E[C] | undefined) : undefined;
  }
}

/**
 * What a page that is not the console itself (the Zendesk sidebar, decision
 * 030) adds to every call: its session and CSRF headers, and what to do when
 * the session ends instead of going to sign-in.
 */
const pageSettings: { headers: Record<string, string>; onUnauthenticated: (() => void) | null } = { headers: {}, onUnauthenticated: null };

export function configureApiFetch(settings: { headers?: Record<string, string>; onUnauthenticated?: () => void }): void {
  if (settings.headers) pageSettings.headers = { ...pageSettings.headers, ...settings.headers };
  if (settings.onUnauthenticated) pageSettings.onUnauthenticated = settings.onUnauthenticated;
}

export async function apiFetch<T, E extends ErrorDetailsMap = CommonErrors>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: {
        accept: "application/json",
        ...(init?.body ? { "content-type": "application/json" } : {}),
        ...pageSettings.headers,
        ...init?.headers,
      },
    });
  } catch (error) {
    // A cancelled query stays a cancellation (TanStack Query ignores it); anything else is the network.
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError<E>(0, "network", "Scopedesk could not be reached. Check your connection and try again.", null);
  }
  if (response.ok) return (await response.json()) as T;
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await response.json()) as ApiErrorBody;
  } catch {
    // not JSON: fall back to the status line
  }
  if (response.status === 401 && pageSettings.onUnauthenticated) {
    pageSettings.onUnauthenticated();
  } else if (response.status === 401 && typeof window !== "undefined") {
    // The session ended: a full page load (not a client navigation) so the
    // server sees the missing session and the sign-in flow starts clean.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/signin?callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  throw new ApiError<E>(
    response.status,
    body.error?.code ?? "http_error",
    body.error?.message ?? `Request failed (${response.status} ${response.statusText}).`,
    body.error?.requestId ?? response.headers.get("x-request-id"),
    body.error?.details,
  );
}

/** A query's or mutation's error as an ApiError: anything else (a bug in the page) is shown as a generic failure. */
export function asApiError<E extends ErrorDetailsMap = CommonErrors>(error: unknown): ApiError<E> | null {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError) return error as ApiError<E>;
  return new ApiError<E>(0, "http_error", "Something went wrong in this page. Reload it and try again.", null);
}
