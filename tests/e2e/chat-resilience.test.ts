import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/contract/wire.js';
import { closeAllSockets, frame, type WsClient, wsUrl } from '../support/e2e-ws.js';
import {
  type ChatUser,
  chatUser,
  chatUsers,
  connectAs,
  contactOf,
  contactsOf,
  fullHistory,
  historyPage,
  newClientMsgId,
  sendAndAck,
} from '../support/e2e-ws-chat.js';

/** The per-socket frame limit (WS_FRAME_LIMIT per WS_FRAME_WINDOW_SECONDS, production defaults). */
const FRAME_LIMIT = 30;
const BURST = 40;

// Fails, naming WS_URL, when the stage under test has no WebSocket API: chat is never silently untested.
beforeAll(() => void wsUrl());

afterEach(async () => {
  expect(await closeAllSockets(), 'frames outside the WebSocket contract').toEqual([]);
});

/** The socket still works: a ping is answered and a message is stored and acknowledged. */
async function expectUsable(socket: WsClient, to: ChatUser): Promise<void> {
  await socket.roundTrip();
  const ack = await sendAndAck(socket, to.id, 'still working');
  expect(ack.duplicate).toBe(false);
  expect(socket.isClosed).toBe(false);
}

interface BadFrame {
  name: string;
  text: (to: string) => string;
  code: ErrorCode;
  /** The error names the frame's clientMsgId so a client can tell which send failed. */
  echoesClientMsgId?: string;
}

const BAD_FRAMES: BadFrame[] = [
  { name: 'text that is not JSON', text: () => 'hello?', code: 'malformed_json' },
  { name: 'truncated JSON', text: () => '{"action":"sendMessage",', code: 'malformed_json' },
  { name: 'a JSON array', text: () => '[1,2,3]', code: 'validation_failed' },
  { name: 'JSON null', text: () => 'null', code: 'validation_failed' },
  { name: 'no action', text: () => '{"to":"x"}', code: 'validation_failed' },
  { name: 'an unknown action', text: () => '{"action":"deleteEverything"}', code: 'validation_failed' },
  {
    name: 'a sendMessage without a body',
    text: (to) => JSON.stringify({ action: 'sendMessage', to, clientMsgId: 'no-body-1' }),
    code: 'validation_failed',
    echoesClientMsgId: 'no-body-1',
  },
  {
    name: 'a sendMessage whose `to` is not a uuid',
    text: () => JSON.stringify({ action: 'sendMessage', to: 'bob', body: 'hi', clientMsgId: 'bad-uuid-1' }),
    code: 'validation_failed',
    echoesClientMsgId: 'bad-uuid-1',
  },
  {
    name: 'a sendMessage with a numeric body',
    text: (to) => JSON.stringify({ action: 'sendMessage', to, body: 42, clientMsgId: 'numeric-1' }),
    code: 'validation_failed',
    echoesClientMsgId: 'numeric-1',
  },
  {
    name: 'a blank message',
    text: (to) => JSON.stringify({ action: 'sendMessage', to, body: ' \n\t ', clientMsgId: 'blank-1' }),
    code: 'validation_failed',
    echoesClientMsgId: 'blank-1',
  },
  {
    name: 'a message with control characters',
    text: (to) => JSON.stringify({ action: 'sendMessage', to, body: 'bell\u0007', clientMsgId: 'ctrl-1' }),
    code: 'validation_failed',
    echoesClientMsgId: 'ctrl-1',
  },
  {
    name: 'a message of 4,001 characters',
    text: (to) =>
      JSON.stringify({ action: 'sendMessage', to, body: 'x'.repeat(4_001), clientMsgId: 'long-1' }),
    code: 'validation_failed',
    echoesClientMsgId: 'long-1',
  },
  {
    name: 'a clientMsgId with characters outside [A-Za-z0-9_-]',
    text: (to) => JSON.stringify({ action: 'sendMessage', to, body: 'hi', clientMsgId: 'a b' }),
    code: 'validation_failed',
    echoesClientMsgId: 'a b',
  },
  { name: 'typing without `to`', text: () => '{"action":"typing"}', code: 'validation_failed' },
  {
    name: 'typing to a non-uuid',
    text: () => JSON.stringify({ action: 'typing', to: '../../etc/passwd' }),
    code: 'validation_failed',
  },
  {
    name: 'markRead with an upTo that is not a message id',
    text: (to) => JSON.stringify({ action: 'markRead', peerId: to, upTo: 'latest' }),
    code: 'validation_failed',
  },
  {
    name: 'markRead with an upTo from the far future',
    text: (to) => JSON.stringify({ action: 'markRead', peerId: to, upTo: '9999999999999-0' }),
    code: 'validation_failed',
  },
];

