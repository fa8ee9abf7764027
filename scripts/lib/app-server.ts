/**
 * How every script starts the production server (scripts/server.ts): the
 * Node binary itself, not npx, so the child's pid is the server (the
 * benchmark samples its memory).
 */
export function appServerCommand(port: number, nodeArgs: readonly string[] = []): [string, string[]] {
  return [process.execPath, [...nodeArgs, "--conditions=react-server", "--import", "tsx", "scripts/server.ts", "--port", String(port)]];
}
