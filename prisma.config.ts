import { existsSync } from "node:fs";
import { defineConfig } from "prisma/config";

// Prisma 7 no longer reads .env itself.
if (!process.env.DATABASE_URL && existsSync(".env")) process.loadEnvFile(".env");

// Prisma's own migrate commands (where its engine can be had) run as the owner role, as scripts/migrate.ts does.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://scopedesk_owner@127.0.0.1:5432/scopedesk",
  },
});
