import { describe, expect, it } from 'vitest';
import type { AppError } from '../../shared/domain/errors.js';
import { clientMsgIdOf, MAX_FRAME_BYTES, parseClientFrame } from '../../shared/ws/client-frames.js';

const PEER = '22222222-2222-4222-8222-222222222222';

function failureOf(body: string): AppError {
  const parsed = parseClientFrame(body);
  if (parsed.ok) throw new Error('expected parseClientFrame to refuse the frame');
  return parsed.error;
}

function frameOf(body: string) {
  const parsed = parseClientFrame(body);
  if (!parsed.ok) throw parsed.error;
  return parsed.frame;
}

/** A sendMessage frame padded so its UTF-8 encoding is exactly `bytes` long. */
function frameOfBytes(bytes: number): string {
  const empty = JSON.stringify({ action: 'sendMessage', to: PEER, body: '', clientMsgId: 'm-1' });
  return JSON.stringify({
    action: 'sendMessage',
    to: PEER,
    body: 'a'.repeat(bytes - Buffer.byteLength(empty)),
    clientMsgId: 'm-1',
  });
}

describe('parseClientFrame', () => {
  it.each([
    [{ action: 'sendMessage', to: PEER, body: 'hi', clientMsgId: 'm-1' }],
    [{ action: 'typing', to: PEER }],
    [{ action: 'markRead', peerId: PEER, upTo: '1700000000000-0' }],
    [{ action: 'ping' }],
    [{ action: 'sendMessage', groupId: PEER, body: 'hi all', clientMsgId: 'g-1' }],
    [{ action: 'typing', groupId: PEER }],
    [{ action: 'markRead', groupId: PEER, upTo: '1700000000000-0' }],
  ])('accepts a well-formed %o frame', (frame) => {
    expect(parseClientFrame(JSON.stringify(frame))).toEqual({
      ok: true,
      frame,
      clientMsgId: 'clientMsgId' in frame ? frame.clientMsgId : undefined,
    });
  });

  it('strips a forged from (and any other unknown key) from the validated frame', () => {
    const raw = {
      action: 'sendMessage',
      to: PEER,
      body: 'hi',
      clientMsgId: 'm-1',
      from: 'someone',
      admin: true,
    };

    const frame = frameOf(JSON.stringify(raw));

    expect(frame).toEqual({ action: 'sendMessage', to: PEER, body: 'hi', clientMsgId: 'm-1' });
    expect(frame).not.toHaveProperty('from');
  });

  it('accepts a frame of exactly the byte limit and refuses one byte more', () => {
    expect(parseClientFrame(frameOfBytes(MAX_FRAME_BYTES)).ok).toBe(true);
    expect(failureOf(frameOfBytes(MAX_FRAME_BYTES + 1)).code).toBe('payload_too_large');
  });

  it('measures the limit in UTF-8 bytes, not UTF-16 code units', () => {
    const body = '😀'.repeat(MAX_FRAME_BYTES / 4);
    const frame = JSON.stringify({ action: 'sendMessage', to: PEER, body, clientMsgId: 'm-1' });
    expect(frame.length).toBeLessThan(MAX_FRAME_BYTES);

    expect(failureOf(frame).code).toBe('payload_too_large');
  });

  it('checks the size before parsing, so a huge non-JSON frame is too large, not malformed', () => {
    expect(failureOf('{'.repeat(MAX_FRAME_BYTES + 1)).code).toBe('payload_too_large');
  });

  it.each(['', ' ', '{', '{"action":"ping"', "{'action':'ping'}", 'ping', 'undefined', '{"a":1}{"b":2}'])(
    'refuses malformed JSON %j with malformed_json',
    (body) => {
      expect(failureOf(body).code).toBe('malformed_json');
    },
  );

  it.each([
    ['an unknown action', { action: 'deleteEverything' }],
    ['a differently cased action', { action: 'PING' }],
    ['no action', { to: PEER }],
    ['a JSON array', [{ action: 'ping' }]],
    ['a JSON string', 'ping'],
    ['null', null],
    ['a missing field', { action: 'sendMessage', to: PEER, body: 'hi' }],
    ['a field of the wrong type', { action: 'typing', to: 42 }],
  ])('refuses %s with validation_failed', (_label, raw) => {
    const error = failureOf(JSON.stringify(raw));

    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]),
    );
  });

  it('names the failing field in the validation details', () => {
    const error = failureOf(JSON.stringify({ action: 'markRead', peerId: PEER, upTo: 7 }));

    expect(error.details).toEqual([expect.objectContaining({ path: 'upTo' })]);
  });

  it('reads the clientMsgId of a refused frame, so a rejected send can still be correlated', () => {
    const raw = { action: 'sendMessage', to: PEER, body: 42, clientMsgId: 'm-7' };

    expect(parseClientFrame(JSON.stringify(raw))).toMatchObject({ ok: false, clientMsgId: 'm-7' });
  });
});

describe('clientMsgIdOf', () => {
  it('returns a string clientMsgId of up to 64 characters', () => {
    expect(clientMsgIdOf({ clientMsgId: 'm-1' })).toBe('m-1');
    expect(clientMsgIdOf({ clientMsgId: 'x'.repeat(64) })).toBe('x'.repeat(64));
  });

  it.each([
    ['a 65-character id', { clientMsgId: 'x'.repeat(65) }],
    ['a number', { clientMsgId: 42 }],
    ['an object', { clientMsgId: { id: 'm-1' } }],
    ['no id', { action: 'ping' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'm-1'],
    ['a number frame', 42],
  ])('returns undefined for %s', (_label, raw) => {
    expect(clientMsgIdOf(raw)).toBeUndefined();
  });

  it('reads a frame naming a groupId as a group frame: its own fields are required, a `to` is dropped', () => {
    const error = failureOf(
      JSON.stringify({ action: 'sendMessage', groupId: PEER, to: PEER, clientMsgId: 'g-2' }),
    );
    expect(error.details).toEqual([{ path: 'body', message: 'Expected string' }]);
    expect(frameOf(JSON.stringify({ action: 'typing', groupId: PEER, to: PEER }))).toEqual({
      action: 'typing',
      groupId: PEER,
    });
    expect(failureOf(JSON.stringify({ action: 'ping', groupId: PEER })).code).toBe('validation_failed');
  });
});
