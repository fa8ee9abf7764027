import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The test run builds into its own directory so it never clobbers the demo's build.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Types are checked once, by `npm run typecheck` (tsc over the whole project,
  // part of `npm test` and CI); the build would check them a second time and
  // would also trip over unrelated scripts (bench/, scripts/) it never bundles.
  typescript: { ignoreBuildErrors: true },
  // forbidden() for a signed-in role that lacks a permission.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      // The Zendesk app's pages may be framed by the configured Zendesk only: their CSP's frame-ancestors says who (proxy.ts).
      { source: "/((?!zendesk-app(?:/|$)).*)", headers: securityHeaders },
      { source: "/zendesk-app/:path*", headers: securityHeaders.filter((h) => h.key !== "X-Frame-Options") },
    ];
  },
};

export default nextConfig;
