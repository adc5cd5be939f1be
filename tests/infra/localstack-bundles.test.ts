import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleFunction, lambdaHandler } from '../../localstack/bundle.js';
import { configuration, environmentOf } from '../../localstack/deploy.js';
import { generateSigningKeyJson } from '../../shared/adapters/crypto/generate-signing-key.js';
import { FUNCTIONS, type FunctionName } from '../../stacks/function-specs.js';
import { readZip } from '../support/zip-reader.js';

// The packages localstack/deploy.ts uploads, built for real: what they hold, and that each loads on Node with the
// environment the deployer gives it (module scope = a Lambda cold start; nothing is listening on the addresses).
const names = Object.keys(FUNCTIONS) as FunctionName[];
const packages = new Map<FunctionName, ReturnType<typeof readZip>>();
const dir = mkdtempSync(join(tmpdir(), 'localstack-bundles-'));

beforeAll(async () => {
  for (const name of names) packages.set(name, readZip(await bundleFunction(FUNCTIONS[name])));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalStack deployment packages', () => {
  it('hold bundle.mjs exporting the handler the Lambda is configured with', () => {
    for (const name of names) {
      const files = packages.get(name) ?? [];
      const bundle = files.find((file) => file.name === BUNDLE_FILE);
      expect(bundle, name).toBeDefined();
      const exported = lambdaHandler(FUNCTIONS[name]).split('.')[1];
      expect(bundle?.data.toString(), name).toMatch(new RegExp(`export\\s*\\{[^}]*\\bas ${exported}\\b`));
    }
  });

  it('ship the migrations next to the migrator bundle only', () => {
    const migrate = (packages.get('migrate') ?? []).map((file) => file.name);
    expect(migrate).toEqual(expect.arrayContaining([BUNDLE_FILE, 'migrations/meta/_journal.json']));
    expect(migrate.some((file) => /^migrations\/0000_.*\.sql$/.test(file))).toBe(true);
    for (const name of names.filter((n) => n !== 'migrate'))
      expect(
        (packages.get(name) ?? []).filter((file) => !file.name.endsWith('.mjs')),
        name,
      ).toEqual([]);
  });

  it('are split as deployed: functions that push load the management API client from a separate chunk', () => {
    for (const name of names.filter((n) => n !== 'migrate')) {
      const files = packages.get(name) ?? [];
      // `execute-api`, the client's signing name, appears in the SDK's code only.
      const client = files.filter((file) => file.data.includes('execute-api'));
      expect(client.length, name).toBeGreaterThan(0);
      expect(
        client.map((file) => file.name),
        name,
      ).not.toContain(BUNDLE_FILE);
    }
  });

  it.each(names)('%s loads on Node with the environment the deployer sets', async (name) => {
    const config = configuration(
      {
        name: 'bundle-test',
        region: 'us-east-1',
        roleArn: 'arn:aws:iam::000000000000:role/test',
        databaseUrl: 'postgres://postgres@127.0.0.1:1/none',
        redisUrl: 'redis://127.0.0.1:1',
        redisMode: 'standalone',
        signingKeyJson: await generateSigningKeyJson('bundle-test'),
        pepper: 'p'.repeat(48),
        originVerifySecret: 'o'.repeat(48),
        managementEndpoint: 'http://127.0.0.1:1',
      },
      'http://api.example.test',
    );
    for (const entry of packages.get(name) ?? []) {
      mkdirSync(dirname(join(dir, name, entry.name)), { recursive: true });
      writeFileSync(join(dir, name, entry.name), entry.data);
    }
    const file = join(dir, name, BUNDLE_FILE);
    const probe = `import(${JSON.stringify(file)}).then((m) => { console.log(typeof m.handler); process.exit(0); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'SILENT', ...environmentOf(name, config) },
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe('function');
  });
});
