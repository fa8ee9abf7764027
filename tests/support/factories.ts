import { generateApiKey } from "@/lib/api-keys";
import { getDb } from "@/lib/server/db";
import { ensureScopeSet } from "@/lib/server/scope-sets";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "@/lib/scopes/catalog";

/**
 * Test data built per test, with ids from a range the seed never uses, so
 * tests do not depend on each other or on the seeded demo-like data.
 */
let nextId = 50_000_000 + (process.pid % 1000) * 10_000 + Math.floor(Math.random() * 5_000);

export const PRE_CUTOFF_SCOPES = normalizeScopes(ADMIN_SCOPES);
export const POST_CUTOFF_SCOPES = normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]);

export interface AccountFactoryInput {
  username?: string;
  email?: string;
  company?: string | null;
  region?: "global" | "eu";
  signedUpAt?: Date;
  parentId?: number | null;
  scopes?: readonly string[];
}

export async function createAccount(input: AccountFactoryInput = {}) {
  const id = nextId++;
  const set = await ensureScopeSet(getDb(), input.scopes ?? PRE_CUTOFF_SCOPES);
  const username = input.username ?? `test-account-${id}`;
  return getDb().account.create({
    data: {
      id,
      username,
      email: input.email ?? `${username}@factory.example`,
      company: input.company === undefined ? "Factory Ltd" : input.company,
      region: input.region ?? "global",
      signedUpAt: input.signedUpAt ?? new Date("2021-05-05T10:00:00Z"),
      parentId: input.parentId ?? null,
      scopeSetId: set.id,
    },
  });
}

export async function createApiKey(accountId: number, input: { name?: string; scopes: readonly string[] }) {
  const key = generateApiKey();
  const set = await ensureScopeSet(getDb(), input.scopes);
  await getDb().apiKey.create({
    data: { id: key.id, accountId, name: input.name ?? `key ${key.id}`, scopeSetId: set.id, secretHash: key.hash },
  });
  return { id: key.id, plaintext: key.plaintext };
}

export async function createStaff(role: "viewer" | "agent" | "lead" | "admin" = "agent") {
  const n = nextId++;
  const staff = await getDb().staffUser.create({
    data: { subject: `factory#${n}`, email: `staff-${n}@scopedesk.test`, name: `Staff ${n}`, role },
    select: { id: true, email: true, name: true, role: true },
  });
  return staff;
}

export function requestMeta(requestId = `test-${Math.random().toString(36).slice(2)}`) {
  return { requestId, ip: "127.0.0.1", userAgent: "vitest" };
}

export interface MessageActivityInput {
  recipientEmail: string;
  recipientName?: string;
  subject?: string;
  categories?: string[];
  ip?: string;
  sentAt?: Date;
}

/** Message activity rows for an account (what the Recipients' Data Erasure API erases). */
export async function createMessageActivity(accountId: number, rows: readonly MessageActivityInput[]) {
  await getDb().messageActivity.createMany({
    data: rows.map((r, i) => ({
      accountId,
      recipientEmail: r.recipientEmail,
      recipientName: r.recipientName ?? "Test Recipient",
      subject: r.subject ?? `Message ${i + 1}`,
      categories: r.categories ?? ["transactional"],
      ip: r.ip ?? "192.0.2.1",
      sentAt: r.sentAt ?? new Date("2026-06-01T12:00:00Z"),
    })),
  });
}

/** An account with a key holding the given scopes (default: post-cutoff, erase-job scopes included). */
export async function createAccountWithKey(input: AccountFactoryInput & { keyScopes?: readonly string[] } = {}) {
  const account = await createAccount({ scopes: POST_CUTOFF_SCOPES, ...input });
  const key = await createApiKey(account.id, { scopes: input.keyScopes ?? input.scopes ?? POST_CUTOFF_SCOPES });
  return { account, key };
}
