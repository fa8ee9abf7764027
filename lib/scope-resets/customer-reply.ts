/**
 * The reply to the customer, drafted from what is true of their account at
 * the moment it is drafted (./load-reply-facts.ts reads it), and checked
 * again when it is sent: if the facts changed in between (a key deleted or
 * created, a subuser reset since, the scopes changed), the send is refused
 * with the fresh draft (decision 026). Customer-facing: it names no internal
 * tool, no internal id, no agent note, and is signed by the agent. Bounded
 * (REPLY_DRAFT_MAX_CHARS): long lists say how many more there are. Pure.
 */
import { boundedList, count, fitText, joinAnd, oneLine, REPLY_DRAFT_MAX_CHARS } from "./text-parts";

export interface ReplyKey {
  keyId: string;
  keyName: string;
  /** The subuser the key belongs to, when it is not the account's own. */
  subuser: string | null;
}

export interface ReplyAccountFacts {
  id: number;
  username: string;
  role: "account" | "parent" | "subuser";
  /** The account holds both erase-job scopes now. */
  hasEraseJob: boolean;
  /** Its keys (and, for a parent, none of its subusers') that lack an erase-job scope now, oldest first. */
  keysLacking: ReplyKey[];
  /** Keys that lost scopes in the reset and, existing still, still lack them now. */
  keysLost: (ReplyKey & { loses: string[] })[];
}

export interface ReplyFacts {
  /** reset: one account reset; family: a parent and its subusers; new_key_only: nothing to reset, the customer needs a new key. */
  kind: "reset" | "family" | "new_key_only";
  /** The accounts the reply speaks of: the reset one, the family's reset ones (parent first), or the one account. */
  accounts: ReplyAccountFacts[];
  /** The parent: of the one account when it is a subuser; of a family, always. */
  parent: { username: string } | null;
  /** Subusers (of the parent, or of the account) that lack an erase-job scope now. */
  subusersLacking: { id: number; username: string }[];
}

/** Why no reply can be drafted: the facts no longer support one (e.g. the scopes were removed since). */
export type ReplyDraft = { text: string; blocked: null } | { text: null; blocked: string };

/** How many keys or subusers the reply names before it says how many more there are. */
const LIST_MAX = 20;

