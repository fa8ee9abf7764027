import "server-only";
import { createPublicKey, type KeyObject } from "node:crypto";
import { getConfig } from "@/lib/platform/config";
import { readAppPublicKeyPem } from "./zendesk-app-api";

/**
 * The installation's public key for signed loads: ZENDESK_APP_PUBLIC_KEY when
 * set, else fetched from the configured Zendesk and kept for an hour. A token
 * whose signature does not match a key older than a minute fetches it again
 * once (the key changes when the app is updated), so a stale cache costs one
 * refused load at most and nobody can make the server fetch it more often.
 */
const TTL_MS = 60 * 60_000;
const REFETCH_AFTER_MS = 60_000;

const holder = globalThis as unknown as { __scopedeskAppKey?: { key: Promise<KeyObject>; fetchedAt: number } };

export function appPublicKey(now = Date.now()): Promise<KeyObject> {
  const app = getConfig().zendeskApp;
  if (!app) return Promise.reject(new Error("The Zendesk app is not configured."));
  if (app.publicKeyPem) return Promise.resolve(createPublicKey(app.publicKeyPem));
  const cached = holder.__scopedeskAppKey;
  if (cached && now - cached.fetchedAt < TTL_MS) return cached.key;
  const key = readAppPublicKeyPem(app.appId).then((pem) => createPublicKey(pem));
  holder.__scopedeskAppKey = { key, fetchedAt: now };
  // A failed fetch is not remembered.
  key.catch(() => {
    if (holder.__scopedeskAppKey?.key === key) holder.__scopedeskAppKey = undefined;
  });
  return key;
}

/** After a signature mismatch: a key fetched more than a minute ago is fetched again; true when it was. */
export function refreshAppPublicKey(now = Date.now()): boolean {
  const app = getConfig().zendeskApp;
  const cached = holder.__scopedeskAppKey;
  if (!app || app.publicKeyPem || !cached || now - cached.fetchedAt < REFETCH_AFTER_MS) return false;
  holder.__scopedeskAppKey = undefined;
  return true;
}
