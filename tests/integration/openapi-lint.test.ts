import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/test-env.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: string;

  beforeAll(async () => {
    t = await createTestApp();
    document = await (await t.app.request('/openapi.json')).text();
  });

  afterAll(async () => {
    await t?.close();
  });

  it("passes Redocly's recommended lint with no error and no warning", async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        // No license has been chosen for the project yet; the document must not invent one.
        'info-license': 'off',
        // Liveness, readiness and the JWKS are public GETs that have no client error to document.
        'operation-4xx-response': 'off',
      },
    });

    const problems = await lintFromString({ source: document, absoluteRef: 'openapi.json', config });

    expect(problems.map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}`)).toEqual([]);
  });

  it('names every operation after its use case, so generated clients get named calls', () => {
    const paths = JSON.parse(document).paths as Record<string, Record<string, { operationId?: string }>>;
    const ids = Object.values(paths).flatMap((operations) =>
      Object.values(operations).map((operation) => operation.operationId),
    );

    expect(ids).not.toContain(undefined);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['logIn', 'refreshSession', 'sendMessage', 'blockUser']));
  });
});
