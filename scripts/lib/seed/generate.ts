import { hashApiKey } from "@/lib/api-keys/api-key-format";
import {
  ADMIN_SCOPES,
  canonicalScope,
  ERASE_JOB_SCOPES,
  isParentOnlyScope,
  isPlatformManagedScope,
  normalizeScopes,
  PERSONAS,
  type EraseJobScope,
} from "@/lib/scopes/catalog";
import { Random } from "./random";

/**
 * Deterministic demo and test data: the same seed and reference day always
 * give the same accounts, subusers and API keys. Pure: it only produces
 * records; scripts/lib/seed/load.ts writes them.
 */

export interface SeedAccount {
  id: number;
  username: string;
  email: string;
  company: string | null;
  region: "global" | "eu";
  signedUpAt: Date;
  parentId: number | null;
  scopes: string[];
}

export interface SeedApiKey {
  id: string;
  accountId: number;
  name: string;
  scopes: string[];
  /** The full key as the customer would hold it; only its hash is stored. */
  plaintext: string;
  createdAt: Date;
}

export interface SeedOptions {
  seed: string;
  /** Parent accounts and subusers together. */
  accounts: number;
  cutoff: Date;
  /** Signups are spread up to this instant. */
  today: Date;
}

export const SIGNUPS_START = new Date("2015-01-01T00:00:00Z");
const DAY = 86_400_000;

// Legacy scopes real accounts carry that the published catalog does not list.
export const UNKNOWN_LEGACY_SCOPES = ["mail.legacy_smtp_api.send", "ips.legacy_shared.read", "marketing.legacy_contacts.read"];

const ERASE = [...ERASE_JOB_SCOPES];
const withoutErase = (scopes: Iterable<string>) => [...scopes].filter((s) => !ERASE.includes(s as EraseJobScope));
const drop = (scopes: string[], prefix: string) => scopes.filter((s) => !s.startsWith(prefix));

/**
 * What a parent account's scopes look like, given when it signed up and a few
 * coin flips. The variations are few on purpose, so that a million accounts
 * share a few thousand scope sets; each combination is computed once and the
 * same array is returned for it (the loader relies on that identity).
 */
const scopeCache = new Map<string, string[]>();

function accountScopes(rnd: Random, signedUpAt: Date, cutoff: Date): string[] {
  const year = signedUpAt.getUTCFullYear();
  const beforeCutoff = signedUpAt.getTime() < cutoff.getTime();
  const noNewProducts = year < 2020 && rnd.chance(0.5);
  const noSso = year < 2021 && rnd.chance(0.6);
  const noBilling = rnd.chance(0.08);
  const legacyActivity = rnd.chance(0.1);
  const exempt2fa = rnd.chance(0.05);
  const unknown = rnd.chance(0.04) ? rnd.pick(UNKNOWN_LEGACY_SCOPES) : "";
  let erase: "both" | "none" | EraseJobScope;
  if (beforeCutoff) {
    // A few were reset already (both scopes) or half-granted by hand (one).
    erase = rnd.chance(0.04) ? "both" : rnd.chance(0.005) ? rnd.pick(ERASE) : "none";
  } else {
    // Anomalies: signed up after the cutoff yet missing one or both.
    erase = rnd.chance(0.02) ? "none" : rnd.chance(0.005) ? rnd.pick(ERASE) : "both";
  }
  const key = [noNewProducts, noSso, noBilling, legacyActivity, exempt2fa].map(Number).join("") + `|${unknown}|${erase}`;
  let scopes = scopeCache.get(key);
  if (!scopes) {
    let list = withoutErase(ADMIN_SCOPES);
    if (noNewProducts) list = drop(drop(list, "design_library."), "validations.");
    if (noSso) list = drop(list, "sso.");
    if (noBilling) list = drop(list, "billing.");
    if (legacyActivity) list.push("email_activity.read");
    if (exempt2fa) list = [...list.filter((s) => s !== "2fa_required"), "2fa_exempt"];
    if (unknown) list.push(unknown);
    if (erase === "both") list.push(...ERASE);
    else if (erase !== "none") list.push(erase);
    scopes = normalizeScopes(list);
    scopeCache.set(key, scopes);
  }
  return scopes;
}

