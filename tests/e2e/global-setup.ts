import type { TestProject } from 'vitest/node';
import { startLocalSystem } from '../support/e2e-local-system.js';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    wsUrl: string;
    /** Where captured mail is read (`GET …/_dev/mail`): the local system's API; `MAIL_URL` or empty elsewhere. */
    mailUrl: string;
  }
}

/**
 * The e2e suite is black box over `API_URL` (and `WS_URL`). When they are set (LocalStack, a deployed
 * stage) they are used as-is; otherwise this starts `local/start.ts` as a child process against a fresh
 * database and Redis key prefix, and the teardown stops it and removes everything it created.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.API_URL;
  if (external) {
    project.provide('apiUrl', external.replace(/\/+$/, ''));
    project.provide('wsUrl', process.env.WS_URL ?? '');
    project.provide('mailUrl', (process.env.MAIL_URL ?? '').replace(/\/+$/, ''));
    return undefined;
  }
  const system = await startLocalSystem();
  process.env.API_URL = system.apiUrl;
  process.env.WS_URL = system.wsUrl;
  project.provide('apiUrl', system.apiUrl);
  project.provide('wsUrl', system.wsUrl);
  project.provide('mailUrl', system.apiUrl);
  return async () => {
    delete process.env.API_URL;
    delete process.env.WS_URL;
    await system.stop();
  };
}
