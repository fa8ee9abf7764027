import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    ".next-*/**",
    ".tmp/**",
    "test-results*/**",
    "lib/generated/**",
    "node_modules/**",
    "test-results/**",
    "playwright-report/**",
    "bench/results/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // One SQL style (docs/decisions/012-one-sql-style.md): tagged templates only. Tests may run DDL
    // (fault-injection triggers) as the owner, which takes no values from input.
    files: ["app/**", "components/**", "lib/**", "scripts/**", "bench/**", "*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { property: "$queryRawUnsafe", message: "Use a tagged $queryRaw template (decision 012)." },
        { property: "$executeRawUnsafe", message: "Use a tagged $executeRaw template (decision 012)." },
      ],
    },
  },
]);