const subuserCache = new Map<string, string[]>();

/**
 * A subuser's scopes: drawn like an account's for its own signup date, then
 * bounded by its parent's (a subuser never holds a scope its parent lacks,
 * nor a parent-only family); platform-managed flags stay its own.
 */
export function boundByParent(scopes: readonly string[], parentScopes: readonly string[]): string[] {
  const parent = new Set(parentScopes.map(canonicalScope));
  return normalizeScopes(scopes.filter((s) => isPlatformManagedScope(s) || (!isParentOnlyScope(s) && parent.has(canonicalScope(s)))));
}

function subuserScopes(rnd: Random, signedUpAt: Date, cutoff: Date, parentScopes: string[]): string[] {
  const base = accountScopes(rnd, signedUpAt, cutoff);
  // Some subusers were set up with a persona's scopes only.
  const persona = rnd.chance(0.3) ? rnd.pick(PERSONAS.filter((p) => p.id !== "accountant")) : null;
  const key = `${scopeKey(base)}|${scopeKey(parentScopes)}|${persona?.id ?? ""}`;
  let scopes = subuserCache.get(key);
  if (!scopes) {
    let list = boundByParent(base, parentScopes);
    if (persona) {
      const keep = new Set(persona.scopes);
      list = list.filter((s) => keep.has(s) || isPlatformManagedScope(s) || ERASE.includes(s as EraseJobScope));
    }
    scopes = normalizeScopes(list);
    subuserCache.set(key, scopes);
  }
  return scopes;
}

const scopeKeys = new WeakMap<string[], string>();
function scopeKey(scopes: string[]): string {
  let key = scopeKeys.get(scopes);
  if (key === undefined) {
    key = scopes.join(",");
    scopeKeys.set(scopes, key);
  }
  return key;
}

const MAIL_SEND_ONLY = ["mail.send"];
const SEND_AND_STATS = ["mail.send", "mail.batch.create", "mail.batch.read", "stats.read", "stats.global.read", "templates.read"];
const OBSERVER = PERSONAS.find((p) => p.id === "observer")!.scopes;
/** What an old integration's key uses: mail send plus scopes that are no longer in the default set. */
const LEGACY_SENDER = ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send", "di.bounce_block_classifications.read"];

const profileCache = new WeakMap<string[], { name: string; scopes: string[] }[]>();

function keyProfiles(accountScopesList: string[]): { name: string; scopes: string[] }[] {
  const cached = profileCache.get(accountScopesList);
  if (cached) return cached;
  const profiles = computeKeyProfiles(accountScopesList);
  profileCache.set(accountScopesList, profiles);
  return profiles;
}

function computeKeyProfiles(accountScopesList: string[]): { name: string; scopes: string[] }[] {
  const owned = new Set(accountScopesList);
  const subset = (wanted: readonly string[]) => normalizeScopes(wanted.filter((s) => owned.has(s)));
  return [
    { name: "Full access", scopes: accountScopesList.filter((s) => !isPlatformManagedScope(s)) },
    { name: "Mail send", scopes: subset(MAIL_SEND_ONLY) },
    { name: "Send and stats", scopes: subset(SEND_AND_STATS) },
    { name: "Read only", scopes: subset(OBSERVER).filter((s) => !isPlatformManagedScope(s)) },
    { name: "Legacy sender", scopes: subset(LEGACY_SENDER) },
  ];
}

const KEY_PURPOSES = ["Production", "Staging", "CI", "Marketing site", "Billing sync", "Zapier", "Backend", "Legacy app"];

export const apiKeyHash = hashApiKey;

function makeKey(rnd: Random, accountId: number, name: string, scopes: string[], createdAt: Date): SeedApiKey {
  const id = rnd.token(22);
  return { id, accountId, name, scopes, plaintext: `SG.${id}.${rnd.token(43)}`, createdAt };
}

