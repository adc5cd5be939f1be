import type { BrowserContext, Request, Route, WebSocketRoute } from 'playwright-core';

/** Frames (or posts) arriving together get these extra latencies in turn: a burst lands reversed. */
const STAGGER_MS = [300, 240, 180, 120, 60] as const;

type FrameRule = (frame: Record<string, unknown>) => string | undefined;
interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}
type PostRule = (body: Record<string, unknown>) => CannedAnswer | undefined;

const parse = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Puts the page's sends through what API Gateway does to them: every `sendMessage` frame and every
 * `POST …/messages` is its own concurrent invocation whose latency varies (cold starts, a busy pool), so
 * sends that leave together may be stored in any order. Here the latencies are staggered so that a burst
 * is stored reversed, deterministically. Also lets a test cut the sockets, refuse tickets (socket down
 * while HTTP works) and answer chosen sends itself (a 429, an error frame) before they reach the server.
 */
export class GatewayJitter {
  private readonly sockets = new Set<WebSocketRoute>();
  private sent = 0;
  private coldStartMs = 0;
  private ticketsRefused = false;
  private frameRule: FrameRule = () => undefined;
  private postRule: PostRule = () => undefined;

  static async install(context: BrowserContext): Promise<GatewayJitter> {
    const jitter = new GatewayJitter();
    await context.routeWebSocket(/^wss?:/, (ws) => jitter.onSocket(ws));
    await context.route(
      (url) => url.pathname.startsWith('/chat/'),
      (route, request) => jitter.onRequest(route, request),
    );
    return jitter;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  /** Drops every socket the way a lost connection looks to the page. */
  async closeSockets(): Promise<void> {
    await Promise.all([...this.sockets].map((ws) => ws.close({ code: 4000, reason: 'test' })));
    this.sockets.clear();
  }

  /** While true, `POST /chat/ticket` answers 503: the socket stays down, plain HTTP still works. */
  refuseTickets(refused: boolean): void {
    this.ticketsRefused = refused;
  }

  /** The next send takes this much longer, as on a cold start: anything sent after it overtakes it. */
  coldStartNext(ms: number): void {
    this.coldStartMs = ms;
  }

  /** Back to plain forwarding (with the stagger): no refusals, no canned answers. */
  reset(): void {
    this.ticketsRefused = false;
    this.coldStartMs = 0;
    this.frameRule = () => undefined;
    this.postRule = () => undefined;
  }

  /** Answers matching `sendMessage` frames with the returned error frame instead of forwarding them. */
  answerFrames(rule: FrameRule): void {
    this.frameRule = rule;
  }

  /** Answers matching message posts with the returned response instead of forwarding them. */
  answerPosts(rule: PostRule): void {
    this.postRule = rule;
  }

  private nextDelay(): number {
    const delay = (STAGGER_MS[this.sent % STAGGER_MS.length] ?? 0) + this.coldStartMs;
    this.sent += 1;
    this.coldStartMs = 0;
    return delay;
  }

  private onSocket(ws: WebSocketRoute): void {
    const server = ws.connectToServer();
    this.sockets.add(ws);
    ws.onMessage((message) => {
      const frame = parse(String(message));
      if (frame.action !== 'sendMessage') {
        server.send(message);
        return;
      }
      const answer = this.frameRule(frame);
      if (answer !== undefined) {
        ws.send(answer);
        return;
      }
      void later(this.nextDelay()).then(() => {
        if (this.sockets.has(ws)) server.send(message);
      });
    });
    ws.onClose((code, reason) => {
      this.sockets.delete(ws);
      void server.close({ code, reason }).catch(() => {});
    });
    server.onClose((code, reason) => {
      this.sockets.delete(ws);
      void ws.close({ code, reason }).catch(() => {});
    });
  }

  private async onRequest(route: Route, request: Request): Promise<void> {
    const path = new URL(request.url()).pathname;
    if (path === '/chat/ticket' && this.ticketsRefused) {
      await route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ code: 'dependency_unavailable', detail: 'test: tickets refused' }),
      });
      return;
    }
    if (request.method() !== 'POST' || !path.endsWith('/messages')) {
      await route.fallback();
      return;
    }
    const answer = this.postRule(parse(request.postData() ?? ''));
    if (answer) {
      await route.fulfill({
        status: answer.status,
        contentType: 'application/problem+json',
        ...(answer.headers ? { headers: answer.headers } : {}),
        body: JSON.stringify(answer.body),
      });
      return;
    }
    await later(this.nextDelay());
    await route.fallback().catch(() => {});
  }
}
