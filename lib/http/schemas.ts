import { z } from "zod";
import { getConfig } from "@/lib/platform/config";
import { decodeSegment } from "./input";
import { familyResetRequestSchema, scopeResetRequestSchema } from "@/lib/scope-resets/request";
import { ticketRefSchema, TICKET_REF_MAX_LENGTH } from "@/lib/tickets/ticket-ref";

/** Shared input schemas for route handlers and pages. */
export const accountIdSchema = z
  .number({ message: "The account id must be a number." })
  .int("The account id must be a whole number.")
  .positive("The account id must be positive.")
  .max(2_147_483_647, "That account id is out of range.");

export const accountIdParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, "The account id must be a number, e.g. 12345.")
    .transform(Number)
    .pipe(accountIdSchema),
});

export const uuidParams = z.object({ id: z.uuid("The id must be a UUID.") });

/** Built on use: the helpdesk base URL comes from the runtime configuration. */
export const scopeResetBody = () => scopeResetRequestSchema(getConfig().helpdesk);
export const familyResetBody = () => familyResetRequestSchema(getConfig().helpdesk);

export const ticketParams = () =>
  z.object({
    ref: z
      .string()
      .max(TICKET_REF_MAX_LENGTH * 3, "The ticket reference is too long.")
      // Next hands dynamic segments over still percent-encoded; a malformed one is judged as it is.
      .transform((value) => decodeSegment(value) ?? value)
      .pipe(ticketRefSchema(getConfig().helpdesk)),
  });
