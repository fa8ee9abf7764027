import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/** Child processes for the demo, test and bench commands: prefixed output, clean shutdown. */

const children = new Set<ChildProcess>();

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { quiet?: boolean } = {},
): ChildProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, ...options });
  children.add(child);
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => `[${name}] ${l}\n`)
      .join("");
  if (!options.quiet) {
    child.stdout?.on("data", (c: Buffer) => process.stdout.write(prefix(c)));
    child.stderr?.on("data", (c: Buffer) => process.stderr.write(prefix(c)));
  } else {
    child.stdout?.resume();
    child.stderr?.on("data", (c: Buffer) => process.stderr.write(prefix(c)));
  }
  child.on("exit", () => children.delete(child));
  return child;
}

/** Runs a command to completion with inherited output; resolves to its exit code. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", ...options });
    children.add(child);
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export async function stopAll(): Promise<void> {
  const pending = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.pid === undefined) return resolve();
        child.once("exit", () => resolve());
        try {
          process.kill(-child.pid, "SIGTERM"); // the whole process group
        } catch {
          child.kill("SIGTERM");
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // already gone
          }
          resolve();
        }, 5000).unref();
      }),
  );
  await Promise.all(pending);
}

export async function waitForHttp(url: string, timeoutMs = 60_000, isReady: (r: Response) => boolean = (r) => r.ok): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (isReady(await fetch(url))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s`);
}

export function onShutdown(handler: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void handler().finally(() => process.exit(130));
    });
  }
}

/** Fails fast when something already listens on the port: a stale server would otherwise answer the tests. */
export async function assertPortFree(port: number, label: string): Promise<void> {
  const { createServer } = await import("node:net");
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(new Error(`port ${port} (${label}) is already in use: stop the process listening there or set another port`)),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}
