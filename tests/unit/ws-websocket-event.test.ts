import { describe, expect, it } from 'vitest';
import { headerOf, type WebSocketEvent } from '../../shared/ws/websocket-event.js';

const eventWith = (headers: WebSocketEvent['headers']): WebSocketEvent => ({
  requestContext: {
    routeKey: '$connect',
    eventType: 'CONNECT',
    connectionId: 'abcdefghijklmno=',
    domainName: 'localhost',
    stage: 'local',
  },
  headers,
});

describe('headerOf', () => {
  it.each(['Origin', 'origin', 'ORIGIN', 'oRiGiN'])(
    'finds a header sent as %s whatever case is asked for',
    (sent) => {
      const event = eventWith({ [sent]: 'https://chat.example.test' });

      expect(headerOf(event, 'origin')).toBe('https://chat.example.test');
      expect(headerOf(event, 'Origin')).toBe('https://chat.example.test');
      expect(headerOf(event, 'ORIGIN')).toBe('https://chat.example.test');
    },
  );

  it('returns undefined for a header that was not sent', () => {
    expect(headerOf(eventWith({ Host: 'localhost' }), 'authorization')).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['absent', undefined],
  ])('returns undefined when the headers are %s (message events)', (_label, headers) => {
    expect(headerOf(eventWith(headers), 'origin')).toBeUndefined();
  });

  it('does not match a header whose name merely contains the wanted name', () => {
    const event = eventWith({ 'X-Origin': 'https://evil.example', 'Origin-Override': 'x' });

    expect(headerOf(event, 'origin')).toBeUndefined();
  });

  it('keeps an empty header value rather than treating it as absent', () => {
    expect(headerOf(eventWith({ Authorization: '' }), 'authorization')).toBe('');
  });
});
