/**
 * The Zendesk app package (zendesk-app/, decision 030): manifest.json, its
 * translations and logos, zipped (fflate) as a Zendesk admin uploads a private
 * app. The ticket sidebar's location is `{{setting.scopedesk_url}}/api/zendesk-app/sidebar`:
 * Zendesk fills the placeholder from the installation's setting `scopedesk_url`
 * (a plain `url` parameter, required, not secure: a secure setting's value is
 * never given to the browser, which must load the location), so one package
 * serves any Scopedesk; `--url` only pre-fills the setting (its `default`).
 * The manifest is checked here against what Zendesk's own validation
 * (zendesk_apps_support, which `zcli apps:validate` sends the package to)
 * refuses: author and defaultLocale present, a translations file for the
 * default locale with the app's name, framework 2.0, a location URL that is
 * https or a `{{setting.…}}` placeholder, parameters of a known type. Pure but
 * for reading the folder.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { strToU8, zipSync, type Zippable } from "fflate";

export const APP_SOURCE = "zendesk-app";
/** What the package holds, as a Zendesk admin uploads it. */
export const PACKAGE_FILES = ["manifest.json", "translations/en.json", "assets/logo.png", "assets/logo-small.png"] as const;
export const SIDEBAR_PATH = "/api/zendesk-app/sidebar";
/** The installation setting that holds Scopedesk's address. */
export const SCOPEDESK_URL_SETTING = "scopedesk_url";
export const SIDEBAR_LOCATION = `{{setting.${SCOPEDESK_URL_SETTING}}}${SIDEBAR_PATH}`;
// Fixed, so the same sources always make the same zip.
const MTIME = new Date("2026-12-04T00:00:00Z");

interface Manifest {
  name: string;
  author: { name: string; email: string; url?: string };
  defaultLocale: string;
  private: boolean;
  location: { support: { ticket_sidebar: { url: string; flexible?: boolean } } };
  version: string;
  frameworkVersion: string;
  signedUrls: boolean;
  parameters?: AppParameter[];
}

interface AppParameter {
  name: string;
  type?: string;
  required?: boolean;
  secure?: boolean;
  default?: string;
}

/** The Scopedesk URL an admin's Zendesk will load: https, or loopback for a local try-out. */
export function scopedeskOrigin(url: string): string {
  if (!URL.canParse(url)) throw new Error(`--url must be Scopedesk's public URL, e.g. https://scopedesk.example.com (got "${url}")`);
  const parsed = new URL(url);
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
    throw new Error(`--url must be https (Zendesk refuses other location URLs; http only on localhost): ${url}`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) throw new Error(`--url must be just an origin and path: ${url}`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

/**
 * The manifest as uploaded, with the Scopedesk URL setting pre-filled when a URL
 * is given; throws naming what Zendesk would refuse (or what would not reach Scopedesk).
 */
export function buildManifest(template: Manifest, url: string | undefined, translations: Record<string, unknown>): Manifest {
  const manifest: Manifest = structuredClone(template);
  const problems: string[] = [];
  if (manifest.location?.support?.ticket_sidebar?.url !== SIDEBAR_LOCATION) {
    problems.push(`location.support.ticket_sidebar.url must be ${SIDEBAR_LOCATION}`);
  }
  const setting = manifest.parameters?.find((p) => p.name === SCOPEDESK_URL_SETTING);
  if (!setting || setting.type !== "url" || setting.required !== true || setting.secure !== false) {
    problems.push(
      `parameters must have ${SCOPEDESK_URL_SETTING} of type url, required, not secure (a secure setting never reaches the browser that loads the location)`,
    );
  } else if (url !== undefined) {
    setting.default = scopedeskOrigin(url);
  }
  if (!manifest.author?.name || !manifest.author?.email) problems.push("author (name and email) is required");
  if (manifest.defaultLocale !== "en") problems.push('defaultLocale must be "en" (translations/en.json)');
  if (manifest.frameworkVersion !== "2.0") problems.push('frameworkVersion must be "2.0"');
  if (manifest.signedUrls !== true) problems.push("signedUrls must be true: Scopedesk accepts only Zendesk's signed loads");
  if (typeof manifest.private !== "boolean") problems.push("private must be a boolean");
  const app = (translations as { app?: { name?: unknown } }).app;
  if (typeof app?.name !== "string" || app.name === "") problems.push("translations/en.json must have app.name");
  if (problems.length > 0) throw new Error(`The Zendesk app's manifest is not valid:\n  - ${problems.join("\n  - ")}`);
  return manifest;
}

/** The zip an admin uploads (Admin Center > Apps and integrations > Zendesk Support apps > Upload private app). */
export function buildAppPackage(root: string, url: string | undefined): { zip: Uint8Array; manifest: Manifest } {
  const read = (file: string) => readFileSync(path.join(root, APP_SOURCE, file));
  const translations = JSON.parse(read("translations/en.json").toString("utf8")) as Record<string, unknown>;
  const manifest = buildManifest(JSON.parse(read("manifest.json").toString("utf8")) as Manifest, url, translations);
  const files: Zippable = {};
  for (const file of PACKAGE_FILES) {
    const content = file === "manifest.json" ? strToU8(`${JSON.stringify(manifest, null, 2)}\n`) : new Uint8Array(read(file));
    files[file] = [content, { mtime: MTIME }];
  }
  return { zip: zipSync(files, { level: 9 }), manifest };
}

/**
 * What Zendesk loads for a location: its `{{setting.name}}` placeholders replaced
 * with the installation's settings, as they are (the development Zendesk does the same).
 */
export function resolveLocationUrl(location: string, settings: Record<string, string>): string {
  return location.replace(/\{\{setting\.([A-Za-z0-9_]+)\}\}/g, (_, name: string) => {
    const value = settings[name];
    if (value === undefined) throw new Error(`The installation has no setting ${name}.`);
    return value;
  });
}

/** The app's manifest as it is in zendesk-app/ (the development Zendesk installs it from there). */
export function readAppManifest(root: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, APP_SOURCE, "manifest.json"), "utf8")) as Manifest;
}
