import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface RunningRelay {
  /** Clients connect at `${url}/?user=<userId>`. */
  url: string;
  close(): Promise<void>;
}

interface SendFrame {
  to: string;
  body: string;
  clientMsgId: string;
}

/**
 * The WebSocket reference: a plain `ws` server that reads a `sendMessage` frame from A, finds B's socket in a
 * user → socket map and sends B the same `{type: 'message', message}` frame the app pushes. No auth, no
 * persistence, no Lambda or management API hop: the floor a realtime relay cannot beat on this machine.
 */
export async function startRelay(): Promise<RunningRelay> {
  const server = createServer();
  // Same framing options as the local API Gateway emulator (no compression).
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 128 * 1024 });
  const byUser = new Map<string, WebSocket>();
  let seq = 0;
  wss.on('connection', (ws, req) => {
    const userId = new URL(req.url ?? '/', 'http://relay').searchParams.get('user') ?? '';
    byUser.set(userId, ws);
    ws.on('close', () => {
      if (byUser.get(userId) === ws) byUser.delete(userId);
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as SendFrame;
      const target = byUser.get(frame.to);
      if (!target) return;
      const now = Date.now();
      seq += 1;
      const [low, high] = [userId, frame.to].sort();
      const message = {
        id: `${now}-${seq}`,
        conversationId: `${low}_${high}`,
        from: userId,
        to: frame.to,
        body: frame.body,
        sentAt: new Date(now).toISOString(),
        clientMsgId: frame.clientMsgId,
      };
      target.send(JSON.stringify({ type: 'message', message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
