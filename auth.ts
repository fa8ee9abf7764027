import NextAuth, { type NextAuthConfig } from "next-auth";
import { roleFromGroups, type Role } from "@/lib/auth/permissions";
import { sessionKeyOf } from "@/lib/auth/session-secret";
import { getConfig, requireAuthSecret } from "@/lib/platform/config";
import { safeRedirectUrl } from "@/lib/platform/safe-redirect";
import { currentRequestMeta } from "@/lib/platform/request-meta";
import { endStaffSession, recordSignIn, refuseDisabledSignIn } from "@/lib/auth/record-sign-in";
import { sessionClaimsFrom, staffSessions } from "@/lib/auth/staff-sessions";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role };
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    /** The session's secret: its SHA-256 is the staff_session row (decision 013). */
    sid?: string;
    staffId?: string;
    role?: Role;
  }
}

export const OIDC_PROVIDER_ID = "scopedesk";

/**
 * Staff sign in only through OpenID Connect: the bundled development identity
 * provider in development and tests, the company's IdP in production. The
 * role comes from the IdP's groups claim at sign-in. Each sign-in opens a
 * staff_session row that the token names; every request checks it and reads
 * the role from staff_user (lib/auth/staff-sessions.ts), and sign-out revokes it.
 */
export const { handlers, auth, signIn, signOut } = NextAuth((request) => {
  const config = getConfig();
  const meta = currentRequestMeta(request?.headers ?? new Headers());
  const subjectOf = (sub: string) => `${config.oidc.issuer}#${sub}`;
  return {
    secret: requireAuthSecret(config),
    trustHost: true,
    session: { strategy: "jwt", maxAge: config.sessionMaxAgeSeconds },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      {
        id: OIDC_PROVIDER_ID,
        name: config.oidc.providerName,
        type: "oidc",
        issuer: config.oidc.issuer,
        clientId: config.oidc.clientId,
        clientSecret: config.oidc.clientSecret,
        authorization: {
          params: {
            scope: "openid email profile groups",
            // The development IdP keeps its own session; asking for a login each
            // time lets one browser switch between the seeded staff.
            ...(config.oidc.usesDevIdp ? { prompt: "login" } : {}),
          },
        },
      },
    ],
    callbacks: {
      async signIn({ profile }) {
        // No mapped group, no access: the IdP decides who is staff; a disabled member stays out.
        if (roleFromGroups(profile?.[config.oidc.rolesClaim], config.oidc.roleMap) === null) return false;
        if (profile?.sub && (await refuseDisabledSignIn(subjectOf(profile.sub), meta))) return "/signin?error=AccountDisabled";
        return true;
      },
      // Every redirect Auth.js makes (after sign-in, sign-out, errors) goes through the console's one rule.
      redirect({ url, baseUrl }) {
        return safeRedirectUrl(url, baseUrl);
      },
      async jwt({ token, profile, account }) {
        if (account && profile) {
          const role = roleFromGroups(profile[config.oidc.rolesClaim], config.oidc.roleMap);
          if (!role || !profile.sub || !profile.email) return null;
          const signedIn = await recordSignIn(
            {
              subject: subjectOf(profile.sub),
              email: profile.email.toLowerCase(),
              name: typeof profile.name === "string" && profile.name ? profile.name : profile.email,
              role,
            },
            { maxAgeSeconds: config.sessionMaxAgeSeconds },
            meta,
          );
          if (!signedIn) return null;
          token.sid = signedIn.sessionSecret;
          token.staffId = signedIn.staff.id;
          token.role = signedIn.staff.role;
          token.email = signedIn.staff.email;
          token.name = signedIn.staff.name;
          return token;
        }
        // Any later read through Auth.js (GET /api/auth/session) asks the same question as every request.
        const claims = sessionClaimsFrom(token);
        const staff = claims ? await staffSessions().staffFor(claims) : null;
        if (!staff) return null;
        token.role = staff.role;
        token.email = staff.email;
        token.name = staff.name;
        return token;
      },
      session({ session, token }) {
        session.user = {
          ...session.user,
          id: token.staffId ?? "",
          email: token.email ?? "",
          name: token.name ?? "",
          role: token.role ?? "viewer",
        };
        return session;
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid !== "string") return;
        await endStaffSession(sid, meta);
        staffSessions().forget(sessionKeyOf(sid));
      },
    },
  } satisfies NextAuthConfig;
});
