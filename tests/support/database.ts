import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

/**
 * Connections other than the app's (DATABASE_URL, the app role, which the
 * code under test uses): scripts/test.ts hands the tests the owner role's
 * (MIGRATION_DATABASE_URL) and a superuser's (TEST_ADMIN_DATABASE_URL).
 */
export function ownerDatabaseUrl(): string {
  return required("MIGRATION_DATABASE_URL");
}

export function adminDatabaseUrl(): string {
  return required("TEST_ADMIN_DATABASE_URL");
}

function required(name: string): string {
  const url = process.env[name];
  if (!url) throw new Error(`${name} is not set: run the tests through npm test`);
  return url;
}

const holder = globalThis as unknown as { __scopedeskOwnerDb?: PrismaClient };

/** The owner's client, for what the app role may not do: DDL (injected failure triggers), writing the audit log directly. */
export function ownerDb(): PrismaClient {
  holder.__scopedeskOwnerDb ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: ownerDatabaseUrl(), max: 2 }) });
  return holder.__scopedeskOwnerDb;
}
