import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ADMIN_SCOPES,
  ALL_SCOPES,
  CATALOG_SOURCE,
  CATALOG_VERSION,
  canonicalCatalogJson,
  DEFAULT_ACCOUNT_SCOPES,
  ERASE_JOB_SCOPES,
  eraseJobScopesOf,
  groupById,
  groupOf,
  groupScopes,
  isKnownScope,
  isPlatformManagedScope,
  normalizeScopes,
  PERSONAS,
  SCOPE_GROUPS,
  SCOPE_NOTES,
  scopesAfterReset,
} from "./catalog";
import { scopeSetFingerprint } from "./fingerprint";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const seedPath = `${repoRoot}${CATALOG_SOURCE}`;
const sharedSeedPath = fileURLToPath(new URL("../shared/seeds/003_e18368984cf50c29.txt", `file://${repoRoot}`));
const seed = readFileSync(seedPath, "utf8");

interface SeedBlock {
  offset: number;
  scopes: string[];
}

/** Every `"scopes": [ ... ]` block, with every double-quoted string inside it. */
function seedBlocks(text: string): SeedBlock[] {
  const blocks: SeedBlock[] = [];
  const opener = /"scopes"\s*:\s*\[/g;
  for (let m = opener.exec(text); m !== null; m = opener.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf("]", start);
    if (end < 0) throw new Error(`unterminated scopes block at offset ${m.index}`);
    const scopes = [...text.slice(start, end).matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
    blocks.push({ offset: m.index, scopes });
  }
  return blocks;
}

const blocks = seedBlocks(seed);
const personasAt = seed.indexOf("We currently provide four SSO Teammate personas");
const adminAt = seed.indexOf("Below is a complete list of every permission that is given to an admin Teammate.");
const groupBlocks = blocks.filter((b) => b.offset < personasAt);
const personaBlocks = blocks.filter((b) => b.offset > personasAt && b.offset < adminAt);
const adminBlocks = blocks.filter((b) => b.offset > adminAt);

const dedupe = (xs: readonly string[]) => [...new Set(xs)];

describe("seed parsing (sanity of the test itself)", () => {
  it("finds the group blocks, four persona blocks and one admin block", () => {
    expect(personasAt).toBeGreaterThan(0);
    expect(adminAt).toBeGreaterThan(personasAt);
    expect(groupBlocks.length).toBe(34);
    expect(personaBlocks.length).toBe(4);
    expect(adminBlocks.length).toBe(1);
    for (const b of blocks) {
      expect(b.scopes.length).toBeGreaterThan(0);
      for (const s of b.scopes) expect(s).toMatch(/^[a-z0-9_.]+$/);
    }
  });
});

describe("catalog vs seed", () => {
  it("(a) knows every scope in every seed block", () => {
    const unknown = blocks.flatMap((b) => b.scopes).filter((s) => !isKnownScope(s));
    expect(unknown).toEqual([]);
  });

  it("(a) knows every persona and admin scope", () => {
    const all = [...PERSONAS.flatMap((p) => p.scopes), ...ADMIN_SCOPES];
    expect(all.filter((s) => !isKnownScope(s))).toEqual([]);
  });

  it("has nothing the seeds do not publish", () => {
    const published = new Set([...blocks.flatMap((b) => b.scopes), ...ERASE_JOB_SCOPES]);
    expect(ALL_SCOPES.filter((s) => !published.has(s))).toEqual([]);
  });

  it("notes every scope that is in no seed group block, and only known scopes", () => {
    const inGroupBlocks = new Set(groupBlocks.flatMap((b) => b.scopes));
    const outside = ALL_SCOPES.filter((s) => !inGroupBlocks.has(s));
    expect(outside.sort()).toEqual(Object.keys(SCOPE_NOTES).sort());
    for (const [scope, note] of Object.entries(SCOPE_NOTES)) {
      expect(isKnownScope(scope)).toBe(true);
      if (note.variantOf !== undefined) expect(groupOf(note.variantOf)).toBe(groupOf(scope));
    }
    expect(SCOPE_NOTES["di.bounce_block_classification.read"]?.kind).toBe("variant");
    expect(SCOPE_NOTES["user.webhooks.parse.stats.read"]?.kind).toBe("personas_admin_only");
  });

  it("keeps each group's scopes in seed order", () => {
    for (const group of SCOPE_GROUPS) {
      const fromSeed = group.scopes.filter((s) => !(s in SCOPE_NOTES));
      if (fromSeed.length === 0) continue;
      const block =
        groupBlocks.find((b) => b.scopes.includes(fromSeed[0]!) && b.scopes.length > 1) ??
        groupBlocks.find((b) => b.scopes.includes(fromSeed[0]!));
      expect(block, group.id).toBeDefined();
      expect(fromSeed, group.id).toEqual(dedupe(block!.scopes));
    }
  });

  it("(c) admin list equals the seed's admin block", () => {
    expect(ADMIN_SCOPES).toEqual(dedupe(adminBlocks[0]!.scopes));
    expect(ADMIN_SCOPES.length).toBe(278);
  });

  it("(d) each persona equals its seed block, in published order", () => {
    expect(PERSONAS.map((p) => p.id)).toEqual(["accountant", "developer", "marketer", "observer"]);
    expect(PERSONAS.map((p) => p.label)).toEqual(["Accountant", "Developer", "Marketer", "Observer"]);
    PERSONAS.forEach((persona, i) => {
      expect(persona.scopes, persona.id).toEqual(dedupe(personaBlocks[i]!.scopes));
    });
  });

  it.skipIf(!existsSync(sharedSeedPath))("(g) the shared seed copy is byte-identical", () => {
    expect(readFileSync(sharedSeedPath).equals(readFileSync(seedPath))).toBe(true);
  });
});

describe("catalog structure", () => {
  it("(b) puts every scope in exactly one group", () => {
    const count = new Map<string, number>();
    for (const g of SCOPE_GROUPS) for (const s of g.scopes) count.set(s, (count.get(s) ?? 0) + 1);
    expect([...count].filter(([, n]) => n !== 1)).toEqual([]);
    expect(ALL_SCOPES.length).toBe(count.size);
    for (const g of SCOPE_GROUPS) for (const s of g.scopes) expect(groupOf(s)).toBe(g);
  });

  it("has unique slug ids, labels and one-sentence descriptions", () => {
    const ids = SCOPE_GROUPS.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const g of SCOPE_GROUPS) {
      expect(g.id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(g.label.trim()).not.toBe("");
      expect(g.description).toMatch(/^[A-Z].*\.$/);
      expect(g.scopes.length).toBeGreaterThan(0);
      expect(groupById(g.id)).toBe(g);
    }
    expect(groupById("nope")).toBeUndefined();
  });

  it("homes the scopes the seed lists twice where the catalog says", () => {
    expect(groupOf("messages.read")?.id).toBe("email_activity");
    expect(groupOf("email_activity.read")?.id).toBe("legacy_email_activity");
    expect(groupOf("subusers.stats.read")?.id).toBe("subusers");
    expect(groupOf("mail_settings.forward_bounce.create")?.id).toBe("mail_settings");
    expect(groupOf("access_settings.whitelist.read")?.label).toBe("IP access management (listed under Reverse DNS)");
    expect(groupOf("api_keys.create")?.label).toBe("API keys");
    expect(groupOf("user.webhooks.parse.stats.read")?.id).toBe("stats");
    expect(groupOf("di.bounce_block_classification.read")?.id).toBe("deliverability_insights");
  });

  it("(e) has the erase-job scopes in their own group and in the defaults", () => {
    const g = groupById("recipients_erasure");
    expect(g?.label).toBe("Recipients' data erasure");
    expect(g?.scopes).toEqual([...ERASE_JOB_SCOPES]);
    for (const s of ERASE_JOB_SCOPES) {
      expect(groupOf(s)).toBe(g);
      expect(DEFAULT_ACCOUNT_SCOPES).toContain(s);
      expect(ADMIN_SCOPES).not.toContain(s);
    }
  });

  it("builds DEFAULT_ACCOUNT_SCOPES as admin + erase-job, sorted and unique", () => {
    expect(DEFAULT_ACCOUNT_SCOPES).toEqual(normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]));
    expect(DEFAULT_ACCOUNT_SCOPES.length).toBe(280);
    expect([...DEFAULT_ACCOUNT_SCOPES].sort()).toEqual(DEFAULT_ACCOUNT_SCOPES);
  });

  it("(h) CATALOG_VERSION matches a recomputation", () => {
    const hex = createHash("sha256").update(canonicalCatalogJson(), "utf8").digest("hex");
    expect(CATALOG_VERSION).toBe(`seed003-${hex.slice(0, 12)}`);
  });
});

