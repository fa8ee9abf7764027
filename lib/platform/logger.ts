import "server-only";
import pino from "pino";
import { getConfig } from "@/lib/platform/config";

const holder = globalThis as unknown as { __scopedeskLogger?: pino.Logger };

/** Structured JSON logs on stdout. User mistakes are info, never error. */
export function getLogger(): pino.Logger {
  holder.__scopedeskLogger ??= pino({
    level: getConfig().logLevel,
    base: { app: "scopedesk" },
    redact: { paths: ["*.authorization", "*.cookie", "*.secret", "*.password"], censor: "[redacted]" },
  });
  return holder.__scopedeskLogger;
}
