import { ALARMS, type AlarmSpec, APP_METRICS, appDimensions, METRICS_NAMESPACE } from './alarm-specs';

export interface MonitoredFunction {
  /** Short name in alarm names and on the dashboard (`http`, `wsConnect`…). */
  label: string;
  name: $util.Input<string>;
}

export interface MonitoringTargets {
  httpApiId: $util.Input<string>;
  wsApiId: $util.Input<string>;
  functions: MonitoredFunction[];
  /** The MemoryDB cluster (stacks/durable-redis.ts). */
  redisClusterName: $util.Input<string>;
  dbInstanceId: $util.Input<string>;
  dbProxyName: $util.Input<string>;
}

type Dimensions = Record<string, $util.Input<string>>;

/** The AWS-side dimensions each alarm spec names, for this deployment. */
function dimensionsOf(
  source: AlarmSpec['source'],
  targets: MonitoringTargets,
  fn?: MonitoredFunction,
): Dimensions {
  switch (source) {
    case 'app':
      return appDimensions($app.stage);
    case 'httpApi':
      return { ApiId: targets.httpApiId };
    case 'wsApi':
      return { ApiId: targets.wsApiId };
    case 'function':
      return { FunctionName: fn?.name ?? '' };
    case 'redis':
      return { ClusterName: targets.redisClusterName };
    case 'dbInstance':
      return { DBInstanceIdentifier: targets.dbInstanceId };
    case 'dbProxy':
      return { ProxyName: targets.dbProxyName };
  }
}

function createAlarm(
  spec: AlarmSpec,
  targets: MonitoringTargets,
  topicArn: $util.Output<string>,
  fn?: MonitoredFunction,
) {
  const suffix = fn ? `${fn.label}-${spec.id}` : spec.id;
  const dimensions = dimensionsOf(spec.source, targets, fn);
  const [first] = spec.metrics;
  if (spec.insights && first) {
    // One Metrics Insights query (SELECT MAX(...) FROM "ns" WHERE dim = 'value' AND ...) over every series.
    const filters = Object.entries(dimensions).map(([key, value]) => $interpolate`${key} = '${value}'`);
    const where = $resolve(filters).apply((parts) => parts.join(' AND '));
    const expression = $interpolate`SELECT MAX(${first.name}) FROM "${spec.namespace}" WHERE ${where}`;
    return alarm(spec, suffix, topicArn, [
      { id: 'result', expression, period: spec.periodSeconds, label: spec.id, returnData: true },
    ]);
  }
  const queries = spec.metrics.map((metric) => ({
    id: metric.id,
    returnData: false,
    metric: {
      namespace: spec.namespace,
      metricName: metric.name,
      dimensions,
      period: spec.periodSeconds,
      stat: metric.stat,
    },
  }));
  return alarm(spec, suffix, topicArn, [
    ...queries,
    { id: 'result', expression: spec.expression, label: spec.id, returnData: true },
  ]);
}

function alarm(
  spec: AlarmSpec,
  suffix: string,
  topicArn: $util.Output<string>,
  metricQueries: $util.Input<aws.types.input.cloudwatch.MetricAlarmMetricQuery>[],
) {
  const resourceName = `Alarm${suffix.replace(/(^|-)([a-z0-9])/gi, (_m, _d, c: string) => c.toUpperCase())}`;
  return new aws.cloudwatch.MetricAlarm(resourceName, {
    name: `${$app.name}-${$app.stage}-${suffix}`,
    alarmDescription: spec.description,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    // No traffic is not an incident; a dead service shows up as 5xx, errors or throttles instead.
    treatMissingData: 'notBreaching',
    metricQueries,
    alarmActions: [topicArn],
    okActions: [topicArn],
  });
}

const metricWidget = (title: string, metrics: unknown[][], region: $util.Output<string>, stat = 'Sum') => ({
  type: 'metric',
  width: 12,
  height: 6,
  properties: { title, region, stat, period: 60, view: 'timeSeries', stacked: false, metrics },
});

/**
 * Production's alarms (stacks/alarm-specs.ts) on an SNS topic, plus one CloudWatch dashboard of the app's
 * business metrics (Powertools EMF, namespace ServerlessChat) beside API Gateway, Lambda, MemoryDB and RDS.
 * `ALARM_EMAIL` in the deploy environment subscribes an address (confirm the mail SNS sends once).
 */