function keysFor(rnd: Random, account: SeedAccount, count: number, today: Date): SeedApiKey[] {
  const profiles = keyProfiles(account.scopes);
  const keys: SeedApiKey[] = [];
  for (let i = 0; i < count; i++) {
    // Generated accounts draw from the first four profiles; "Legacy sender" is for a fixture.
    const profile = i === 0 ? profiles[0]! : rnd.pick(profiles.slice(0, 4));
    if (profile.scopes.length === 0) continue;
    const span = Math.max(1, today.getTime() - account.signedUpAt.getTime());
    const createdAt = new Date(account.signedUpAt.getTime() + Math.floor(rnd.next() * span));
    keys.push(makeKey(rnd, account.id, `${rnd.pick(KEY_PURPOSES)} – ${profile.name}`, profile.scopes, createdAt));
  }
  return keys;
}

const ADJECTIVES = [
  "acme",
  "blue",
  "bright",
  "quick",
  "north",
  "silver",
  "green",
  "urban",
  "happy",
  "nova",
  "prime",
  "swift",
  "solar",
  "lunar",
  "red",
  "open",
  "true",
  "clear",
  "metro",
  "alpha",
];
const NOUNS = [
  "mail",
  "post",
  "shop",
  "labs",
  "media",
  "cloud",
  "apps",
  "works",
  "health",
  "travel",
  "bank",
  "news",
  "games",
  "foods",
  "store",
  "data",
  "pay",
  "learn",
  "hub",
  "ly",
];
const COMPANY_SUFFIX = ["Inc.", "Ltd", "GmbH", "LLC", "SAS", "BV", "Pty Ltd", "AB"];
const FIRST = ["alex", "sam", "kim", "jo", "lee", "maria", "li", "noor", "ana", "tom", "eva", "raj", "yuki", "omar", "ines"];

/** Signup instants: most spread evenly since 2015, a third clustered around the cutoff. */
function signupInstant(rnd: Random, cutoff: Date, today: Date): Date {
  const end = today.getTime();
  if (rnd.chance(0.33)) {
    const t = cutoff.getTime() + rnd.normal() * 45 * DAY;
    return new Date(Math.min(end, Math.max(SIGNUPS_START.getTime(), Math.round(t / 1000) * 1000)));
  }
  return new Date(SIGNUPS_START.getTime() + Math.floor(rnd.next() * ((end - SIGNUPS_START.getTime()) / 1000)) * 1000);
}

// ---------------------------------------------------------------------------
// Fixtures: named accounts with stable ids that tests, the demo and the README
// refer to. They are generated from their own seed so they never change.

export interface Fixture {
  key: string;
  account: SeedAccount;
  keys: SeedApiKey[];
}

