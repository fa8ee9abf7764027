/**
 * The tickets the development Zendesk starts with: one per named fixture
 * account (scripts/lib/seed/generate.ts), asking for the erase-job scopes,
 * plus one from a requester who has no account. Ids never change; tests,
 * the demo and the README may name them.
 *
 *   #4242  ops@acme-legacy.example (Olivia Ops, Acme Legacy Ltd): legacy-acme, the main story
 *   #4243  marketing@acme-legacy.example: a subuser of legacy-acme
 *   #4244  eu@acme-legacy.example: legacy-acme's EU subuser
 *   #4245  team@brightpost.example: signed up after the cutoff, has the scopes already
 *   #4246  exact@cutoff.example, #4247 before@cutoff.example, #4248 after@cutoff.example: the cutoff edges
 *   #4249  ops@late-anomaly.example: after the cutoff yet without the scopes
 *   #4250  ops@already-reset.example, #4251 ops@partial.example, #4252 ops@oddities.example
 *   #4253  nina@unknown-customer.example: matches no account, no organization
 *   #4254  dev@legacy-keys.example: legacy-keys, whose keys use scopes a default reset removes
 *   #4255  archive@brightpost.example: brightpost's legacy subuser (its parent has the scopes)
 */
import { fixtures } from "../lib/seed/generate";
import { htmlToText, renderMarkdown } from "./markup";
import type { DevComment, DevOrganization, DevTicket, DevUser } from "./store";

/** The cutoff the fixtures are generated with (the default SIGNUP_CUTOFF). */
const SIGNUP_CUTOFF = new Date("2023-07-25T00:00:00Z");
const FIRST_TICKET_AT = Date.parse("2026-11-30T08:00:00Z");
const HOUR = 3_600_000;

/** The agent user the OAuth client acts as: comments added through the API are written by it. */
export const INTEGRATION_USER = { id: 36_000_000_001, name: "Scopedesk Integration", email: "scopedesk-integration@scopedesk.test" };
const HUMAN_AGENT = { id: 36_000_000_002, name: "Alex Agent", email: "agent@scopedesk.test" };
const FIRST_REQUESTER_ID = 36_000_000_101;
const FIRST_ORGANIZATION_ID = 35_000_000_001;
export const FIRST_COMMENT_ID = 40_000_000_001;
export const FIRST_AUDIT_ID = 50_000_000_001;

const ERASE_SCOPES = "recipients.erasejob.create and recipients.erasejob.read";

interface TicketSeed {
  id: number;
  /** A fixture key, or the requester of a ticket that matches no account. */
  from: string | { email: string; company: null };
  requesterName: string;
  status: DevTicket["status"];
  subject: string;
  description: string;
  /** An internal note an agent already left. */
  agentNote?: string;
}

const ask = (who: string, account: string, extra = "") =>
  `Hello,\n\nWe want to erase a recipient's data with the Recipients' Data Erasure API (POST /v3/recipients/erasejob), ` +
  `but our API key gets 403. Please enable ${ERASE_SCOPES} on our account ${account}.${extra}\n\nThanks,\n${who}`;

export const TICKET_SEEDS: readonly TicketSeed[] = [
  {
    id: 4242,
    from: "legacy",
    requesterName: "Olivia Ops",
    status: "open",
    subject: "Enable the erase-job scopes for the Recipients' Data Erasure API",
    description: ask("Olivia", "(legacy-acme)"),
    agentNote: "Signed up in 2019, before the 2023-07-25 cutoff, so the erase-job scopes are missing by default. Needs a scope reset.",
  },
  {
    id: 4243,
    from: "legacySubuser",
    requesterName: "Marco Marketing",
    status: "new",
    subject: "Erase-job scopes for our marketing subuser",
    description: ask("Marco", "(subuser legacy-acme-marketing)"),
  },
  {
    id: 4244,
    from: "legacyEuSubuser",
    requesterName: "Eva Europa",
    status: "open",
    subject: "Data erasure for our EU subuser",
    description: ask("Eva", "(EU subuser legacy-acme-eu)"),
  },
  {
    id: 4245,
    from: "modern",
    requesterName: "Theo Team",
    status: "pending",
    subject: "Erasure API returns 403",
    description: ask("Theo", "(brightpost)", " We created this key in 2024."),
  },
  {
    id: 4246,
    from: "cutoffExact",
    requesterName: "Erin Exact",
    status: "open",
    subject: "Recipients' Data Erasure API access",
    description: ask("Erin", "(cutoff-exact)"),
  },
  {
    id: 4247,
    from: "cutoffMinus1s",
    requesterName: "Ben Before",
    status: "open",
    subject: "Cannot use the erasure endpoint",
    description: ask("Ben", "(cutoff-minus-1s)"),
  },
  {
    id: 4248,
    from: "cutoffPlus1s",
    requesterName: "Ava After",
    status: "open",
    subject: "Erase job permission",
    description: ask("Ava", "(cutoff-plus-1s)"),
  },
  {
    id: 4249,
    from: "lateAnomaly",
    requesterName: "Liam Late",
    status: "open",
    subject: "New account, no erasure scopes?",
    description: ask("Liam", "(late-anomaly)", " We only signed up in May 2024."),
  },
  {
    id: 4250,
    from: "alreadyReset",
    requesterName: "Rita Reset",
    status: "hold",
    subject: "Erasure API still refused after reset",
    description: ask("Rita", "(already-reset)", " Support reset our scopes last month."),
  },
  {
    id: 4251,
    from: "partial",
    requesterName: "Paula Partial",
    status: "open",
    subject: "Can create erase jobs but not read them",
    description: ask("Paula", "(partial-scopes)"),
  },
  {
    id: 4252,
    from: "unknownScopes",
    requesterName: "Otto Oddities",
    status: "open",
    subject: "Erasure scopes for an old account",
    description: ask("Otto", "(legacy-oddities)"),
  },
  {
    id: 4253,
    from: { email: "nina@unknown-customer.example", company: null },
    requesterName: "Nina Nobody",
    status: "new",
    subject: "Please erase my data",
    description: "Hi, a company sent me e-mails through you. Please erase everything you have about me.\n\nNina",
  },
  {
    id: 4254,
    from: "keysAtRisk",
    requesterName: "Dev Keys",
    status: "open",
    subject: "Erasure API for our old integration",
    description: ask("Dev", "(legacy-keys)", " Our legacy sender key must keep working."),
  },
  {
    id: 4255,
    from: "modernParentLegacySubuser",
    requesterName: "Archie Archive",
    status: "open",
    subject: "Erasure for our archive subuser",
    description: ask("Archie", "(subuser brightpost-archive)"),
  },
];

