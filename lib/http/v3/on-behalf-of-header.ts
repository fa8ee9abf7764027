import { z } from "zod";
import { parseOnBehalfOf, type OnBehalfOf } from "@/lib/erasure/on-behalf-of";

/**
 * The on-behalf-of header at the edge: absent, or "<subuser username>", or
 * "account-id <account id>". What cannot be either by its form (too long,
 * empty, whitespace inside, an id that is no number) is bad input, a 400 on
 * the field `on-behalf-of`; a well-formed value that names no subuser of the
 * caller is the lookup's 404 (lib/api-keys/resolve-acting-account.ts), which
 * reveals nothing about other accounts.
 */
export const ON_BEHALF_OF_MAX_LENGTH = 150;
const ACCEPTED = `Use a subuser's username or "account-id <account id>".`;

export const onBehalfOfHeader = z
  .string()
  .max(ON_BEHALF_OF_MAX_LENGTH, { error: `on-behalf-of is longer than ${ON_BEHALF_OF_MAX_LENGTH} characters. ${ACCEPTED}` })
  .optional()
  .transform((value, ctx): OnBehalfOf | null => {
    const parsed = parseOnBehalfOf(value);
    if (parsed?.kind !== "invalid") return parsed;
    ctx.addIssue({ code: "custom", message: `on-behalf-of: ${parsed.reason} ${ACCEPTED}` });
    return z.NEVER;
  });
