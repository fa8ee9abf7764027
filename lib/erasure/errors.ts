/**
 * Error bodies of the customer API, shaped as the seed contract
 * (tsg_recipients_data_erasure_v3.yaml) says: {"errors":[{"message","field"}]}.
 * Pure; the /v3 pipeline (lib/http/v3/v3-errors.ts) turns a V3Error into the response.
 */
export interface V3ErrorItem {
  message: string;
  field: string;
}

export interface V3ErrorBody {
  errors: V3ErrorItem[];
}

export type V3ErrorStatus = 400 | 401 | 403 | 404 | 405 | 429 | 500;

export class V3Error extends Error {
  override name = "V3Error";
  constructor(
    readonly status: V3ErrorStatus,
    readonly errors: V3ErrorItem[],
    /** Headers the answer must carry besides the usual ones (e.g. Allow on a 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(errors.map((e) => e.message).join("; "));
  }

  get body(): V3ErrorBody {
    return { errors: this.errors };
  }
}

const one = (status: V3ErrorStatus, message: string, field = "") => new V3Error(status, [{ message, field }]);

export const v3Errors = {
  badRequest: (message: string, field = "") => one(400, message, field),
  /** Missing, malformed or unknown key: never says which. */
  unauthenticated: () => one(401, "Failed to authenticate"),
  notAuthorized: (message = "Not authorized") => one(403, message),
  notFound: (message = "Not Found", field = "") => one(404, message, field),
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new V3Error(405, [{ message: `Method ${method.slice(0, 20)} is not allowed here`, field: "" }], { allow: allowed.join(", ") }),
  tooManyRequests: () => one(429, "Too many requests"),
  internal: () => one(500, "Internal Server Error"),
};

export function isV3Error(error: unknown): error is V3Error {
  return error instanceof V3Error;
}
