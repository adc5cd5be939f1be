import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpApiEvent, type RunningHttpGateway, startHttpGateway } from '../../local/http-gateway.js';

type Responder = (event: HttpApiEvent) => Promise<unknown>;

const ok: Responder = async () => ({ statusCode: 200, body: 'ok' });

describe('local HTTP API gateway (payload format 2.0)', () => {
  let gateway: RunningHttpGateway;
  let events: HttpApiEvent[] = [];
  let respond: Responder = ok;

  beforeAll(async () => {
    gateway = await startHttpGateway({
      port: 0,
      integrationTimeoutMs: 200,
      maxBodyBytes: 1024,
      handler: async (event) => {
        events.push(event);
        return respond(event);
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  beforeEach(() => {
    events = [];
    respond = ok;
  });

  function lastEvent(): HttpApiEvent {
    const event = events.at(-1);
    if (!event) throw new Error('handler was not invoked');
    return event;
  }

  /** Sends a hand-written HTTP/1.1 request so duplicate header lines reach the server untouched. */
  function rawRequest(lines: string[]): Promise<string> {
    const head = [...lines, `Host: 127.0.0.1:${gateway.port}`, 'Connection: close'].join('\r\n');
    return new Promise((resolve, reject) => {
      const socket = connect(gateway.port, '127.0.0.1', () => socket.end(`${head}\r\n\r\n`));
      let response = '';
      socket.on('data', (chunk: Buffer) => {
        response += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(response));
      socket.on('error', reject);
    });
  }

  /** Streams the body with Transfer-Encoding: chunked (no Content-Length). */
  function chunkedPost(chunks: Buffer[]): Promise<{ status: number; body: string; requestId: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: gateway.port, method: 'POST', path: '/upload' },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body, requestId: String(res.headers['apigw-requestid']) }),
          );
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  it('builds a $default-stage v2 event with request context taken from the connection', async () => {
    const res = await fetch(`${gateway.url}/users/42`, { headers: { 'user-agent': 'contract-test' } });
    expect(res.status).toBe(200);
    const event = lastEvent();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/users/42',
      rawQueryString: '',
    });
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      apiId: 'local',
      domainName: `127.0.0.1:${gateway.port}`,
      domainPrefix: '127',
      http: {
        method: 'GET',
        path: '/users/42',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'contract-test',
      },
      routeKey: '$default',
      stage: '$default',
    });
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    for (const absent of ['body', 'cookies', 'queryStringParameters', 'pathParameters', 'stageVariables']) {
      expect(event).not.toHaveProperty(absent);
    }
    expect(event.isBase64Encoded).toBe(false);
  });

  it('echoes the event requestId in the apigw-requestid response header', async () => {
    const res = await fetch(`${gateway.url}/`);
    const { requestId } = lastEvent().requestContext;
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(res.headers.get('apigw-requestid')).toBe(requestId);
  });

  it('lowercases header names and comma-joins repeated headers', async () => {
    const response = await rawRequest([
      'GET /h HTTP/1.1',
      'X-Custom-Thing: one',
      'x-custom-thing: two',
      'Accept: text/plain',
    ]);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    const { headers } = lastEvent();
    expect(headers['x-custom-thing']).toBe('one,two');
    expect(headers.accept).toBe('text/plain');
    expect(Object.keys(headers).filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it('moves cookies from all Cookie headers into cookies[] and drops the cookie header', async () => {
    const response = await rawRequest(['GET /c HTTP/1.1', 'Cookie: a=1; b=2', 'Cookie: c=3']);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    const event = lastEvent();
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('keeps rawQueryString verbatim and decodes parameters, comma-joining repeated keys', async () => {
    await fetch(`${gateway.url}/search?tag=a&tag=b%20c&q=x%2Fy&empty=`);
    const event = lastEvent();
    expect(event.rawPath).toBe('/search');
    expect(event.rawQueryString).toBe('tag=a&tag=b%20c&q=x%2Fy&empty=');
    expect(event.queryStringParameters).toEqual({ tag: 'a,b c', q: 'x/y', empty: '' });
  });

  it.each([
    ['application/json', '{"a":1}'],
    ['text/plain; charset=utf-8', 'héllo'],
    ['application/problem+json', '{"title":"x"}'],
  ])('passes a %s body through as plain UTF-8', async (contentType, body) => {
    await fetch(`${gateway.url}/p`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(lastEvent()).toMatchObject({ body, isBase64Encoded: false });
  });

  it.each([
    ['application/x-www-form-urlencoded', 'a=1&b=2'],
    ['application/octet-stream', '\u0000\u0001binary'],
  ])('base64-encodes a %s body', async (contentType, body) => {
    await fetch(`${gateway.url}/p`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(lastEvent()).toMatchObject({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true });
  });

  it('base64-encodes a body sent without any content-type', async () => {
    await fetch(`${gateway.url}/p`, { method: 'POST', body: new TextEncoder().encode('{"looks":"json"}') });
    const event = lastEvent();
    expect(event.headers).not.toHaveProperty('content-type');
    expect(event).toMatchObject({ body: btoa('{"looks":"json"}'), isBase64Encoded: true });
  });

  it('accepts a chunked body within the limit', async () => {
    const res = await chunkedPost([Buffer.from('part1,'), Buffer.from('part2')]);
    expect(res.status).toBe(200);
    expect(lastEvent().headers['transfer-encoding']).toBe('chunked');
    expect(Buffer.from(lastEvent().body ?? '', 'base64').toString()).toBe('part1,part2');
  });

  it('uses the TCP peer as sourceIp even when X-Forwarded-For is spoofed', async () => {
    await fetch(`${gateway.url}/ip`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const event = lastEvent();
    expect(event.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(event.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
  });

  it('sends each response cookie as its own Set-Cookie header', async () => {
    respond = async () => ({
      statusCode: 201,
      headers: { 'x-count': 2, 'x-flag': true },
      cookies: ['a=1', 'b=2'],
    });
    const res = await fetch(`${gateway.url}/login`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-count')).toBe('2');
    expect(res.headers.get('x-flag')).toBe('true');
  });

  it('decodes an isBase64Encoded response body to raw bytes', async () => {
    const bytes = Buffer.from([0, 255, 16, 128]);
    respond = async () => ({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true });
    const res = await fetch(`${gateway.url}/file`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('infers 200 application/json from a result without statusCode', async () => {
    respond = async () => ({ hello: 'world', body: 'not a proxy result' });
    const res = await fetch(`${gateway.url}/infer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world', body: 'not a proxy result' });
  });

  it('sends a bare string result as-is with status 200', async () => {
    respond = async () => 'plain words';
    const res = await fetch(`${gateway.url}/string`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('plain words');
  });

  it.each<[string, Responder]>([
    ['the handler throws', async () => Promise.reject(new Error('boom'))],
    ['statusCode is not an integer in 100-599', async () => ({ statusCode: 42, body: 'x' })],
    ['the result cannot be serialised', async () => ({ statusCode: 200, body: 1n })],
  ])('answers 500 Internal Server Error when %s', async (_case, responder) => {
    respond = responder;
    const res = await fetch(`${gateway.url}/fail`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    expect(res.headers.get('apigw-requestid')).toBe(lastEvent().requestContext.requestId);
  });

  it('answers 503 Service Unavailable when the handler outlives the integration timeout', async () => {
    // Never returns, so the integration timeout is the only way out, however loaded the machine.
    respond = () => new Promise<never>(() => {});
    const res = await fetch(`${gateway.url}/slow`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('rejects an oversize chunked body with 413 without invoking the handler', async () => {
    const res = await chunkedPost([Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b')]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ message: 'Request Entity Too Large' });
    expect(res.requestId).toMatch(/=$/);
    expect(events).toHaveLength(0);
  });

  it('rejects a body whose Content-Length exceeds the limit with 413', async () => {
    const res = await fetch(`${gateway.url}/big`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect(events).toHaveLength(0);
  });

  it('rejects request headers larger than 10 KiB', async () => {
    const res = await fetch(`${gateway.url}/h`, { headers: { 'x-big': 'y'.repeat(11_000) } });
    expect([413, 431]).toContain(res.status);
    expect(events).toHaveLength(0);
  });

  it('invokes HEAD requests with method HEAD and returns no body', async () => {
    respond = async () => ({ statusCode: 200, body: 'should not be sent' });
    const res = await fetch(`${gateway.url}/head`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(lastEvent().requestContext.http.method).toBe('HEAD');
  });
});
