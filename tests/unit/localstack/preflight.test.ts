import { describe, expect, it } from 'vitest';
import {
  type CommandResult,
  missingPrerequisites,
  type RunCommand,
  SKIPPED_EXIT_CODE,
  skipMessage,
} from '../../../localstack/preflight.js';

/** A fake `docker`: each subcommand answers as configured. */
const docker =
  (answers: { info: CommandResult; compose?: CommandResult }): RunCommand =>
  async (_command, args) =>
    args[0] === 'info' ? answers.info : (answers.compose ?? { ok: true, detail: '' });
const ok = { ok: true, detail: '' };
const noDaemon = { ok: false, detail: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' };

describe('test:localstack prerequisites', () => {
  it('names a missing Docker engine and a missing token, each exactly', async () => {
    const missing = await missingPrerequisites({}, docker({ info: noDaemon }));

    expect(missing).toEqual([
      'no Docker engine: `docker info` failed (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.)',
      expect.stringMatching(/^LOCALSTACK_AUTH_TOKEN is not set \(/),
    ]);
  });

  it('names only the token when the engine answers, and only the engine when the token is set', async () => {
    expect(await missingPrerequisites({ LOCALSTACK_AUTH_TOKEN: ' ' }, docker({ info: ok }))).toEqual([
      expect.stringMatching(/^LOCALSTACK_AUTH_TOKEN is not set/),
    ]);
    expect(
      await missingPrerequisites({ LOCALSTACK_AUTH_TOKEN: 'ls-abc' }, docker({ info: noDaemon })),
    ).toEqual([expect.stringMatching(/^no Docker engine/)]);
  });

  it('asks for Compose v2 when the engine has no `docker compose`', async () => {
    const missing = await missingPrerequisites(
      { LOCALSTACK_AUTH_TOKEN: 'ls-abc' },
      docker({ info: ok, compose: { ok: false, detail: "docker: 'compose' is not a docker command." } }),
    );
    expect(missing).toEqual([
      "no Docker Compose v2: `docker compose version` failed (docker: 'compose' is not a docker command.)",
    ]);
  });

  it('is satisfied by an engine, Compose v2 and a token', async () => {
    expect(await missingPrerequisites({ LOCALSTACK_AUTH_TOKEN: 'ls-abc' }, docker({ info: ok }))).toEqual([]);
  });

  it('skips with exit status 78 (EX_CONFIG), saying that nothing ran and why', () => {
    expect(SKIPPED_EXIT_CODE).toBe(78);
    expect(skipMessage(['no Docker engine', 'no token'])).toBe(
      'test:localstack SKIPPED (exit 78): nothing was deployed or tested, because:\n  - no Docker engine\n  - no token',
    );
  });
});
