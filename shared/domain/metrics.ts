/**
 * The business events we count (CloudWatch namespace `ServerlessChat`). The names are a contract: the
 * alarms and the dashboard in stacks/ refer to them.
 */
export const METRIC_NAMES = [
  'SignUp',
  'LoginSucceeded',
  'LoginFailed',
  'LoginThrottled',
  'RefreshRotated',
  'RefreshReuseDetected',
  'MessageStored',
  'PushOk',
  'PushGone',
  'PushThrottled',
  'PushError',
  'Connect',
  'Disconnect',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** Counts a business event, once, where it happens; the composition root flushes at the end of the invocation. */
export interface Metrics {
  count(name: MetricName): void;
}
