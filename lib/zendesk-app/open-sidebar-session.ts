import "server-only";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { newSessionSecret, sessionKeyOf, sessionReference } from "@/lib/auth/session-secret";
import type { Role } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { claimOnce } from "@/lib/platform/replay-guard";
import { appPublicKey, refreshAppPublicKey } from "./app-public-key";
import { APP_TOKEN_CLOCK_SKEW_SECONDS, verifyAppToken, type AppTokenRefusal } from "./app-token";
import { sidebarCredential, sidebarCsrfToken } from "./sidebar-credential";
import { readZendeskAgent, ZendeskAppReadError } from "./zendesk-app-api";

/**
 * A signed load of the Zendesk app becomes a sidebar session (decision 030):
 *  1. the token is Zendesk's, for this installation and account, not expired;
 *  2. it was never used before (the replay guard, in Postgres, committed before
 *     anything else happens: a token is spent even if a later step fails);
 *  3. the agent it names is an active Zendesk agent, read from Zendesk;
 *  4. the agent's e-mail is one live (not disabled) staff member's;
 * then a staff_session row of kind zendesk_sidebar opens, with an audit event,
 * in one transaction. Refusals after a genuine token (steps 3 and 4) are
 * audited too; a forged or foreign token is only logged.
 */
export type SidebarRefusal =
  | AppTokenRefusal
  | "not_configured"
  | "key_unavailable"
  | "replayed"
  | "helpdesk_unavailable"
  | "unknown_agent"
  | "not_an_agent"
  | "unknown_staff"
  | "ambiguous_staff"
  | "disabled_staff";

export type SidebarOpening =
  | {
      ok: true;
      credential: string;
      csrfToken: string;
      expiresAt: Date;
      staff: { id: string; name: string; email: string; role: Role };
    }
  | { ok: false; refusal: SidebarRefusal; message: string };

const SYSTEM = { id: null, name: "Zendesk app", email: null };

export async function openSidebarSession(token: string, meta: RequestMeta, now = new Date()): Promise<SidebarOpening> {
  const config = getConfig();
  const app = config.zendeskApp;
  if (!app) return refuse("not_configured", "The Zendesk app is not configured on this Scopedesk (ZENDESK_APP_ID).");
  const expectation = { baseUrl: config.helpdesk.baseUrl, installationId: app.installationId };

  let check;
  try {
    check = await verifyAppToken(token, await appPublicKey(now.getTime()), expectation, now);
    if (!check.ok && check.refusal === "bad_signature" && refreshAppPublicKey(now.getTime())) {
      check = await verifyAppToken(token, await appPublicKey(now.getTime()), expectation, now);
    }
  } catch (error) {
    getLogger().warn({ err: error }, "the Zendesk app's public key could not be read");
    return refuse("key_unavailable", "Scopedesk could not read the app's public key from Zendesk. Reload the app in a minute.");
  }
  if (!check.ok) {
    getLogger().info({ refusal: check.refusal, requestId: meta.requestId }, "Zendesk app load refused");
    return check;
  }
  const verified = check.token;

  const fresh = await getDb().$transaction((tx) =>
    claimOnce(tx, "zendesk_app_token", verified.digest, new Date(verified.expiresAt.getTime() + APP_TOKEN_CLOCK_SKEW_SECONDS * 1000)),
  );
  if (!fresh) return refuse("replayed", "This signed load was used already: reload the app in Zendesk for a new one.");

  let agent;
  try {
    agent = await readZendeskAgent(verified.zendeskUserId);
  } catch (error) {
    getLogger().warn({ err: error instanceof ZendeskAppReadError ? error.message : error }, "the Zendesk agent could not be read");
    return refuse("helpdesk_unavailable", "Zendesk did not say who opened the app. Reload the app in a minute.");
  }
  const zendeskUser = { zendeskUserId: verified.zendeskUserId, zendeskEmail: agent?.email ?? null };
  if (!agent || !agent.email) {
    return refusedAndAudited(
      meta,
      "unknown_agent",
      "Zendesk does not know the user who opened the app, or the user has no e-mail.",
      zendeskUser,
    );
  }
  if (!agent.active || (agent.role !== "agent" && agent.role !== "admin")) {
    return refusedAndAudited(meta, "not_an_agent", "Only active Zendesk agents may use the Scopedesk app.", zendeskUser);
  }

  const expiresAt = new Date(now.getTime() + app.sessionMinutes * 60_000);
  return getDb().$transaction(async (tx): Promise<SidebarOpening> => {
    const staff = await tx.$queryRaw<{ id: string; name: string; email: string; role: Role; disabled_at: Date | null }[]>`
      SELECT id::text AS id, name, email, role::text AS role, disabled_at
        FROM staff_user WHERE lower(email) = lower(${agent.email}) ORDER BY created_at LIMIT 2`;
    const audit = (action: string, target: { type: string; id: string }, details: Record<string, unknown>) =>
      appendAuditEvent(tx, { actor: SYSTEM, action, target, details: { ...zendeskUser, ...details }, meta });
    if (staff.length !== 1) {
      const refusal = staff.length === 0 ? "unknown_staff" : "ambiguous_staff";
      await audit("auth.zendesk_sidebar_refused", { type: "zendesk_user", id: verified.zendeskUserId }, { reason: refusal });
      return staff.length === 0
        ? refuse(
            refusal,
            `No Scopedesk staff member has the e-mail ${agent.email}. Sign in to Scopedesk once, or ask an admin to give you access.`,
          )
        : refuse(refusal, `Several Scopedesk staff members have the e-mail ${agent.email}; an admin must resolve it.`);
    }
    const member = staff[0]!;
    if (member.disabled_at) {
      await audit("auth.zendesk_sidebar_refused", { type: "staff_user", id: member.id }, { reason: "disabled_staff" });
      return refuse("disabled_staff", "Your Scopedesk access is disabled.");
    }
    const secret = newSessionSecret();
    const sessionKey = sessionKeyOf(secret);
    await tx.staffSession.deleteMany({ where: { staffId: member.id, expiresAt: { lt: now } } });
    await tx.staffSession.create({
      data: {
        id: sessionKey,
        staffId: member.id,
        kind: "zendesk_sidebar",
        zendeskUserId: BigInt(verified.zendeskUserId),
        expiresAt,
        ip: meta.ip,
        userAgent: meta.userAgent,
      },
    });
    await appendAuditEvent(tx, {
      actor: { id: member.id, name: member.name, email: member.email },
      action: "auth.zendesk_sidebar_opened",
      target: { type: "staff_user", id: member.id },
      details: {
        ...zendeskUser,
        session: sessionReference(sessionKey),
        installationId: app.installationId,
        expiresAt: expiresAt.toISOString(),
      },
      meta,
    });
    return {
      ok: true,
      credential: sidebarCredential(member.id, secret),
      csrfToken: sidebarCsrfToken(secret),
      expiresAt,
      staff: { id: member.id, name: member.name, email: member.email, role: member.role },
    };
  });
}

async function refusedAndAudited(
  meta: RequestMeta,
  refusal: SidebarRefusal,
  message: string,
  details: { zendeskUserId: string; zendeskEmail: string | null },
): Promise<SidebarOpening> {
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, {
      actor: SYSTEM,
      action: "auth.zendesk_sidebar_refused",
      target: { type: "zendesk_user", id: details.zendeskUserId },
      details: { ...details, reason: refusal },
      meta,
    }),
  );
  return refuse(refusal, message);
}

function refuse(refusal: SidebarRefusal, message: string): { ok: false; refusal: SidebarRefusal; message: string } {
  return { ok: false, refusal, message };
}
