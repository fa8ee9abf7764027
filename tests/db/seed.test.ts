import { describe, expect, it } from "vitest";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { seedDatabase, seedSettingsFromEnv } from "@/scripts/lib/seed/seed-database";

describe("seeding", () => {
  it("refuses to run in production, where its well-known demo keys and staff would be accepted, and writes nothing", async () => {
    const accounts = await getDb().account.count();
    const production = { ...getConfig(), env: "production" as const };
    await expect(seedDatabase(production, seedSettingsFromEnv({ SEED_ACCOUNTS: "10" }))).rejects.toThrow(
      /refuses to run when SCOPEDESK_ENV is production/,
    );
    expect(await getDb().account.count()).toBe(accounts);
  });
});
