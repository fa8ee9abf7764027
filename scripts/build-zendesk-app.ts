/**
 * `npm run zendesk-app:build [-- --url https://scopedesk.example.com] [--out file.zip]`:
 * the Zendesk ticket-sidebar app as a zip a Zendesk admin uploads as a private
 * app (README, "Scopedesk in the Zendesk ticket sidebar"). The admin enters
 * Scopedesk's URL in the installation's settings (`scopedesk_url`); `--url`
 * (default AUTH_URL, when it is https) only pre-fills it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildAppPackage } from "./lib/zendesk-app-package";
import { loadDotEnv } from "./lib/env";

loadDotEnv();
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const authUrl = process.env.AUTH_URL?.startsWith("https://") ? process.env.AUTH_URL : undefined;
const url = option("url") ?? authUrl;
const out = path.resolve(option("out") ?? "zendesk-app/dist/scopedesk-zendesk-app.zip");

try {
  const { zip, manifest } = buildAppPackage(process.cwd(), url);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  console.log(
    `${out} (${zip.length} bytes): Scopedesk ${manifest.version}, ticket sidebar at ${manifest.location.support.ticket_sidebar.url}`,
  );
  const preset = manifest.parameters?.find((p) => p.name === "scopedesk_url")?.default;
  console.log(
    preset
      ? `The installation's "Scopedesk URL" setting is pre-filled with ${preset}.`
      : `Enter Scopedesk's URL (e.g. https://scopedesk.example.com) in the installation's "Scopedesk URL" setting.`,
  );
  console.log("Upload it in Admin Center > Apps and integrations > Zendesk Support apps > Upload private app, then install it.");
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