export function fixtures(cutoff: Date): Fixture[] {
  const rnd = new Random("scopedesk-fixtures");
  const admin = withoutErase(ADMIN_SCOPES);
  const list: { key: string; account: Omit<SeedAccount, "scopes">; scopes: string[]; keyProfiles?: number[] }[] = [];
  const at = (iso: string) => new Date(iso);
  const plus = (ms: number) => new Date(cutoff.getTime() + ms);
  list.push(
    {
      key: "legacy",
      account: {
        id: 100001,
        username: "legacy-acme",
        email: "ops@acme-legacy.example",
        company: "Acme Legacy Ltd",
        region: "global",
        signedUpAt: at("2019-03-14T10:22:05Z"),
        parentId: null,
      },
      scopes: normalizeScopes(admin),
      keyProfiles: [0, 1, 3],
    },
    {
      key: "legacySubuser",
      account: {
        id: 100002,
        username: "legacy-acme-marketing",
        email: "marketing@acme-legacy.example",
        company: "Acme Legacy Ltd",
        region: "global",
        signedUpAt: at("2020-01-09T09:00:00Z"),
        parentId: 100001,
      },
      scopes: boundByParent(admin, admin),
      keyProfiles: [0],
    },
    {
      key: "legacyEuSubuser",
      account: {
        id: 100003,
        username: "legacy-acme-eu",
        email: "eu@acme-legacy.example",
        company: "Acme Legacy Ltd",
        region: "eu",
        signedUpAt: at("2022-11-30T16:45:00Z"),
        parentId: 100001,
      },
      scopes: boundByParent(admin, admin),
      keyProfiles: [0],
    },
    {
      key: "modern",
      account: {
        id: 100004,
        username: "brightpost",
        email: "team@brightpost.example",
        company: "BrightPost GmbH",
        region: "global",
        signedUpAt: at("2024-02-01T08:00:00Z"),
        parentId: null,
      },
      scopes: normalizeScopes([...admin, ...ERASE]),
      keyProfiles: [0, 2],
    },
    {
      key: "cutoffExact",
      account: {
        id: 100005,
        username: "cutoff-exact",
        email: "exact@cutoff.example",
        company: "Cutoff Exact LLC",
        region: "global",
        signedUpAt: plus(0),
        parentId: null,
      },
      scopes: normalizeScopes([...admin, ...ERASE]),
      keyProfiles: [0],
    },
    {
      key: "cutoffMinus1s",
      account: {
        id: 100006,
        username: "cutoff-minus-1s",
        email: "before@cutoff.example",
        company: "Cutoff Before LLC",
        region: "global",
        signedUpAt: plus(-1000),
        parentId: null,
      },
      scopes: normalizeScopes(admin),
      keyProfiles: [0],
    },
    {
      key: "cutoffPlus1s",
      account: {
        id: 100007,
        username: "cutoff-plus-1s",
        email: "after@cutoff.example",
        company: "Cutoff After LLC",
        region: "global",
        signedUpAt: plus(1000),
        parentId: null,
      },
      scopes: normalizeScopes([...admin, ...ERASE]),
      keyProfiles: [0],
    },
    {
      key: "lateAnomaly",
      account: {
        id: 100008,
        username: "late-anomaly",
        email: "ops@late-anomaly.example",
        company: "Late Anomaly Co",
        region: "global",
        signedUpAt: at("2024-05-05T12:00:00Z"),
        parentId: null,
      },
      scopes: normalizeScopes(admin),
      keyProfiles: [0],
    },
    {
      key: "alreadyReset",
      account: {
        id: 100009,
        username: "already-reset",
        email: "ops@already-reset.example",
        company: "Already Reset Inc.",
        region: "global",
        signedUpAt: at("2020-06-01T07:30:00Z"),
        parentId: null,
      },
      scopes: normalizeScopes([...admin, ...ERASE]),
      keyProfiles: [0],
    },
    {
      key: "partial",
      account: {
        id: 100010,
        username: "partial-scopes",
        email: "ops@partial.example",
        company: "Partial Scopes BV",
        region: "global",
        signedUpAt: at("2021-09-09T09:09:09Z"),
        parentId: null,
      },
      scopes: normalizeScopes([...admin, "recipients.erasejob.create"]),
      keyProfiles: [0],
    },
    {
      key: "unknownScopes",
      account: {
        id: 100011,
        username: "legacy-oddities",
        email: "ops@oddities.example",
        company: "Oddities AB",
        region: "global",
        signedUpAt: at("2018-02-02T02:02:02Z"),
        parentId: null,
      },
      scopes: normalizeScopes([...admin, "email_activity.read", ...UNKNOWN_LEGACY_SCOPES]),
      keyProfiles: [0, 1],
    },
    {
      // Its keys use scopes a default reset removes (legacy activity feed, legacy SMTP) and the
      // Deliverability Insights group's spelling of a scope the admin list spells in the singular.
      key: "keysAtRisk",
      account: {
        id: 100012,
        username: "legacy-keys",
        email: "dev@legacy-keys.example",
        company: "Legacy Keys Pty Ltd",
        region: "global",
        signedUpAt: at("2017-08-21T15:00:00Z"),
        parentId: null,
      },
      scopes: normalizeScopes([
        ...admin.map((s) => (s === "di.bounce_block_classification.read" ? "di.bounce_block_classifications.read" : s)),
        "email_activity.read",
        "mail.legacy_smtp_api.send",
      ]),
      keyProfiles: [0, 4],
    },
    {
      // A legacy subuser of an account that has the scopes: it can be reset on its own.
      key: "modernParentLegacySubuser",
      account: {
        id: 100013,
        username: "brightpost-archive",
        email: "archive@brightpost.example",
        company: "BrightPost GmbH",
        region: "eu",
        signedUpAt: at("2024-03-01T08:00:00Z"),
        parentId: 100004,
      },
      scopes: boundByParent(admin, [...admin, ...ERASE]),
      keyProfiles: [0],
    },
  );
  return list.map(({ key, account, scopes, keyProfiles: kp = [] }) => {
    const full: SeedAccount = { ...account, scopes };
    const profiles = keyProfiles(scopes);
    const keys = kp.map((p, i) =>
      makeKey(
        rnd,
        full.id,
        `${["Production", "Reporting", "Read only", "CI"][i] ?? "Key"} – ${profiles[p]!.name}`,
        profiles[p]!.scopes,
        new Date(full.signedUpAt.getTime() + (i + 1) * 30 * DAY),
      ),
    );
    return { key, account: full, keys };
  });
}

