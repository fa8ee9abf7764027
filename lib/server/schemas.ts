import { z } from "zod";

/** Shared input schemas for route handlers and pages. */
export const accountIdSchema = z
  .number({ message: "The account id must be a number." })
  .int("The account id must be a whole number.")
  .positive("The account id must be positive.")
  .max(2_147_483_647, "That account id is out of range.");

export const accountIdParams = z.object({
  id: z.string().regex(/^\d{1,10}$/, "The account id must be a number, e.g. 12345.").transform(Number).pipe(accountIdSchema),
});
