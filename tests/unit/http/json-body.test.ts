import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../shared/contract/wire.js';
import { jsonBodyOnly } from '../../../shared/http/middleware/json-body.js';
import { problemOf, tinyApp } from './tiny-app.js';

const LIMIT = 1024;

const app = tinyApp((a) => {
  a.use(jsonBodyOnly(LIMIT));
  a.on(['GET', 'POST', 'DELETE'], '/echo', async (c) => {
    const text = await c.req.text();
    return c.json({ bytes: new TextEncoder().encode(text).length });
  });
});

const post = async (body: RequestInit['body'], headers: Record<string, string> = {}): Promise<Response> =>
  app.request('/echo', { method: 'POST', headers, body });

const chunked = (chunks: string[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

async function expectProblem(res: Response, status: number, code: ErrorCode): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await problemOf(res)).toMatchObject({ code });
}

describe('jsonBodyOnly', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON'])(
    'lets a small %s body through',
    async (contentType) => {
      const res = await post('{"a":1}', { 'content-type': contentType });

      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ bytes: 7 });
    },
  );

  it('lets a request without a body through', async () => {
    expect((await post(null)).status).toBe(200);
    expect((await app.request('/echo', { method: 'DELETE' })).status).toBe(200);
    expect((await app.request('/echo')).status).toBe(200);
  });

  it.each([
    ['text/plain (a simple cross-site form)', 'text/plain'],
    ['text/plain with a charset', 'text/plain;charset=UTF-8'],
    ['a url-encoded form', 'application/x-www-form-urlencoded'],
    ['multipart form data', 'multipart/form-data; boundary=x'],
    ['a vendor +json type', 'application/vnd.api+json'],
    ['a json-ish lookalike', 'application/jsonx'],
  ])('answers 415 for %s', async (_label, contentType) => {
    await expectProblem(
      await post('{"a":1}', { 'content-type': contentType }),
      415,
      'unsupported_media_type',
    );
  });

  it('answers 415 for a body without a content type', async () => {
    const body = new TextEncoder().encode('{"a":1}');

    const res = await post(body);

    expect(new Request('http://x', { method: 'POST', body }).headers.has('content-type')).toBe(false);
    await expectProblem(res, 415, 'unsupported_media_type');
  });

  it('accepts a body exactly at the limit', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) });
    expect(body).toHaveLength(LIMIT);

    const res = await post(body, { 'content-type': 'application/json' });

    expect(res.status).toBe(200);
  });

  it('answers 413 for a body over the limit', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(LIMIT) });

    await expectProblem(await post(body, { 'content-type': 'application/json' }), 413, 'payload_too_large');
  });

  it('answers 413 when Content-Length announces more than the limit', async () => {
    const res = await post('{}', { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) });

    await expectProblem(res, 413, 'payload_too_large');
  });

  it('answers 413 for a chunked (streamed) body over the limit', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(['{"pad":"', 'x'.repeat(LIMIT), '"}']),
      duplex: 'half',
    } as RequestInit);

    await expectProblem(res, 413, 'payload_too_large');
  });

  it('lets a small chunked body through intact', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(['{"a"', ':1}']),
      duplex: 'half',
    } as RequestInit);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 7 });
  });
});
