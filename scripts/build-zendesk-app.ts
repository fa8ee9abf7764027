/**
 * `npm run zendesk-app:build -- --url https://scopedesk.example.com [--out file.zip]`:
 * the Zendesk ticket-sidebar app as a zip a Zendesk admin uploads as a private
 * app (README, "Scopedesk in the Zendesk ticket sidebar"). The URL defaults to
 * AUTH_URL, the console's public URL.
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
const url = option("url") ?? process.env.AUTH_URL;
const out = path.resolve(option("out") ?? "zendesk-app/dist/scopedesk-zendesk-app.zip");

try {
  if (!url) throw new Error("Say where Scopedesk is: --url https://scopedesk.example.com (or set AUTH_URL).");
  const { zip, manifest } = buildAppPackage(process.cwd(), url);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  console.log(
    `${out} (${zip.length} bytes): Scopedesk ${manifest.version}, ticket sidebar at ${manifest.location.support.ticket_sidebar.url}`,
  );
  console.log("Upload it in Admin Center > Apps and integrations > Zendesk Support apps > Upload private app, then install it.");
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
