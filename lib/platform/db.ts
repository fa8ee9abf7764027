import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { getConfig } from "@/lib/platform/config";
import { PrismaClient } from "@/lib/generated/prisma/client";

function createClient() {
  const adapter = new PrismaPg({ connectionString: getConfig().databaseUrl, max: 10 });
  // Secrets are never selected unless a query asks for them by name.
  return new PrismaClient({ adapter, omit: { apiKey: { secretHash: true } } });
}

export type Db = ReturnType<typeof createClient>;
/** The client handed to interactive transaction callbacks. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

// One client per process, also across Next's dev-mode module reloads.
const holder = globalThis as unknown as { __scopedeskDb?: Db };

export function getDb(): Db {
  holder.__scopedeskDb ??= createClient();
  return holder.__scopedeskDb;
}

export async function disconnectDb(): Promise<void> {
  await holder.__scopedeskDb?.$disconnect();
  holder.__scopedeskDb = undefined;
}
