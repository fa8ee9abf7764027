import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { buildAppPackage, buildManifest, PACKAGE_FILES, scopedeskOrigin } from "./zendesk-app-package";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("the Zendesk app package", () => {
  it("is a zip of the manifest, its translations and logos, with the ticket sidebar at this Scopedesk, signed loads on", () => {
    const { zip, manifest } = buildAppPackage(ROOT, "https://scopedesk.example.com/");
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([...PACKAGE_FILES].sort());
    const inZip = JSON.parse(new TextDecoder().decode(files["manifest.json"]));
    expect(inZip).toEqual(manifest);
    expect(manifest).toMatchObject({
      frameworkVersion: "2.0",
      signedUrls: true,
      defaultLocale: "en",
      location: { support: { ticket_sidebar: { url: "https://scopedesk.example.com/api/zendesk-app/sidebar" } } },
    });
    // PNG logos, as uploaded.
    expect(Buffer.from(files["assets/logo.png"]!.slice(1, 4)).toString()).toBe("PNG");
    // The same sources make the same zip.
    expect(Buffer.from(buildAppPackage(ROOT, "https://scopedesk.example.com").zip).equals(Buffer.from(zip))).toBe(true);
  });

  it("takes an https URL (http on loopback only), and says what Zendesk would refuse in the manifest", () => {
    expect(scopedeskOrigin("http://localhost:3000")).toBe("http://localhost:3000");
    expect(scopedeskOrigin("https://support.example.com/scopedesk/")).toBe("https://support.example.com/scopedesk");
    expect(() => scopedeskOrigin("http://scopedesk.example.com")).toThrow(/must be https/);
    expect(() => scopedeskOrigin("https://scopedesk.example.com/?x=1")).toThrow(/just an origin/);
    expect(() => scopedeskOrigin("scopedesk")).toThrow(/public URL/);
    const template = {
      name: "x",
      author: { name: "a", email: "a@b.c" },
      defaultLocale: "en",
      private: true,
      location: { support: { ticket_sidebar: { url: "" } } },
      version: "1",
      frameworkVersion: "1.0",
      signedUrls: false,
    };
    expect(() => buildManifest(template, "https://s.example", {})).toThrow(/frameworkVersion[\s\S]*signedUrls[\s\S]*app\.name/);
  });
});
