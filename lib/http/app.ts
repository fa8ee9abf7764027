import { Hono } from "hono";
import { createConsoleApp } from "./console-app";
import type { HttpBindings } from "./context";
import { createV3App } from "./v3-app";
import { createZendeskAppApi } from "./zendesk-app-app";

/**
 * The one HTTP pipeline: /api (the console) and /v3 (the customer API), each
 * a stack of middleware in front of domain operations. In production the
 * Node server (scripts/server.ts) answers both before Next sees the request;
 * under `next dev` the catch-all route handlers app/api/[...path] and
 * app/v3/[...path] mount this same app. Next renders pages only.
 */
export function createHttpApp(): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  // What Zendesk calls (the app's signed load, the triage webhook) proves itself: first, before the staff session.
  app.route("/api/zendesk-app", createZendeskAppApi());
  app.route("/api", createConsoleApp());
  app.route("/v3", createV3App());
  return app;
}

const holder = globalThis as unknown as { __scopedeskHttpApp?: ReturnType<typeof createHttpApp> };

/** The process's app, built once (also across Next's dev-mode module reloads). */
export function getHttpApp(): ReturnType<typeof createHttpApp> {
  holder.__scopedeskHttpApp ??= createHttpApp();
  return holder.__scopedeskHttpApp;
}

/** Which requests the pipeline answers: /api and /v3, except Auth.js's own /api/auth (Next serves it). */
export function isPipelinePath(url: string | undefined): boolean {
  if (!url) return false;
  const path = url.split("?", 1)[0]!;
  if (path === "/api/auth" || path.startsWith("/api/auth/")) return false;
  return path === "/api" || path.startsWith("/api/") || path === "/v3" || path.startsWith("/v3/");
}
