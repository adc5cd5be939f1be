/** One structured line a handler wrote (a Powertools log record or an EMF metrics record). */
export type LogLine = Record<string, unknown>;

/**
 * Collects a process's JSON output lines (plain text lines are skipped) and resolves waiters as matching
 * lines arrive: tests wait on the line itself, never on time.
 */
export class LogLines {
  readonly lines: LogLine[] = [];
  private readonly waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];

  /** The sink to hand to the process (`startLocalSystem({ onOutputLine })`). */
  readonly push = (text: string): void => {
    const line = parseObject(text);
    if (!line) return;
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(line)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };

  /** The first line, already written or still to come, that matches. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

function parseObject(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}
