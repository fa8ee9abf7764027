import { v3Errors } from "@/lib/erasure/errors";
import { v3Route } from "@/lib/server/v3/route";

// Unknown /v3 paths: 401 without a valid key, else 404, in the API's own error shape.
const notFound = v3Route({}, async () => {
  throw v3Errors.notFound();
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
