import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/server/api";
import { requestMetaFrom } from "@/lib/server/request-meta";
import { getStaff } from "@/lib/server/session";

// Unknown /api paths answer in JSON like every other endpoint: 401 to a
// signed-out caller (nothing about the API is revealed), 404 otherwise.
async function notFound(request: Request): Promise<Response> {
  const meta = requestMetaFrom(request.headers);
  const staff = await getStaff();
  return errorResponse(
    staff
      ? new AppError("not_found", `There is no API endpoint ${request.method} ${new URL(request.url).pathname}.`)
      : new AppError("unauthenticated", "Sign in to use the Scopedesk API."),
    meta,
  );
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
