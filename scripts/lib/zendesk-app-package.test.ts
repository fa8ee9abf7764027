import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  buildAppPackage,
  buildManifest,
  PACKAGE_FILES,
  resolveLocationUrl,
  scopedeskOrigin,
  SIDEBAR_LOCATION,
} from "./zendesk-app-package";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("the Zendesk app package", () => {
  it("is a zip of the manifest, its translations and logos, the sidebar at the installation's Scopedesk URL setting, signed loads on", () => {
    const { zip, manifest } = buildAppPackage(ROOT, "https://scopedesk.example.com/");
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([...PACKAGE_FILES].sort());
    const inZip = JSON.parse(new TextDecoder().decode(files["manifest.json"]));
    expect(inZip).toEqual(manifest);
    expect(manifest).toMatchObject({
      frameworkVersion: "2.0",
      signedUrls: true,
      defaultLocale: "en",
      location: { support: { ticket_sidebar: { url: "{{setting.scopedesk_url}}/api/zendesk-app/sidebar" } } },
      // A plain url setting: a secure one is never given to the browser, which loads the location.
      parameters: [{ name: "scopedesk_url", type: "url", required: true, secure: false, default: "https://scopedesk.example.com" }],
    });
    // What Zendesk loads once the admin has entered the setting.
    expect(resolveLocationUrl(manifest.location.support.ticket_sidebar.url, { scopedesk_url: "https://sd.acme.example" })).toBe(
      "https://sd.acme.example/api/zendesk-app/sidebar",
    );
    expect(() => resolveLocationUrl(SIDEBAR_LOCATION, {})).toThrow(/no setting scopedesk_url/);
    // Without --url the admin enters it at installation: no default.
    const bare = buildAppPackage(ROOT, undefined).manifest;
    expect(bare.parameters).toEqual([{ name: "scopedesk_url", type: "url", required: true, secure: false }]);
    const translations = JSON.parse(new TextDecoder().decode(files["translations/en.json"]));
    expect(translations.app.parameters.scopedesk_url.label).toBe("Scopedesk URL");
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
      location: { support: { ticket_sidebar: { url: "https://s.example/api/zendesk-app/sidebar" } } },
      parameters: [{ name: "scopedesk_url", type: "url", required: true, secure: true }],
      version: "1",
      frameworkVersion: "1.0",
      signedUrls: false,
    };
    expect(() => buildManifest(template, "https://s.example", {})).toThrow(
      /location[\s\S]*scopedesk_url of type url, required, not secure[\s\S]*frameworkVersion[\s\S]*signedUrls[\s\S]*app\.name/,
    );
  });
});