describe("normalizeScopes", () => {
  it("trims, drops empties, dedupes and sorts by code unit", () => {
    expect(normalizeScopes([" b ", "a", "", "   ", "a", "B", "\tb\n", "é", "z"])).toEqual(["B", "a", "b", "z", "é"]);
  });
  it("accepts any iterable", () => {
    expect(normalizeScopes(new Set(["y", "x"]))).toEqual(["x", "y"]);
    expect(normalizeScopes([])).toEqual([]);
  });
});

describe("platform-managed scopes", () => {
  it("matches 2fa_*, sender_verification_*, ui.*, signup.*", () => {
    for (const s of [
      "2fa_exempt",
      "2fa_required",
      "sender_verification_eligible",
      "sender_verification_legacy",
      "ui.provision",
      "ui.signup_complete",
      "signup.trigger_confirmation",
    ]) {
      expect(isPlatformManagedScope(s), s).toBe(true);
    }
    for (const s of ["mail.send", "user.multifactor_authentication.read", "2fa", "uix.thing", "signups.read", "recipients.erasejob.read"]) {
      expect(isPlatformManagedScope(s), s).toBe(false);
    }
  });

  it("scopesAfterReset grants the defaults but keeps platform-managed scopes as they were", () => {
    const before = ["mail.send", "2fa_exempt", "custom.legacy", "ui.provision"];
    const after = scopesAfterReset(before);
    expect(after).toContain("recipients.erasejob.create");
    expect(after).toContain("recipients.erasejob.read");
    expect(after).toContain("2fa_exempt");
    expect(after).toContain("ui.provision");
    expect(after).not.toContain("2fa_required");
    expect(after).not.toContain("ui.confirm_email");
    expect(after).not.toContain("custom.legacy");
    expect(after).toEqual(normalizeScopes(after));
    const nonManaged = DEFAULT_ACCOUNT_SCOPES.filter((s) => !isPlatformManagedScope(s));
    expect(after.filter((s) => !isPlatformManagedScope(s))).toEqual(nonManaged);
  });
});