/** What the send is checked against: the facts, canonical, without the wording (hash it). */
export function replyFactsIdentity(facts: ReplyFacts): string {
  // Keys sorted, so the identity does not depend on how the object was built.
  return JSON.stringify(facts, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

const keyLine = (k: ReplyKey) =>
  `- ${oneLine(k.keyName) || "(unnamed key)"} (ID: ${oneLine(k.keyId)})${k.subuser ? `, subuser ${oneLine(k.subuser)}` : ""}`;

export function draftCustomerReply(facts: ReplyFacts, signer: { name: string }): ReplyDraft {
  const lacking = facts.accounts.filter((a) => !a.hasEraseJob);
  if (facts.accounts.length === 0 || lacking.length > 0) {
    return {
      text: null,
      blocked:
        facts.accounts.length === 0
          ? "No account of this reset holds the erase-job scopes now, so there is nothing true to tell the customer."
          : `${joinAnd(lacking.map((a) => a.username))} no longer ${lacking.length === 1 ? "holds" : "hold"} both erase-job scopes (they changed since): review the account before replying.`,
    };
  }
  const main = facts.accounts[0]!;
  const subs = facts.accounts.filter((a) => a.role === "subuser");
  const subNames = joinAnd(
    boundedList(
      subs.map((s) => oneLine(s.username)),
      LIST_MAX,
      (n) => `${n} more`,
    ),
  );
  const where =
    facts.kind !== "family"
      ? main.role === "subuser"
        ? `your subuser ${oneLine(main.username)}`
        : `your account ${oneLine(main.username)}`
      : main.role !== "subuser"
        ? `your account ${oneLine(main.username)}${subs.length > 0 ? ` and ${subs.length === 1 ? "its subuser" : "its subusers"} ${subNames}` : ""}`
        : `${subs.length === 1 ? "your subuser" : "your subusers"} ${subNames}${facts.parent ? ` (your account ${oneLine(facts.parent.username)} had them already)` : ""}`;
  const opening =
    facts.kind === "new_key_only"
      ? [
          `${where[0]!.toUpperCase()}${where.slice(1)} already has the erase-job scopes of the Recipients' Data Erasure API ` +
            "(recipients.erasejob.create and recipients.erasejob.read), so nothing needed to change on the account.",
        ]
      : [
          `The erase-job scopes of the Recipients' Data Erasure API (recipients.erasejob.create and recipients.erasejob.read) ` +
            `are now enabled on ${where}.`,
        ];

  const keysLacking = facts.accounts.flatMap((a) => a.keysLacking);
  const keyLines =
    keysLacking.length === 0
      ? [
          facts.kind === "new_key_only"
            ? "All of its existing API keys have them too. If a request is refused with 403, check that it uses one of these keys."
            : "We found no existing API key on the account that lacks them.",
        ]
      : [
          keysLacking.length === 1
            ? "This existing API key does not have the erase-job scopes:"
            : "These existing API keys do not have the erase-job scopes:",
          ...boundedList(keysLacking.map(keyLine), LIST_MAX, (n) => `- and ${count(n, "more key")}; we can send you the full list`),
        ];

  const keysLost = facts.accounts.flatMap((a) => a.keysLost);
  const lossLines =
    keysLost.length === 0
      ? []
      : [
          "",
          "Please note: the change set the account to our current default scopes, and an API key can never do more than its account. " +
            (keysLost.length === 1
              ? "This existing API key can therefore no longer use the scopes listed after it:"
              : "These existing API keys can therefore no longer use the scopes listed after each:"),
          ...boundedList(
            keysLost.map((k) => `${keyLine(k)}: ${k.loses.join(", ")}`),
            LIST_MAX,
            (n) => `- and ${count(n, "more key")}; we can send you the full list`,
          ),
          "If you still need any of them, reply to this message and we will look at it with you.",
        ];

  const subuserLines =
    facts.subusersLacking.length === 0
      ? []
      : [
          "",
          (facts.subusersLacking.length === 1
            ? "This subuser of your account does not have the erase-job scopes yet, so erase requests made on its behalf "
            : "These subusers of your account do not have the erase-job scopes yet, so erase requests made on their behalf ") +
            "(with the on-behalf-of header) will be refused until their scopes are enabled too; reply if you want us to do that:",
          ...boundedList(
            facts.subusersLacking.map((s) => `- ${oneLine(s.username)}`),
            LIST_MAX,
            (n) => `- and ${count(n, "more subuser")}; we can send you the full list`,
          ),
        ];

  const newKeyLines =
    facts.kind === "new_key_only" && keysLacking.length === 0
      ? []
      : [
          "",
          "To use the Recipients' Data Erasure API, create a new API key with the recipients.erasejob.create scope, and " +
            "recipients.erasejob.read to check on your erase jobs. Create it as the account's administrator in the SendGrid app " +
            "(Settings > API Keys > Create API Key): a key can only give a new key the scopes it has itself, so a key created " +
            "through the API with one of your existing keys would not get them.",
          "To confirm, call GET /v3/scopes with the new key: the answer lists recipients.erasejob.create and recipients.erasejob.read.",
        ];

  const usage = [
    "",
    "POST /v3/recipients/erasejob answers with a job_id; with recipients.erasejob.read, GET /v3/recipients/erasejob/{job_id} " +
      "tells you whether that job is queued, running, done or failed, and how many records it erased.",
  ];

  const text = fitText(
    [
      "Hello,",
      "",
      ...opening,
      "",
      "An API key keeps the scopes it was created with: a key created without the erase-job scopes does not get them later.",
      ...keyLines,
      ...lossLines,
      ...subuserLines,
      ...newKeyLines,
      ...usage,
      "",
      "If you have any questions, just reply to this message.",
      "",
      "Kind regards,",
      oneLine(signer.name) || "Support",
    ],
    REPLY_DRAFT_MAX_CHARS,
    `Kind regards,\n${oneLine(signer.name) || "Support"}`,
  );
  return { text, blocked: null };
}
