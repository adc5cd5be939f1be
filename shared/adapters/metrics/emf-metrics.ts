import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../../domain/metrics.js';

/** A Metrics port whose counts are written as one EMF JSON line per invocation (CloudWatch parses stdout). */
export interface FlushableMetrics extends Metrics {
  /** Writes what this invocation counted, if anything, and starts over; call it once per invocation. */
  flush(): void;
}

const NAMESPACE = 'ServerlessChat';

/**
 * Powertools Metrics in the Embedded Metric Format: no API call and no latency, CloudWatch extracts the metrics
 * from the log line. Dimensions are exactly {service: "chat", stage}, so every function's counts add up in
 * one series per stage (the alarms and the dashboard in stacks/ read them that way).
 */
export function createEmfMetrics(options: { stage: string }): FlushableMetrics {
  const emf = new PowertoolsMetrics({
    namespace: NAMESPACE,
    serviceName: 'chat',
    defaultDimensions: { stage: options.stage },
  });
  return {
    count: (name) => {
      emf.addMetric(name, MetricUnit.Count, 1);
    },
    flush: () => {
      // An empty flush would only log Powertools' "no metrics" warning.
      if (emf.hasStoredMetrics()) emf.publishStoredMetrics();
    },
  };
}