describe("groupScopes", () => {
  it("(f) groups known scopes in catalog order and puts unknown ones apart", () => {
    const result = groupScopes(["zzz.custom", "alerts.update", "mail.send", "alerts.create", "aaa.custom", " alerts.create ", ""]);
    expect(result.unknown).toEqual(["aaa.custom", "zzz.custom"]);
    expect(result.groups).toEqual([
      { id: "alerts", label: "Alerts", present: ["alerts.create", "alerts.update"], total: 4 },
      { id: "mail_send", label: "Mail Send", present: ["mail.send"], total: 5 },
    ]);
  });

  it("returns nothing for an empty set", () => {
    expect(groupScopes([])).toEqual({ groups: [], unknown: [] });
  });

  it("covers every default scope with no unknowns", () => {
    const r = groupScopes(DEFAULT_ACCOUNT_SCOPES);
    expect(r.unknown).toEqual([]);
    expect(r.groups.reduce((n, g) => n + g.present.length, 0)).toBe(DEFAULT_ACCOUNT_SCOPES.length);
  });
});

describe("eraseJobScopesOf", () => {
  it("reports both, one or none", () => {
    expect(eraseJobScopesOf(["recipients.erasejob.read", "recipients.erasejob.create"])).toEqual({
      create: true,
      read: true,
      both: true,
      missing: [],
    });
    expect(eraseJobScopesOf(["recipients.erasejob.read"])).toEqual({
      create: false,
      read: true,
      both: false,
      missing: ["recipients.erasejob.create"],
    });
    expect(eraseJobScopesOf(["recipients.erasejob.create"])).toEqual({
      create: true,
      read: false,
      both: false,
      missing: ["recipients.erasejob.read"],
    });
    expect(eraseJobScopesOf([])).toEqual({ create: false, read: false, both: false, missing: [...ERASE_JOB_SCOPES] });
  });
  it("does not match look-alikes", () => {
    expect(eraseJobScopesOf(["recipients.erasejob", "Recipients.erasejob.read"]).missing).toEqual([...ERASE_JOB_SCOPES]);
  });
});

describe("scopeSetFingerprint", () => {
  it("is the sha256 of the normalised set joined by newlines", () => {
    expect(scopeSetFingerprint([])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const expected = createHash("sha256").update("a.read\nb.read").digest("hex");
    expect(scopeSetFingerprint(["b.read", "a.read"])).toBe(expected);
    expect(scopeSetFingerprint([" a.read", "b.read", "a.read", ""])).toBe(expected);
    expect(scopeSetFingerprint(DEFAULT_ACCOUNT_SCOPES)).toMatch(/^[0-9a-f]{64}$/);
  });
});
