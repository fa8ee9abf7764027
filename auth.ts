import NextAuth, { type NextAuthConfig } from "next-auth";
import { roleFromGroups, type Role } from "@/lib/auth/permissions";
import { getConfig, requireAuthSecret } from "@/lib/config";
import { safeRedirectUrl } from "@/lib/platform/safe-redirect";
import { requestMetaFrom } from "@/lib/server/request-meta";
import { recordSignIn } from "@/lib/server/staff";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role };
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    staffId?: string;
    role?: Role;
  }
}

export const OIDC_PROVIDER_ID = "scopedesk";

/**
 * Staff sign in only through OpenID Connect: the bundled development identity
 * provider in development and tests, the company's IdP in production. The
 * role comes from the IdP's groups claim at sign-in and lives in the session
 * token for at most SESSION_MAX_AGE_HOURS.
 */
export const { handlers, auth, signIn, signOut } = NextAuth((request) => {
  const config = getConfig();
  const meta = requestMetaFrom(request?.headers ?? new Headers());
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
      signIn({ profile }) {
        // No mapped group, no access: the IdP decides who is staff.
        return roleFromGroups(profile?.[config.oidc.rolesClaim], config.oidc.roleMap) !== null;
      },
      // Every redirect Auth.js makes (after sign-in, sign-out, errors) goes through the console's one rule.
      redirect({ url, baseUrl }) {
        return safeRedirectUrl(url, baseUrl);
      },
      async jwt({ token, profile, account }) {
        if (account && profile) {
          const role = roleFromGroups(profile[config.oidc.rolesClaim], config.oidc.roleMap);
          if (!role || !profile.sub || !profile.email) return null;
          const staff = await recordSignIn(
            {
              subject: `${config.oidc.issuer}#${profile.sub}`,
              email: profile.email.toLowerCase(),
              name: typeof profile.name === "string" && profile.name ? profile.name : profile.email,
              role,
            },
            meta,
          );
          token.staffId = staff.id;
          token.role = staff.role;
          token.email = staff.email;
          token.name = staff.name;
        }
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
  } satisfies NextAuthConfig;
});
