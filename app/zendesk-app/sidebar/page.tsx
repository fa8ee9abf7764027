import type { Metadata } from "next";
import { headers } from "next/headers";
import { SidebarApp } from "@/components/zendesk-sidebar/sidebar-app";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { getConfig } from "@/lib/platform/config";

export const metadata: Metadata = { title: "Scopedesk in Zendesk" };

/**
 * The Zendesk ticket sidebar (decision 030), which only the configured Zendesk
 * may frame (proxy.ts). Unlike the console's pages it calls no guardPage: it
 * is a shell that shows no data by itself. Everything it shows comes through
 * the pipeline with the sidebar's own session (opened by the signed load,
 * POST /api/zendesk-app/sidebar), under the same permissions as the console.
 */
export default async function ZendeskSidebarPage() {
  const config = getConfig();
  // The request's CSP carries this page's nonce (proxy.ts); the Apps framework SDK is loaded with it.
  const nonce = /'nonce-([^']+)'/.exec((await headers()).get("content-security-policy") ?? "")?.[1] ?? "";
  if (!config.zendeskApp) {
    return (
      <main className="p-3 text-sm">
        <p role="alert">The Zendesk app is not configured on this Scopedesk (ZENDESK_APP_ID, ZENDESK_APP_INSTALLATION_ID).</p>
      </main>
    );
  }
  return (
    <SidebarApp
      helpdesk={{ ...config.helpdesk, connected: helpdeskConnection().connected }}
      sdkUrl={config.zendeskApp.sdkUrl}
      nonce={nonce}
    />
  );
}
