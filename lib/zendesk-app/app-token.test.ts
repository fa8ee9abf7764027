import { createHash, generateKeyPairSync } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { appTokenAudience, verifyAppToken, type AppTokenExpectation } from "./app-token";

const pair = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const zendesk = pair();
const other = pair();
const EXPECT: AppTokenExpectation = { baseUrl: "https://acme.zendesk.com", installationId: "360001" };
const NOW = new Date("2026-12-04T10:00:00Z");
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A token as Zendesk signs it for the first load of the installation. */
function sign(
  claims: Record<string, unknown> = {},
  options: { key?: ReturnType<typeof pair>["privateKey"]; iat?: number; exp?: number } = {},
) {
  const iat = options.iat ?? seconds(NOW) - 5;
  return new SignJWT({
    iss: "acme.zendesk.com",
    aud: appTokenAudience(EXPECT),
    sub: "https://acme.zendesk.com/api/v2/users/7001.json",
    context: { product: "support", location: "ticket_sidebar" },
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 300)
    .sign(options.key ?? zendesk.privateKey);
}

const verify = async (token: string, now = NOW) => verifyAppToken(token, zendesk.publicKey, EXPECT, now);

describe("verifying the token of a signed app load", () => {
  it("accepts Zendesk's token for this installation and names the agent", async () => {
    const token = await sign();
    const result = await verify(token);
    expect(result).toMatchObject({ ok: true, token: { zendeskUserId: "7001" } });
    if (result.ok) {
      expect(result.token.expiresAt.getTime()).toBe((seconds(NOW) + 295) * 1000);
      expect(result.token.digest).toMatch(/^[0-9a-f]{64}$/);
    }
    // The agent may be named by id, as a number or digits, and the issuer by its URL.
    expect(await verify(await sign({ sub: 7002 }))).toMatchObject({ ok: true, token: { zendeskUserId: "7002" } });
    expect(await verify(await sign({ sub: "7003", iss: "https://acme.zendesk.com" }))).toMatchObject({ ok: true });
  });

  it("refuses a token signed with another key", async () => {
    expect(await verify(await sign({}, { key: other.privateKey }))).toMatchObject({ ok: false, refusal: "bad_signature" });
  });

  it("refuses a token for another installation, app or account", async () => {
    const wrongAudience = await sign({ aud: "https://acme.zendesk.com/api/v2/apps/installations/360002.json" });
    expect(await verify(wrongAudience)).toMatchObject({ ok: false, refusal: "wrong_audience" });
    const foreignAudience = await sign({ aud: "https://evil.zendesk.com/api/v2/apps/installations/360001.json" });
    expect(await verify(foreignAudience)).toMatchObject({ ok: false, refusal: "wrong_audience" });
    expect(await verify(await sign({ iss: "evil.zendesk.com" }))).toMatchObject({ ok: false, refusal: "wrong_issuer" });
    expect(await verify(await sign({ iss: "acme.zendesk.com.evil.example" }))).toMatchObject({ ok: false, refusal: "wrong_issuer" });
  });

  it("refuses an expired token, beyond a 30 s clock skew, and one not valid yet", async () => {
    const token = await sign({}, { iat: seconds(NOW) - 400, exp: seconds(NOW) - 40 });
    expect(await verify(token)).toMatchObject({ ok: false, refusal: "expired" });
    const justExpired = await sign({}, { iat: seconds(NOW) - 320, exp: seconds(NOW) - 20 });
    expect(await verify(justExpired)).toMatchObject({ ok: true });
    expect(await verify(await sign({ nbf: seconds(NOW) + 120 }))).toMatchObject({ ok: false, refusal: "not_yet_valid" });
  });

  it("refuses tokens without an agent, or naming a user of another account", async () => {
    expect(await verify(await sign({ sub: undefined }))).toMatchObject({ ok: false, refusal: "malformed" });
    expect(await verify(await sign({ sub: "https://evil.zendesk.com/api/v2/users/7001.json" }))).toMatchObject({
      ok: false,
      refusal: "no_agent",
    });
    expect(await verify(await sign({ sub: "agent@acme.example" }))).toMatchObject({ ok: false, refusal: "no_agent" });
  });

  it("refuses what is not an RS256 JWT: HS256 with the public key as secret, alg none, garbage, oversize", async () => {
    const publicPem = zendesk.publicKey.export({ type: "spki", format: "pem" }).toString();
    const hs = await new SignJWT({ iss: "acme.zendesk.com", aud: appTokenAudience(EXPECT), sub: "7001" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(seconds(NOW) + 300)
      .sign(new TextEncoder().encode(publicPem));
    expect(await verify(hs)).toMatchObject({ ok: false, refusal: "malformed" });
    const [header, body] = (await sign()).split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${body}.`;
    expect(await verify(none)).toMatchObject({ ok: false, refusal: "malformed" });
    expect(await verify(`${header}.${body}.AAAA`)).toMatchObject({ ok: false, refusal: "bad_signature" });
    expect(await verify("not-a-token")).toMatchObject({ ok: false, refusal: "malformed" });
    expect(await verify("")).toMatchObject({ ok: false, refusal: "malformed" });
    expect(await verify(`${header}.${"a".repeat(9000)}.x`)).toMatchObject({ ok: false, refusal: "malformed" });
  });

  it("keys the replay guard on the signed part, and refuses a signature re-spelled in another base64url form", async () => {
    const token = await sign();
    const [header, body, signature] = token.split(".") as [string, string, string];
    // 256 signature bytes take 342 characters; the last one carries 2 bits, so flipping its lowest bit keeps the bytes.
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = ALPHABET.indexOf(signature.at(-1)!);
    const respelled = `${header}.${body}.${signature.slice(0, -1)}${ALPHABET[last ^ 1]}`;
    expect(respelled).not.toBe(token);
    expect(Buffer.from(respelled.split(".")[2]!, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    // jose itself accepts both spellings: a guard keyed on the token's text would take the second for a new token.
    await expect(jwtVerify(respelled, zendesk.publicKey, { currentDate: NOW })).resolves.toBeDefined();
    expect(await verify(respelled)).toMatchObject({ ok: false, refusal: "malformed" });
    // The key does not depend on the signature's spelling at all: it is the SHA-256 of header.payload.
    const result = await verify(token);
    expect(result.ok && result.token.digest).toBe(createHash("sha256").update(`${header}.${body}`).digest("hex"));
  });
});
