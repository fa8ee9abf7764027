import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoAuthSecret, demoSecretPath } from "./demo-secret";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "scopedesk-demo-secret-"));
  dirs.push(dir);
  return path.join(dir, "scopedesk", "demo-auth-secret");
};

describe("the demo's session secret", () => {
  it("lives under XDG_STATE_HOME, else ~/.local/state", () => {
    expect(demoSecretPath({ XDG_STATE_HOME: "/state" })).toBe("/state/scopedesk/demo-auth-secret");
    expect(demoSecretPath({})).toMatch(/\/\.local\/state\/scopedesk\/demo-auth-secret$/);
  });

  it("is made once, readable by its owner only, and reused", () => {
    const file = tempFile();
    const first = demoAuthSecret(file);
    expect(first).toMatchObject({ created: true, file });
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(demoAuthSecret(file)).toEqual({ secret: first.secret, file, created: false });
  });

  it("refuses a file that holds no proper secret", () => {
    const file = tempFile();
    demoAuthSecret(file);
    writeFileSync(file, "short\n");
    expect(() => demoAuthSecret(file)).toThrow(/delete it/);
    expect(readFileSync(file, "utf8")).toBe("short\n");
  });
});
