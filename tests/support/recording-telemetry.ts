import type { MetricName, Metrics } from '../../shared/domain/metrics.js';
import type { RequestLog } from '../../shared/domain/request-log.js';

/** A Metrics port that remembers every count, for asserting "counted once, where it happened". */
export class RecordingMetrics implements Metrics {
  readonly counts = new Map<MetricName, number>();

  count(name: MetricName): void {
    this.counts.set(name, this.of(name) + 1);
  }

  of(name: MetricName): number {
    return this.counts.get(name) ?? 0;
  }

  /** Every count so far, by name, in a plain object (easy to compare with `toEqual`). */
  snapshot(): Partial<Record<MetricName, number>> {
    return Object.fromEntries(this.counts);
  }
}

/** A RequestLog that keeps the keys appended during the test's invocation. */
export class RecordingRequestLog implements RequestLog {
  readonly keys: Record<string, string | number> = {};

  append(keys: Record<string, string | number>): void {
    Object.assign(this.keys, keys);
  }
}