export function createMonitoring(targets: MonitoringTargets) {
  const topic = new aws.sns.Topic('Alarms', { name: `${$app.name}-${$app.stage}-alarms` });
  const email = process.env.ALARM_EMAIL?.trim();
  if (email)
    new aws.sns.TopicSubscription('AlarmsEmail', { topic: topic.arn, protocol: 'email', endpoint: email });

  const alarms = ALARMS.flatMap((spec) =>
    spec.source === 'function'
      ? targets.functions.map((fn) => createAlarm(spec, targets, topic.arn, fn))
      : [createAlarm(spec, targets, topic.arn)],
  );

  const region = aws.getRegionOutput().region;
  const app = appDimensions($app.stage);
  const appMetric = (name: string) => [METRICS_NAMESPACE, name, 'service', app.service, 'stage', app.stage];
  const perFunction = (metric: string) =>
    targets.functions.map((fn) => ['AWS/Lambda', metric, 'FunctionName', fn.name, { label: fn.label }]);
  const widgets = [
    {
      type: 'alarm',
      width: 24,
      height: 4,
      properties: { title: 'Alarms', alarms: alarms.map((a) => a.arn) },
    },
    metricWidget(
      'Sign-ups and logins',
      ['SignUp', 'LoginSucceeded', 'LoginFailed', 'LoginThrottled'].map(appMetric),
      region,
    ),
    metricWidget(
      'Refresh rotations and reuse detections',
      ['RefreshRotated', 'RefreshReuseDetected'].map(appMetric),
      region,
    ),
    metricWidget(
      'Messages, connects, disconnects',
      ['MessageStored', 'Connect', 'Disconnect'].map(appMetric),
      region,
    ),
    metricWidget(
      'Pushes (ok / 410 / 429 / error)',
      ['PushOk', 'PushGone', 'PushThrottled', 'PushError'].map(appMetric),
      region,
    ),
    metricWidget(
      'HTTP API',
      ['Count', '4xx', '5xx'].map((m) => ['AWS/ApiGateway', m, 'ApiId', targets.httpApiId]),
      region,
    ),
    metricWidget(
      'HTTP API latency p95 (ms)',
      [['AWS/ApiGateway', 'Latency', 'ApiId', targets.httpApiId]],
      region,
      'p95',
    ),
    metricWidget(
      'WebSocket API',
      ['ConnectCount', 'MessageCount', 'ClientError', 'ExecutionError', 'IntegrationError'].map((m) => [
        'AWS/ApiGateway',
        m,
        'ApiId',
        targets.wsApiId,
      ]),
      region,
    ),
    metricWidget('Lambda errors', perFunction('Errors'), region),
    metricWidget('Lambda throttles', perFunction('Throttles'), region),
    metricWidget('Lambda concurrency (max)', perFunction('ConcurrentExecutions'), region, 'Maximum'),
    metricWidget('Lambda duration p95 (ms)', perFunction('Duration'), region, 'p95'),
    metricWidget(
      'MemoryDB memory and CPU (%, busiest node)',
      ['DatabaseMemoryUsagePercentage', 'EngineCPUUtilization'].map((m, i) => [
        {
          id: `e${i + 1}`,
          expression: $interpolate`SELECT MAX(${m}) FROM "AWS/MemoryDB" WHERE ClusterName = '${targets.redisClusterName}'`,
          label: m,
        },
      ]),
      region,
      'Maximum',
    ),
    metricWidget(
      'Postgres connections',
      [
        ['AWS/RDS', 'DatabaseConnections', 'DBInstanceIdentifier', targets.dbInstanceId],
        ['AWS/RDS', 'ClientConnections', 'ProxyName', targets.dbProxyName],
        ['AWS/RDS', 'DatabaseConnections', 'ProxyName', targets.dbProxyName],
        ['AWS/RDS', 'DatabaseConnectionsCurrentlySessionPinned', 'ProxyName', targets.dbProxyName],
      ],
      region,
      'Maximum',
    ),
  ];
  const dashboard = new aws.cloudwatch.Dashboard('Dashboard', {
    dashboardName: `${$app.name}-${$app.stage}`,
    dashboardBody: $jsonStringify({ widgets }),
  });
  return { topic, alarms, dashboard, appMetrics: APP_METRICS };
}
