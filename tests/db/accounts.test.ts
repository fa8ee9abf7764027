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

describe("searchAccounts: partial e-mail, e-mail domain and company name (decision 037)", () => {
  it("finds the seeded legacy-acme by part of its e-mail, its domain and its company name", async () => {
    const byPartialEmail = await searchAccounts(q("ops@acme"), { limit: 20 });
    expect(byPartialEmail.results[0]).toMatchObject({ id: 100001, matchedBy: "email_prefix" });

    const byDomain = await searchAccounts(q("acme-legacy.example"), { limit: 20 });
    expect(byDomain.results.map((r) => [r.id, r.matchedBy])).toEqual(
      expect.arrayContaining([
        [100001, "domain"],
        [100002, "domain"],
        [100003, "domain"],
      ]),
    );
    expect((await searchAccounts(q("@ACME-legacy.example"), { limit: 20 })).results.map((r) => r.id)).toEqual(
      byDomain.results.map((r) => r.id),
    );

    const byCompany = await searchAccounts(q("Acme Legacy"), { limit: 20 });
    expect(byCompany.results.slice(0, 3).map((r) => [r.id, r.matchedBy])).toEqual([
      [100001, "company_prefix"],
      [100002, "company_prefix"],
      [100003, "company_prefix"],
    ]);
    const byWord = await searchAccounts(q("legacy ltd"), { limit: 50 });
    expect(byWord.results.filter((r) => r.matchedBy === "company").map((r) => r.id)).toEqual(
      expect.arrayContaining([100001, 100002, 100003]),
    );
  });

  it("ranks exact, then prefix, then partial matches, each account once under its best match", async () => {
    const stem = `zq${Date.now().toString(36)}`;
    const exact = await createAccount({ username: stem, company: null });
    const byUsername = await createAccount({ username: `${stem}-team`, company: null });
    const byDomain = await createAccount({ username: `dom-${stem}`, email: `ops@${stem}.example`, company: null });
    const byCompanyPrefix = await createAccount({ username: `co-${stem}`, company: `${stem} Holdings` });
    const byCompanyWord = await createAccount({ username: `word-${stem}`, company: `The ${stem.toUpperCase()} Group` });
    // Matches two ways: shown once, under the better one (username prefix before domain and company).
    const twice = await createAccount({ username: `${stem}-both`, email: `both@${stem}.example`, company: `${stem} Both` });

    const all = await searchAccounts(q(stem), { limit: 50 });
    expect(all.results.map((r) => [r.id, r.matchedBy])).toEqual([
      [exact.id, "username"],
      [twice.id, "username_prefix"],
      [byUsername.id, "username_prefix"],
      [byDomain.id, "domain"],
      [byCompanyPrefix.id, "company_prefix"],
      [byCompanyWord.id, "company"],
    ]);
    expect(all.nextCursor).toBeNull();

    // One row a page: the same accounts in the same order, across every branch, without gaps or repeats.
    const paged: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await searchAccounts(q(stem), { limit: 1, cursor });
      paged.push(...page.results.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.results.map((r) => r.id));
  });

  it("pages a partial e-mail in e-mail order, then id", async () => {
    const stem = `pe${Date.now().toString(36)}`;
    const made = [];
    for (const domain of [`${stem}.example`, `${stem}.example`, `${stem}b.example`, `${stem}a.example`]) {
      made.push(await createAccount({ email: `ops@${domain}`, company: null }));
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await searchAccounts(q(`ops@${stem}`), { limit: 1, cursor });
      expect(page.results.every((r) => r.matchedBy === "email_prefix")).toBe(true);
      seen.push(...page.results.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([made[0]!.id, made[1]!.id, made[3]!.id, made[2]!.id]);
  });

  it("still reads a cursor from before the partial matches", async () => {
    const stem = `old${Date.now().toString(36)}`;
    const a = await createAccount({ username: `${stem}-a` });
    const b = await createAccount({ username: `${stem}-b` });
    const legacy = Buffer.from(JSON.stringify({ after: a.username.toLowerCase() })).toString("base64url");
    const page = await searchAccounts(q(stem), { limit: 5, cursor: legacy });
    expect(page.results.map((r) => r.id)).toEqual([b.id]);
  });
});
