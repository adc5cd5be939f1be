import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localApiDocs } from '../../local/api-docs.js';
import {
  type HttpLambdaHandler,
  type RunningHttpGateway,
  startHttpGateway,
} from '../../local/http-gateway.js';
import { withStaticSite } from '../../local/static-site.js';
import { createTestApp } from '../support/test-env.js';

// Issue 8 item 8 (local half): /docs under `npm start` loads only pinned files we serve, under a strict CSP.
const ROOT = resolve(import.meta.dirname, '../..');

const directives = (policy: string): Map<string, string[]> =>
  new Map(
    policy.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );

/** Every URL-bearing attribute of every element, plus whether each script is inline. */
function references(html: string): { urls: string[]; inlineScripts: number; scripts: Map<string, string> } {
  const urls = [...html.matchAll(/\s(?:src|href|action|srcset|poster|data)\s*=\s*"([^"]*)"/gi)].map(
    (match) => match[1] ?? '',
  );
  const scripts = new Map<string, string>();
  let inlineScripts = 0;
  for (const [tag = ''] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = /\ssrc="([^"]+)"/.exec(tag)?.[1];
    if (src === undefined) inlineScripts += 1;
    else scripts.set(src, /\sintegrity="([^"]+)"/.exec(tag)?.[1] ?? '');
  }
  return { urls, inlineScripts, scripts };
}

describe('local /docs page', () => {
  let gateway: RunningHttpGateway;
  let webRoot: string;
  let stopApp: () => Promise<void>;

  beforeAll(async () => {
    // The same front `npm start` assembles: the Lambda app, /docs in front of it, the web client around both.
    const built = await createTestApp();
    stopApp = built.close;
    webRoot = await mkdtemp(join(tmpdir(), 'docs-front-'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>client</title>');
    const api = handle(built.app) as unknown as HttpLambdaHandler;
    const docs = await localApiDocs(api);
    const front = withStaticSite(docs.handler, { root: webRoot, wsUrl: 'ws://127.0.0.1:1' });
    gateway = await startHttpGateway({ handler: front, port: 0 });
  });

  afterAll(async () => {
    await gateway?.close();
    await stopApp?.();
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });

  it('answers HTML under a CSP that allows only same-origin scripts and no framing', async () => {
    const res = await fetch(`${gateway.url}/docs`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = directives(res.headers.get('content-security-policy') ?? '');
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    for (const [name, sources] of csp) {
      for (const source of sources) {
        // No host, scheme wildcard or eval anywhere: every fetch directive stays on this origin.
        expect(source, `${name} ${source}`).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
      }
    }
    expect(csp.get('style-src')).not.toContain('data:');
  });

  it('references only same-origin scripts, each served 200 by us and matching its integrity hash', async () => {
    const html = await (await fetch(`${gateway.url}/docs`)).text();
    const { urls, inlineScripts, scripts } = references(html);

    expect(inlineScripts).toBe(0);
    expect(scripts.size).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/https?:|\/\/[a-z0-9]/i);
    expect(html).not.toMatch(/<link\b|<style\b|\sstyle=/i);
    for (const url of urls) {
      expect(new URL(url, gateway.url).origin, url).toBe(gateway.url);
      expect(url, url).toMatch(/^\/(?!\/)/);
    }
    for (const [src, integrity] of scripts) {
      const res = await fetch(new URL(src, gateway.url));
      expect(res.status, src).toBe(200);
      expect(res.headers.get('content-type'), src).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('x-content-type-options'), src).toBe('nosniff');
      const body = Buffer.from(await res.arrayBuffer());
      expect(integrity, src).toBe(`sha384-${createHash('sha384').update(body).digest('base64')}`);
    }
  });

  it('serves the renderer pinned in package.json, byte for byte from node_modules', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const pinned = manifest.devDependencies['@scalar/api-reference'] ?? '';
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.dependencies).not.toHaveProperty('@scalar/api-reference');
    const html = await (await fetch(`${gateway.url}/docs`)).text();
    const renderer = [...references(html).scripts.keys()].find((src) => src.includes('scalar'));
    expect(renderer).toBe(`/docs/assets/scalar-api-reference-${pinned}.js`);

    const res = await fetch(`${gateway.url}${renderer}`);
    const dist = dirname(createRequire(import.meta.url).resolve('@scalar/api-reference'));
    const installed = await readFile(join(dist, 'browser', 'standalone.js'));
    expect(Buffer.from(await res.arrayBuffer()).equals(installed)).toBe(true);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('points the renderer at this origin’s /openapi.json and nowhere else', async () => {
    const html = await (await fetch(`${gateway.url}/docs`)).text();
    const init = [...references(html).scripts.keys()].find((src) => !src.includes('scalar')) ?? '';
    const script = await (await fetch(new URL(init, gateway.url))).text();

    expect(script).toContain('"url":"/openapi.json"');
    expect(script).toContain('"withDefaultFonts":false');
    expect(script).toContain('"telemetry":false');
    expect(script).not.toMatch(/https?:|\/\/[a-z0-9]/i);
    const spec = await fetch(`${gateway.url}/openapi.json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it('leaves every other path to the web client and the API', async () => {
    expect((await fetch(`${gateway.url}/`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/docs/assets/other.js`)).status).toBe(404);
  });
});
