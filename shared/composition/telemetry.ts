import { Logger } from '@aws-lambda-powertools/logger';
import { createEmfMetrics, type FlushableMetrics } from '../adapters/metrics/emf-metrics.js';
import type { RequestLog } from '../domain/request-log.js';
import type { RealtimeSettings } from './realtime-deps.js';

/** One function's logger, metrics and per-invocation log keys, created once per cold start. */
export interface Telemetry {
  logger: Logger;
  metrics: FlushableMetrics;
  requestLog: RequestLog;
}

/** `service` labels every log line (one Lambda function each); metrics share one `service: chat` series. */
export function createTelemetry(
  service: string,
  env: Pick<RealtimeSettings, 'LOG_LEVEL' | 'STAGE'>,
): Telemetry {
  const logger = new Logger({ serviceName: service, logLevel: env.LOG_LEVEL });
  return {
    logger,
    metrics: createEmfMetrics({ stage: env.STAGE }),
    // Temporary keys: the invocation wrapper (log-context.ts) resets them when the invocation ends.
    requestLog: { append: (keys) => logger.appendKeys(keys) },
  };
}
