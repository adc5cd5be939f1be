import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricName, Metrics } from '../../domain/metrics.js';

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
  // Summed here, one value per name per flush: Powertools would keep an array of 1s and print it on its own
  // at 100 values, which code that never flushes (benchmarks and tests calling the app directly) would see.
  // Where invocations overlap (`npm start`), a count lands in whichever flush comes next: each once, none lost.
  const counts = new Map<MetricName, number>();
  return {
    count: (name) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    },
    flush: () => {
      // Nothing counted, nothing written (Powertools would log a "no metrics" warning).
      if (counts.size === 0) return;
      for (const [name, total] of counts) emf.addMetric(name, MetricUnit.Count, total);
      counts.clear();
      emf.publishStoredMetrics();
    },
  };
}
