import { z } from "zod";
import { checkAddresses, invalidAddressMessage, MAX_ADDRESSES } from "./addresses";

/**
 * The body of POST /v3/recipients/erasejob. Parsing yields the unique,
 * normalized addresses; every invalid address becomes its own issue on
 * "email_addresses" with the contract's message.
 */
export const eraseJobRequestSchema = z
  .object(
    {
      email_addresses: z
        .array(z.string({ error: "email_addresses must contain only strings" }), {
          error: (issue) =>
            issue.input === undefined ? "email_addresses is required" : "email_addresses must be an array of e-mail address strings",
        })
        .min(1, { error: "email_addresses must contain at least one address" })
        .max(MAX_ADDRESSES, { error: `email_addresses may contain at most ${MAX_ADDRESSES.toLocaleString("en")} addresses` }),
    },
    { error: "The request body must be a JSON object with an email_addresses array" },
  )
  .transform((body, ctx) => {
    const checked = checkAddresses(body.email_addresses);
    if (!checked.ok) {
      for (const address of checked.invalid) {
        ctx.addIssue({ code: "custom", path: ["email_addresses"], message: invalidAddressMessage(address) });
      }
      return z.NEVER;
    }
    return { emailAddresses: checked.addresses };
  });

export type EraseJobRequest = z.output<typeof eraseJobRequestSchema>;
