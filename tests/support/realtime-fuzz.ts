import { randomUUID } from 'node:crypto';

/** mulberry32: a tiny seeded PRNG, so a failing fuzz run can be replayed exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const RAW_TEXTS = [
  '',
  ' ',
  'null',
  'true',
  '0',
  '"ping"',
  '[]',
  '{}',
  '{"action":',
  '{"action":"ping"',
  "{'action':'ping'}",
  'undefined',
  '\u0000',
  '\uFEFF{"action":"ping"}',
  '{"action":"ping"}{"action":"ping"}',
  '{"__proto__":{"action":"ping"}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '[{"action":"ping"}]',
  `{"a":${'['.repeat(500)}${']'.repeat(500)}}`,
  `"${'x'.repeat(25 * 1024)}"`,
];

const WRONG_TYPES = [42, null, true, ['x'], { x: 1 }] as const;

/** Random garbage and near-miss frames for the `$default` route; none of them may crash a handler. */
export function garbageFrames(count: number, seed: number, ids: { self: string; peer: string }): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const userIds = [ids.self, ids.peer, ids.peer.toUpperCase(), randomUUID(), 'not-a-uuid', '', '*', '{u:x}'];
  const strings = {
    body: ['hi', '', '   ', 'x'.repeat(4_001), 'a\u0000b', 'a\u202Eb', '😀'.repeat(4_000), '\u001b[2J'],
    clientMsgId: ['m-1', `m-${Math.floor(random() * 1e9)}`, '', 'x'.repeat(65), 'bad id', '{u:x}', '*'],
    upTo: [
      '0-1',
      '1-0',
      '0-0',
      '99999999999999-0',
      '18446744073709551615-18446744073709551615',
      'abc',
      '',
      '$',
      '+',
    ],
  };
  const actions = [
    'sendMessage',
    'sendMessage',
    'sendMessage',
    'markRead',
    'markRead',
    'typing',
    'ping',
    'PING',
    '',
    '$connect',
  ];
  // Mostly strings, so frames get past the schema and into the use cases; sometimes the wrong type.
  const field = (pool: readonly string[]): unknown => (random() < 0.92 ? pick(pool) : pick(WRONG_TYPES));
  const nearMiss = (): string =>
    JSON.stringify({
      action: random() < 0.9 ? pick(actions) : pick(WRONG_TYPES),
      ...(random() < 0.95 && { to: field(userIds) }),
      ...(random() < 0.7 && { peerId: field(userIds) }),
      ...(random() < 0.95 && { body: field(strings.body) }),
      ...(random() < 0.95 && { clientMsgId: field(strings.clientMsgId) }),
      ...(random() < 0.9 && { upTo: field(strings.upTo) }),
      ...(random() < 0.3 && { from: ids.peer }),
    });
  const randomText = (): string =>
    Array.from({ length: Math.floor(random() * 48) }, () =>
      String.fromCodePoint(Math.floor(random() * 0x2fff)),
    ).join('');
  const makers = [() => pick(RAW_TEXTS), randomText, nearMiss, nearMiss, nearMiss, nearMiss];
  return Array.from({ length: count }, () => pick(makers)());
}
