import { describe, expect, it } from "vitest";
import { parseLookupQuery, type ParsedLookupQuery } from "@/lib/accounts/lookup-query";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { searchAccounts } from "@/lib/accounts/search-accounts";
import { createAccount, createApiKey, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";

function q(text: string): ParsedLookupQuery {
  const parsed = parseLookupQuery(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed;
}

describe("searchAccounts", () => {
  it("finds an account by id, username (any case), e-mail (any case) and subuser name", async () => {
    const parent = await createAccount({ username: `Lookup-Parent-${Date.now()}`, email: `Owner.${Date.now()}@Example.com` });
    const sub = await createAccount({ username: `${parent.username}-eu`, parentId: parent.id, region: "eu" });

    const byId = await searchAccounts(q(String(parent.id)), { limit: 20 });
    expect(byId.results[0]).toMatchObject({ id: parent.id, matchedBy: "id" });

    const byName = await searchAccounts(q(parent.username.toUpperCase()), { limit: 20 });
    expect(byName.results[0]).toMatchObject({ id: parent.id, matchedBy: "username" });

    const byEmail = await searchAccounts(q(parent.email.toLowerCase()), { limit: 20 });
    expect(byEmail.results[0]).toMatchObject({ id: parent.id, matchedBy: "email" });

    const bySubuser = await searchAccounts(q(sub.username), { limit: 20 });
    expect(bySubuser.results[0]).toMatchObject({ id: sub.id, matchedBy: "username", parentId: parent.id, region: "eu" });
  });

  it("ranks exact matches before username-prefix matches, and pages the prefix part without gaps or repeats", async () => {
    const stem = `rank${Date.now().toString(36)}`;
    const exact = await createAccount({ username: stem });
    const prefixed = [];
    for (let i = 0; i < 7; i++) prefixed.push(await createAccount({ username: `${stem}-${String(i).padStart(2, "0")}` }));

    const first = await searchAccounts(q(stem), { limit: 3 });
    expect(first.results[0]).toMatchObject({ id: exact.id, matchedBy: "username" });
    expect(first.results.slice(1).every((r) => r.matchedBy === "username_prefix")).toBe(true);

    const seen = first.results.map((r) => r.id);
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await searchAccounts(q(stem), { limit: 3, cursor });
      seen.push(...page.results.map((r) => r.id));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([exact, ...prefixed].map((a) => a.id).sort());
  });

  it("treats SQL and LIKE metacharacters as plain text", async () => {
    const acct = await createAccount({ username: `odd%_\\name${Date.now()}` });
    const found = await searchAccounts(q(acct.username), { limit: 20 });
    expect(found.results.map((r) => r.id)).toEqual([acct.id]);
    const wildcard = await searchAccounts(q("%"), { limit: 20 });
    expect(wildcard.results.every((r) => r.username.toLowerCase().startsWith("%"))).toBe(true);
    const injection = await searchAccounts(q("'; DROP TABLE account; --"), { limit: 20 });
    expect(injection.results).toEqual([]);
  });

  it("refuses a forged cursor with a clear message", async () => {
    await expect(searchAccounts(q("abc"), { limit: 5, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "bad_request" });
  });
});

describe("getAccountDetail", () => {
  it("groups scopes, lists unknown ones apart and reports each key's erase-job scopes", async () => {
    const acct = await createAccount({ scopes: [...PRE_CUTOFF_SCOPES, "legacy.thing.read"], signedUpAt: new Date("2020-01-01T00:00:00Z") });
    await createApiKey(acct.id, { name: "old", scopes: ["mail.send"] });
    await createApiKey(acct.id, { name: "new", scopes: ["mail.send", "recipients.erasejob.create", "recipients.erasejob.read"] });
    const detail = await getAccountDetail(acct.id);
    expect(detail.verdict).toMatchObject({ side: "before", needsReset: true, status: "reset_needed" });
    expect(detail.scopes.unknown).toEqual(["legacy.thing.read"]);
    expect(detail.scopes.total).toBe(PRE_CUTOFF_SCOPES.length + 1);
    expect(detail.apiKeys.map((k) => [k.name, k.hasEraseJobScopes])).toEqual([
      ["old", false],
      ["new", true],
    ]);
    expect(JSON.stringify(detail)).not.toMatch(/secretHash|secret_hash/);
  });

  it("flags an account that signed up after the cutoff but lacks the scopes", async () => {
    const acct = await createAccount({ scopes: PRE_CUTOFF_SCOPES, signedUpAt: new Date("2024-01-01T00:00:00Z") });
    expect((await getAccountDetail(acct.id)).verdict).toMatchObject({ status: "anomaly", anomaly: "missing_after_cutoff" });
    const ok = await createAccount({ scopes: POST_CUTOFF_SCOPES, signedUpAt: new Date("2024-01-01T00:00:00Z") });
    expect((await getAccountDetail(ok.id)).verdict).toMatchObject({ status: "ok", needsReset: false });
  });

  it("answers not_found for an unknown id", async () => {
    await expect(getAccountDetail(2_000_000_000)).rejects.toMatchObject({ code: "not_found" });
  });
});
