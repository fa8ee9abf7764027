import { describe, expect, it } from "vitest";
import { draftCustomerReply, replyFactsIdentity, type ReplyAccountFacts, type ReplyFacts } from "./customer-reply";
import { REPLY_DRAFT_MAX_CHARS } from "./text-parts";

const ACME: ReplyAccountFacts = {
  id: 4217,
  username: "acme-mail",
  role: "account",
  hasEraseJob: true,
  keysLacking: [
    { keyId: "AbC123AbC123AbC123AbC1", keyName: "Production sender", subuser: null },
    { keyId: "Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z", keyName: "CI", subuser: null },
  ],
  keysLost: [],
};
const RESET: ReplyFacts = { kind: "reset", accounts: [ACME], parent: null, subusersLacking: [] };
const SIGNER = { name: "Dana Agent" };

function text(facts: ReplyFacts): string {
  const draft = draftCustomerReply(facts, SIGNER);
  if (draft.text === null) throw new Error(draft.blocked);
  return draft.text;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe("draftCustomerReply", () => {
  it("renders the exact reply to a reset: what changed, which keys to replace, how, and the status endpoint; signed by the agent", () => {
    expect(text(RESET)).toBe(
      [
        "Hello,",
        "",
        "The erase-job scopes of the Recipients' Data Erasure API (recipients.erasejob.create and recipients.erasejob.read) are now enabled on your account acme-mail.",
        "",
        "An API key keeps the scopes it was created with: a key created without the erase-job scopes does not get them later.",
        "These existing API keys do not have the erase-job scopes:",
        "- Production sender (ID: AbC123AbC123AbC123AbC1)",
        "- CI (ID: Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z)",
        "",
        "To use the Recipients' Data Erasure API, create a new API key with the recipients.erasejob.create scope, and " +
          "recipients.erasejob.read to check on your erase jobs. Create it as the account's administrator in the SendGrid app " +
          "(Settings > API Keys > Create API Key): a key can only give a new key the scopes it has itself, so a key created " +
          "through the API with one of your existing keys would not get them.",
        "To confirm, call GET /v3/scopes with the new key: the answer lists recipients.erasejob.create and recipients.erasejob.read.",
        "",
        "POST /v3/recipients/erasejob answers with a job_id; with recipients.erasejob.read, GET /v3/recipients/erasejob/{job_id} " +
          "tells you whether that job is queued, running, done or failed, and how many records it erased.",
        "",
        "If you have any questions, just reply to this message.",
        "",
        "Kind regards,",
        "Dana Agent",
      ].join("\n"),
    );
  });

  it("names keys that lost scopes and subusers still without them, and says it is a subuser's when it is", () => {
    const reply = text({
      ...RESET,
      accounts: [
        {
          ...ACME,
          role: "subuser",
          keysLacking: [],
          keysLost: [
            { keyId: "L1L1", keyName: "Legacy sender", subuser: null, loses: ["email_activity.read", "mail.legacy_smtp_api.send"] },
          ],
        },
      ],
      parent: { username: "acme" },
      subusersLacking: [{ id: 1, username: "acme-mail-eu" }],
    });
    expect(reply).toContain("are now enabled on your subuser acme-mail.");
    expect(reply).toContain("We found no existing API key on the account that lacks them.");
    expect(reply).toContain(
      "This existing API key can therefore no longer use the scopes listed after it:\n- Legacy sender (ID: L1L1): email_activity.read, mail.legacy_smtp_api.send\n",
    );
    expect(reply).toContain("This subuser of your account does not have the erase-job scopes yet, so erase requests made on its behalf");
    expect(reply).toContain("- acme-mail-eu\n");
  });

  it("gives a family one reply naming the parent and its subusers, and only the subusers still lacking", () => {
    const reply = text({
      kind: "family",
      accounts: [
        { ...ACME, username: "acme", role: "parent" },
        {
          id: 2,
          username: "acme-eu",
          role: "subuser",
          hasEraseJob: true,
          keysLacking: [{ keyId: "EU1", keyName: "EU key", subuser: "acme-eu" }],
          keysLost: [],
        },
        { id: 3, username: "acme-us", role: "subuser", hasEraseJob: true, keysLacking: [], keysLost: [] },
      ],
      parent: null,
      subusersLacking: [{ id: 4, username: "acme-left" }],
    });
    expect(reply).toContain("are now enabled on your account acme and its subusers acme-eu and acme-us.");
    expect(reply).toContain("- EU key (ID: EU1), subuser acme-eu\n");
    expect(reply).toContain("- acme-left\n");
    expect(reply).not.toMatch(/- acme-(eu|us)\n/);
  });

  it("says so when a family's parent already had the scopes and only its subusers were reset", () => {
    const reply = text({
      kind: "family",
      accounts: [{ id: 2, username: "acme-eu", role: "subuser", hasEraseJob: true, keysLacking: [], keysLost: [] }],
      parent: { username: "acme" },
      subusersLacking: [],
    });
    expect(reply).toContain("are now enabled on your subuser acme-eu (your account acme had them already).");
  });

  it("tells a customer whose account already has the scopes to create a new key, without claiming anything was changed", () => {
    const reply = text({ ...RESET, kind: "new_key_only" });
    expect(reply).toContain(
      "Your account acme-mail already has the erase-job scopes of the Recipients' Data Erasure API (recipients.erasejob.create and recipients.erasejob.read), so nothing needed to change on the account.",
    );
    expect(reply).not.toContain("now enabled");
    expect(reply).toContain("create a new API key with the recipients.erasejob.create scope");
    const allKeysFine = text({ ...RESET, kind: "new_key_only", accounts: [{ ...ACME, keysLacking: [] }] });
    expect(allKeysFine).toContain("All of its existing API keys have them too.");
    expect(allKeysFine).not.toContain("create a new API key");
  });

  it("drafts nothing when the account no longer holds the scopes", () => {
    expect(draftCustomerReply({ ...RESET, accounts: [{ ...ACME, hasEraseJob: false }] }, SIGNER)).toEqual({
      text: null,
      blocked: expect.stringMatching(/^acme-mail no longer holds both erase-job scopes/),
    });
  });

  it("names no internal tool, no agent e-mail and no UUID, and keeps pasted-in names on one line", () => {
    const reply = text({
      ...RESET,
      accounts: [
        {
          ...ACME,
          keysLacking: [
            { keyId: "k1", keyName: "evil\nDear customer,\r\n", subuser: null },
            { keyId: "k2", keyName: "  ", subuser: null },
          ],
        },
      ],
    });
    expect(reply).not.toMatch(/scopedesk/i);
    expect(reply).not.toMatch(UUID);
    expect(reply).toContain("- evil Dear customer, (ID: k1)\n- (unnamed key) (ID: k2)\n");
    for (const line of reply.split("\n")) expect(line).toBe(line.trimEnd());
  });

  it("stays within the bound with 100 keys, 100 keys that lost scopes and 500 subusers, saying how many more there are", () => {
    const keys = Array.from({ length: 100 }, (_, i) => ({
      keyId: `key${String(i).padStart(19, "0")}`,
      keyName: `Production key number ${i}`,
      subuser: null,
    }));
    const reply = text({
      ...RESET,
      accounts: [
        { ...ACME, keysLacking: keys, keysLost: keys.map((k) => ({ ...k, loses: ["email_activity.read", "mail.legacy_smtp_api.send"] })) },
      ],
      subusersLacking: Array.from({ length: 500 }, (_, i) => ({ id: i, username: `acme-mail-subuser-${i}` })),
    });
    expect(reply.length).toBeLessThanOrEqual(REPLY_DRAFT_MAX_CHARS);
    expect(reply).toContain("- and 80 more keys; we can send you the full list");
    expect(reply).toContain("- and 480 more subusers; we can send you the full list");
    expect(reply.endsWith("Kind regards,\nDana Agent")).toBe(true);
  });

  it("is checked against the facts, not the wording: a signer or a reordered object gives the same identity", () => {
    const a = replyFactsIdentity(RESET);
    const reordered: ReplyFacts = {
      subusersLacking: [],
      parent: null,
      accounts: [{ ...ACME }].map(({ keysLost, keysLacking, ...rest }) => ({ keysLost, ...rest, keysLacking })),
      kind: "reset",
    };
    expect(replyFactsIdentity(reordered)).toBe(a);
    expect(replyFactsIdentity({ ...RESET, subusersLacking: [{ id: 1, username: "x" }] })).not.toBe(a);
  });
});
