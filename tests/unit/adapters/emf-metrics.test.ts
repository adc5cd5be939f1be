import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEmfMetrics } from '../../../shared/adapters/metrics/emf-metrics.js';

let written: string[] = [];

beforeEach(() => {
  written = [];
  // Powertools writes EMF through a Console bound to process.stdout, where Lambda hands it to CloudWatch.
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const records = () =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createEmfMetrics', () => {
  it('writes one EMF record per flush: summed counts in ServerlessChat with exactly {service, stage}', () => {
    const metrics = createEmfMetrics({ stage: 'prod' });
    metrics.count('LoginFailed');
    metrics.count('LoginFailed');
    metrics.count('SignUp');

    metrics.flush();

    const [record, ...rest] = records();
    expect(rest).toEqual([]);
    expect(record).toMatchObject({ service: 'chat', stage: 'prod', LoginFailed: 2, SignUp: 1 });
    expect(record?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'ServerlessChat',
          Dimensions: [['service', 'stage']],
          Metrics: [
            { Name: 'LoginFailed', Unit: 'Count' },
            { Name: 'SignUp', Unit: 'Count' },
          ],
        },
      ],
    });
  });

  it('writes nothing when nothing was counted, and starts over after a flush', () => {
    const metrics = createEmfMetrics({ stage: 'prod' });
    metrics.flush();
    metrics.count('Connect');
    metrics.flush();
    metrics.flush();

    expect(records()).toEqual([expect.objectContaining({ Connect: 1 })]);
  });

  it('keeps counting without writing while nobody flushes (a benchmark calling the app directly)', () => {
    const metrics = createEmfMetrics({ stage: 'prod' });
    for (let sent = 0; sent < 250; sent += 1) metrics.count('MessageStored');

    expect(records()).toEqual([]);
    metrics.flush();
    expect(records()).toEqual([expect.objectContaining({ MessageStored: 250 })]);
  });
});
