import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureWebBuild } from '../../local/static-build.js';
import { startLocalSystem } from '../support/e2e-local-system.js';
import { CHROMIUM_PATH } from './support/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
  }
}

/**
 * The browser suite drives Debian's Chromium against `npm start` (local/start.ts as a child process with a
 * fresh database, Redis key prefix, DATA_DIR and ports — the e2e pattern). The web client is built here
 * first, so a build error shows up as such rather than as a slow start.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: apt-get install -y chromium (never npx playwright install)`,
    );
  }
  await ensureWebBuild(resolve(import.meta.dirname, '../../web'));
  const system = await startLocalSystem();
  project.provide('apiUrl', system.apiUrl);
  return () => system.stop();
}
