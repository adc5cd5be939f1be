import { connect } from 'node:net';

/** One command as Redis logged it: the client address (or `lua` for calls made inside a script). */
export interface MonitoredCommand {
  source: string;
  args: string[];
}

export interface MonitorSession {
  close(): void;
}

const encode = (parts: string[]): string =>
  `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;

// `+1700000000.123456 [0 127.0.0.1:50000] "evalsha" "…"`: Redis escapes quotes and control characters.
const LINE = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/;
const ARG = /"((?:[^"\\]|\\.)*)"/g;

/**
 * A raw MONITOR connection (ioredis' `monitor()` can mistake a busy server's first monitor lines for
 * command replies and throw). Resolves once Redis has acknowledged MONITOR.
 */
export function startMonitor(
  url: string,
  onCommand: (command: MonitoredCommand) => void,
): Promise<MonitorSession> {
  const target = new URL(url);
  const auth = target.password
    ? [
        'AUTH',
        ...(target.username ? [decodeURIComponent(target.username)] : []),
        decodeURIComponent(target.password),
      ]
    : null;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port || 6379) });
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const session: MonitorSession = { close: () => socket.destroy() };
    let acknowledgementsDue = auth ? 2 : 1;
    let buffer = '';
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(`${auth ? encode(auth) : ''}${encode(['MONITOR'])}`);
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line.startsWith('-')) {
          socket.destroy();
          reject(new Error(`MONITOR failed: ${line.slice(1)}`));
          return;
        }
        if (acknowledgementsDue > 0 && line === '+OK') {
          acknowledgementsDue -= 1;
          if (acknowledgementsDue === 0) resolve(session);
          continue;
        }
        const match = LINE.exec(line);
        if (!match?.[1] || match[2] === undefined) continue;
        onCommand({ source: match[1], args: Array.from(match[2].matchAll(ARG), (arg) => arg[1] ?? '') });
      }
    });
  });
}