export const FIXTURE_IDS = { first: 100001, last: 100013 };
const FIRST_GENERATED_ID = 1_000_000;

/**
 * Yields accounts (each parent followed by its subusers) with their keys. Ids
 * rise in generation order, as the platform's do over time.
 */
export function* generateAccounts(opts: SeedOptions): Generator<{ account: SeedAccount; keys: SeedApiKey[] }> {
  const rnd = new Random(`scopedesk:${opts.seed}`);
  let produced = 0;
  for (const f of fixtures(opts.cutoff)) {
    if (produced >= opts.accounts) return;
    produced++;
    yield { account: f.account, keys: f.keys };
  }
  let nextId = FIRST_GENERATED_ID;
  let serial = 0;
  while (produced < opts.accounts) {
    nextId += rnd.int(1, 4);
    serial++;
    const signedUpAt = signupInstant(rnd, opts.cutoff, opts.today);
    const adjective = rnd.pick(ADJECTIVES);
    const noun = rnd.pick(NOUNS);
    const username = `${adjective}${noun}${serial.toString(36)}`;
    const company = rnd.chance(0.85)
      ? `${adjective[0]!.toUpperCase()}${adjective.slice(1)} ${noun[0]!.toUpperCase()}${noun.slice(1)} ${rnd.pick(COMPANY_SUFFIX)}`
      : null;
    const domain = `${adjective}${noun}${serial.toString(36)}.example`;
    const parent: SeedAccount = {
      id: nextId,
      username,
      email: `${rnd.pick(FIRST)}@${domain}`,
      company,
      region: "global",
      signedUpAt,
      parentId: null,
      scopes: accountScopes(rnd, signedUpAt, opts.cutoff),
    };
    produced++;
    yield { account: parent, keys: keysFor(rnd, parent, rnd.int(1, 4), opts.today) };

    // About one parent in eight has subusers, some of them in the EU region.
    const subusers = rnd.chance(0.125) ? (rnd.chance(0.1) ? rnd.int(5, 20) : rnd.int(1, 4)) : 0;
    for (let s = 0; s < subusers && produced < opts.accounts; s++) {
      nextId += 1;
      const span = Math.max(1, opts.today.getTime() - signedUpAt.getTime());
      const subSignedUpAt = new Date(signedUpAt.getTime() + Math.floor((rnd.next() * span) / 1000) * 1000);
      const sub: SeedAccount = {
        id: nextId,
        username: `${username}-sub${s + 1}`,
        email: rnd.chance(0.6) ? parent.email : `sub${s + 1}@${domain}`,
        company,
        region: rnd.chance(0.2) ? "eu" : "global",
        signedUpAt: subSignedUpAt,
        parentId: parent.id,
        scopes: subuserScopes(rnd, subSignedUpAt, opts.cutoff, parent.scopes),
      };
      produced++;
      yield { account: sub, keys: keysFor(rnd, sub, rnd.int(0, 2), opts.today) };
    }
  }
}
