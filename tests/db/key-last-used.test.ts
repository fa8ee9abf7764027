import { describe, expect, it } from "vitest";
import { authenticateApiKey } from "@/lib/api-keys/authenticate-api-key";
import { flushKeyUses } from "@/lib/api-keys/record-key-use";
import { getDb } from "@/lib/platform/db";
import { createAccountWithKey } from "../support/factories";

/** api_key.last_used_at kept to the minute, written after the request, never on its path (issue 22, decision 041). */
describe("when a key was last used", () => {
  const lastUsed = async (id: string) =>
    (await getDb().apiKey.findUniqueOrThrow({ where: { id }, select: { lastUsedAt: true } })).lastUsedAt;

  it("is written after a key authenticates, once per minute however often it is used", async () => {
    const { key } = await createAccountWithKey();
    await flushKeyUses();
    expect(await lastUsed(key.id)).toBeNull();
    const before = Date.now();
    const first = await authenticateApiKey(getDb(), `Bearer ${key.plaintext}`);
    expect(first.caller?.keyId).toBe(key.id);
    // Not written by the request itself.
    expect(await lastUsed(key.id)).toBeNull();
    expect(await flushKeyUses()).toBe(1);
    const at = (await lastUsed(key.id))!;
    expect(at.getTime()).toBeGreaterThanOrEqual(before - 5);
    // Used again within the minute: nothing to write.
    for (let i = 0; i < 3; i++) await authenticateApiKey(getDb(), `Bearer ${key.plaintext}`);
    expect(await flushKeyUses()).toBe(0);
    expect(await lastUsed(key.id)).toEqual(at);
  });

  it("is written again once the last use is more than a minute old, and never for a wrong secret", async () => {
    const { key } = await createAccountWithKey();
    const old = new Date(Date.now() - 5 * 60_000);
    await getDb().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: old } });
    const wrong = `${key.plaintext.slice(0, -1)}${key.plaintext.endsWith("A") ? "B" : "A"}`;
    expect((await authenticateApiKey(getDb(), `Bearer ${wrong}`)).caller).toBeNull();
    expect(await flushKeyUses()).toBe(0);
    expect(await lastUsed(key.id)).toEqual(old);
    await authenticateApiKey(getDb(), `Bearer ${key.plaintext}`);
    expect(await flushKeyUses()).toBe(1);
    expect((await lastUsed(key.id))!.getTime()).toBeGreaterThan(old.getTime());
  });
});