describe('bad input on a socket', () => {
  it('answers a 30 KB frame with payload_too_large and keeps the socket usable', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const socket = await connectAs(alice);
    const clientMsgId = newClientMsgId();

    socket.send({ action: 'sendMessage', to: bob.id, body: 'x'.repeat(30 * 1024), clientMsgId });
    const error = await socket.waitFor(frame('error'));

    expect(error).toMatchObject({ type: 'error', code: 'payload_too_large' });
    expect(error.detail).not.toBe('');
    expect(socket.all('ack')).toEqual([]);
    await expectUsable(socket, bob);
    expect((await historyPage(alice, bob.id)).messages.map((message) => message.body)).toEqual([
      'still working',
    ]);
  });

  it.each(BAD_FRAMES)('answers $name with $code and keeps the socket usable', async (bad) => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const socket = await connectAs(alice);

    socket.sendRaw(bad.text(bob.id));
    const error = await socket.waitFor(frame('error'));

    expect(error.code).toBe(bad.code);
    expect(error.detail).toMatch(/\S/);
    if (bad.echoesClientMsgId) expect(error.clientMsgId).toBe(bad.echoesClientMsgId);
    await expectUsable(socket, bob);
    expect((await fullHistory(alice, bob.id)).messages).toHaveLength(1);
  });

  it('answers a message to a user that does not exist with not_found and stores nothing', async () => {
    const alice = await chatUser();
    const socket = await connectAs(alice);
    const ghost = randomUUID();
    const clientMsgId = newClientMsgId();

    socket.send({ action: 'sendMessage', to: ghost, body: 'anyone there?', clientMsgId });
    const error = await socket.waitFor(frame('error'));

    expect(error).toMatchObject({ code: 'not_found', clientMsgId });
    expect(await contactsOf(alice)).toEqual([]);
    expect((await historyPage(alice, ghost)).messages).toEqual([]);
    expect(socket.isClosed).toBe(false);
  });

  it('refuses a message to oneself with validation_failed', async () => {
    const alice = await chatUser();
    const socket = await connectAs(alice);
    const clientMsgId = newClientMsgId();

    socket.send({ action: 'sendMessage', to: alice.id, body: 'note to self', clientMsgId });

    expect(await socket.waitFor(frame('error'))).toMatchObject({ code: 'validation_failed', clientMsgId });
  });

  it(`rate limits a socket beyond ${FRAME_LIMIT} frames in 10 s with rate_limited, sparing its other sockets`, async () => {
    const alice = await chatUser();
    const flooding = await connectAs(alice, 'ticket', 'flooding');
    const calm = await connectAs(alice, 'bearer', 'calm');

    for (let n = 0; n < BURST; n++) flooding.send({ action: 'ping' });
    const answers = await flooding.waitForCount(
      (answer) => answer.type === 'pong' || answer.type === 'error',
      BURST,
      15_000,
    );

    // The window opens at the first frame and the burst takes far less than 10 s: exactly the limit passes.
    expect(answers.filter((answer) => answer.type === 'pong')).toHaveLength(FRAME_LIMIT);
    const errors = answers.filter(frame('error'));
    expect(errors).toHaveLength(BURST - FRAME_LIMIT);
    for (const error of errors) expect(error.code).toBe('rate_limited');
    expect(flooding.isClosed).toBe(false);
    await calm.roundTrip();
  });
});

describe('connections that vanish', () => {
  // A client that vanishes without `$disconnect` cannot be produced deterministically from outside (it
  // depends on when the reset reaches the gateway); tests/integration/realtime-ws-frames.test.ts covers the
  // 410 cleanup with a stored connection whose socket does not exist.

  it('delivers nothing to a closed socket and loses nothing: the message waits in history', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const aliceSocket = await connectAs(alice);
    const bobSocket = await connectAs(bob);
    await bobSocket.close();

    const ack = await sendAndAck(aliceSocket, bob.id, 'for later');

    expect((await historyPage(bob, alice.id)).messages).toEqual([ack.message]);
    expect(await contactOf(bob, alice.id)).toMatchObject({ unread: 1 });
  });
});