export interface DevZendeskSeed {
  users: DevUser[];
  organizations: DevOrganization[];
  tickets: DevTicket[];
  comments: DevComment[];
}

export function devZendeskSeed(): DevZendeskSeed {
  const accounts = new Map(fixtures(SIGNUP_CUTOFF).map((f) => [f.key, f.account]));
  const seeded = new Set(TICKET_SEEDS.map((t) => t.from).filter((from) => typeof from === "string"));
  const unticketed = [...accounts.keys()].filter((key) => !seeded.has(key));
  if (unticketed.length > 0) throw new Error(`dev-zendesk: no seeded ticket for fixture ${unticketed.join(", ")}`);

  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const users: DevUser[] = [
    { ...INTEGRATION_USER, role: "admin", organizationId: null, createdAt: iso(FIRST_TICKET_AT - 400 * 24 * HOUR) },
    { ...HUMAN_AGENT, role: "agent", organizationId: null, createdAt: iso(FIRST_TICKET_AT - 300 * 24 * HOUR) },
  ];
  const organizations: DevOrganization[] = [];
  const tickets: DevTicket[] = [];
  const comments: DevComment[] = [];
  let nextCommentId = FIRST_COMMENT_ID;
  let nextAuditId = FIRST_AUDIT_ID;

  TICKET_SEEDS.forEach((seed, index) => {
    const from = typeof seed.from === "string" ? accounts.get(seed.from)! : seed.from;
    const createdAt = FIRST_TICKET_AT + index * HOUR;
    let organization = organizations.find((o) => o.name === from.company);
    if (!organization && from.company !== null) {
      const domain = from.email.split("@")[1]!;
      organization = {
        id: FIRST_ORGANIZATION_ID + organizations.length,
        name: from.company,
        domainNames: [domain],
        createdAt: iso(createdAt),
      };
      organizations.push(organization);
    }
    const requester: DevUser = {
      id: FIRST_REQUESTER_ID + index,
      name: seed.requesterName,
      email: from.email,
      role: "end-user",
      organizationId: organization?.id ?? null,
      createdAt: iso(createdAt),
    };
    users.push(requester);

    const thread = [{ authorId: requester.id, body: seed.description, public: true, at: createdAt }];
    if (seed.agentNote) thread.push({ authorId: HUMAN_AGENT.id, body: seed.agentNote, public: false, at: createdAt + HOUR / 2 });
    for (const c of thread) {
      const htmlBody = renderMarkdown(c.body);
      comments.push({
        id: nextCommentId++,
        auditId: nextAuditId++,
        ticketId: seed.id,
        authorId: c.authorId,
        body: c.body,
        htmlBody,
        plainBody: htmlToText(htmlBody),
        public: c.public,
        createdAt: iso(c.at),
        custom: {},
        statusChange: null,
      });
    }
    const updatedAt = iso(thread.at(-1)!.at);
    tickets.push({
      id: seed.id,
      subject: seed.subject,
      description: seed.description,
      status: seed.status,
      requesterId: requester.id,
      organizationId: organization?.id ?? null,
      createdAt: iso(createdAt),
      updatedAt,
    });
  });
  return { users, organizations, tickets, comments };
}
