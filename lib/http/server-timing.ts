/** Server-Timing (W3C) of a request's steps, so its latency can be told apart from the network's. */
export class ServerTiming {
  private readonly started = performance.now();
  private readonly parts: string[] = [];

  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.parts.push(`${name};dur=${(performance.now() - t).toFixed(1)}`);
    }
  }

  header(): string {
    return [...this.parts, `total;dur=${(performance.now() - this.started).toFixed(1)}`].join(", ");
  }
}
