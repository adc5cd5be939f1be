/**
 * List prices the scale and cost model uses: AWS on-demand in us-east-1, and hosted alternatives, as found on
 * the date below. Each carries the page it was read from. `verified: false` marks a value that the search
 * corpus did not confirm: it is the figure we know (or, where said, derive), to be checked before a decision.
 */
export const PRICES_CHECKED_ON = '2026-12-03';
export const REGION = 'us-east-1';

export interface Price {
  usd: number;
  /** What one `usd` buys, e.g. "GB-second", "1M requests", "node-hour". */
  per: string;
  source: string;
  verified: boolean;
  note?: string;
}

// SST's own cost notes (sst 4.17.1: .sst/platform/src/components/aws/<component>.ts), published on sst.dev.
const SST_DOCS = 'https://sst.dev/docs/component/aws/';

export const AWS_PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second (arm64, first 7.5 B GB-s/month)',
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing',
    verified: true,
  },
  lambdaRequests: {
    usd: 0.2,
    per: '1M requests',
    source:
      'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md',
    verified: true,
  },
  httpApiRequests: {
    usd: 1.0,
    per: '1M requests (first 300 M/month)',
    source: 'https://amnic.com/blogs/aws-api-gateway-pricing',
    verified: true,
  },
  webSocketMessages: {
    usd: 1.0,
    per: '1M messages, billed in 32 KB units (first 1 B/month)',
    source: 'https://amnic.com/blogs/aws-api-gateway-pricing',
    verified: true,
    note: '32 KB unit: https://awsnegotiations.com/api-gateway-websocket-cost',
  },
  webSocketConnectionMinutes: {
    usd: 0.25,
    per: '1M connection-minutes',
    source: 'https://amnic.com/blogs/aws-api-gateway-pricing',
    verified: true,
  },
  dataTransferOutGb: {
    usd: 0.09,
    per: 'GB out to the internet (first 10 TB/month)',
    source: 'https://amnic.com/blogs/aws-api-gateway-pricing',
    verified: true,
  },
  natGatewayHour: {
    usd: 0.045,
    per: 'NAT gateway-hour',
    source: `${SST_DOCS}vpc#cost`,
    verified: true,
  },
  natGatewayGb: {
    usd: 0.045,
    per: 'GB processed',
    source: 'https://basavytix.com/blog/aws-nat-gateway-pricing',
    verified: true,
  },
  rdsPostgresT4gMicroHour: {
    usd: 0.016,
    per: 'instance-hour, db.t4g.micro Single-AZ (Multi-AZ: two)',
    source: `${SST_DOCS}postgres#cost`,
    verified: true,
  },
  rdsGp3GbMonth: {
    usd: 0.115,
    per: 'GB-month gp3 storage',
    source: `${SST_DOCS}postgres#cost`,
    verified: true,
  },
  rdsProxyVcpuHour: {
    usd: 0.015,
    per: 'vCPU-hour of the instance behind it (2 vCPU minimum)',
    source: `${SST_DOCS}postgres#rds-proxy`,
    verified: true,
  },
  cloudWatchLogsGb: {
    usd: 0.5,
    per: 'GB of logs ingested',
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/',
    verified: true,
  },
  cloudWatchMetricMonth: {
    usd: 0.3,
    per: 'custom metric-month (EMF, first 10,000)',
    source: 'https://signoz.io/guides/cloudwatch-pricing',
    verified: true,
  },
  cloudWatchAlarmMonth: {
    usd: 0.1,
    per: 'standard-resolution alarm-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    verified: false,
    note: 'the stored copy of the page has no figures; the value we know',
  },
  cloudWatchDashboardMonth: {
    usd: 3,
    per: 'dashboard-month',
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/',
    verified: true,
  },
  sesPerThousandEmails: {
    usd: 0.1,
    per: '1,000 emails',
    source: 'https://www.acecloudinterviews.com/tutorials/aws/ses/',
    verified: true,
  },
  memoryDbDataWrittenGb: {
    usd: 0.2,
    per: 'GB written',
    source: 'https://aws.amazon.com/memorydb/pricing/',
    verified: false,
    note: 'the Redis OSS rate we know; the stored page copies carry no figures and the Valkey rate may be lower',
  },
} as const satisfies Record<string, Price>;

export interface NodeType {
  engine: 'elasticache-valkey' | 'memorydb-valkey';
  name: string;
  memoryGiB: number;
  /** Planning figure, not a price and not measured: simple commands and short scripts per second per shard. */
  commandsPerSecond: number;
  hourly: Price;
}

/**
 * Node-based Redis-compatible stores: hourly price per node, the memory it holds and the command rate we plan one
 * shard for (burstable t4g nodes far lower than r7g ones; all three throughput figures are assumptions).
 */
export const NODE_TYPES: readonly NodeType[] = [
  {
    engine: 'elasticache-valkey',
    name: 'cache.t4g.micro',
    memoryGiB: 0.5,
    commandsPerSecond: 10_000,
    hourly: { usd: 0.0128, per: 'node-hour', source: `${SST_DOCS}redis#cost`, verified: true },
  },
  {
    engine: 'elasticache-valkey',
    name: 'cache.r7g.large',
    memoryGiB: 13.07,
    commandsPerSecond: 100_000,
    hourly: {
      usd: 0.1752,
      per: 'node-hour',
      source: 'https://aws.amazon.com/elasticache/pricing/',
      verified: false,
      note: 'Redis OSS $0.219 as we know it, less the 20 % Valkey discount that SST quotes for t4g.micro',
    },
  },
  {
    engine: 'memorydb-valkey',
    name: 'db.t4g.small',
    memoryGiB: 1.37,
    commandsPerSecond: 20_000,
    hourly: {
      usd: 0.0476,
      per: 'node-hour',
      source: 'https://aws.amazon.com/memorydb/pricing/',
      verified: false,
      note: 'estimate: Redis OSS $0.068 as we recall it, less the 30 % Valkey discount',
    },
  },
  {
    engine: 'memorydb-valkey',
    name: 'db.r7g.large',
    memoryGiB: 13.07,
    commandsPerSecond: 100_000,
    hourly: {
      usd: 0.23,
      per: 'node-hour',
      source: 'https://aws.amazon.com/memorydb/pricing/',
      verified: false,
      note:
        'estimate: ~1.5× the ElastiCache Redis OSS node, less the 30 % Valkey discount ' +
        '(discount: https://docs.aws.amazon.com/memorydb/latest/devguide/reserved-nodes.html)',
    },
  },
];

/** The node type by name, or a clear error naming what to add here. */
export function nodeType(name: string): NodeType {
  const found = NODE_TYPES.find((node) => node.name === name);
  if (!found) throw new Error(`No price for node type ${name}: add it to bench/model/prices.ts`);
  return found;
}

export const HOSTED_PRICES = {
  ablyStandardMonth: {
    usd: 29,
    per: 'month, Standard package (10,000 concurrent connections, 2,500 messages/s)',
    source: 'https://ably.com/docs/platform/pricing/resource-based',
    verified: true,
  },
  ablyProMonth: {
    usd: 399,
    per: 'month, Pro package (50,000 concurrent connections, 10,000 messages/s)',
    source: 'https://ably.com/docs/platform/pricing/resource-based',
    verified: true,
  },
  ablyMessages: {
    usd: 2.5,
    per: '1M messages (a publish and each delivery count)',
    source: 'https://ably.com/pricing/full-calculator',
    verified: true,
  },
  ablyConnectionMinutes: {
    usd: 1.0,
    per: '1M connection-minutes (and the same per 1M channel-minutes)',
    source:
      'https://raw.githubusercontent.com/api-evangelist/ably/refs/heads/main/plans/ably-plans-pricing.yml',
    verified: false,
    note: "a third party's transcription of ably.com/pricing; Ably now prices new accounts per MAU",
  },
  pusherPremiumMonth: {
    usd: 499,
    per: 'month, Premium plan (10,000 connections, 20 M messages/day)',
    source:
      'https://raw.githubusercontent.com/api-evangelist/pusher/refs/heads/main/plans/pusher-plans-pricing.yml',
    verified: false,
    note: "a third party's transcription of pusher.com/channels/pricing",
  },
  pusherGrowthPlusMonth: {
    usd: 1199,
    per: 'month, Growth Plus plan (30,000 connections, 90 M messages/day); above: Enterprise quote',
    source:
      'https://raw.githubusercontent.com/api-evangelist/pusher/refs/heads/main/plans/pusher-plans-pricing.yml',
    verified: false,
    note: "a third party's transcription of pusher.com/channels/pricing",
  },
  cognitoEssentialsMau: {
    usd: 0.015,
    per: 'MAU above 10,000 free, Essentials plan (the default for new pools)',
    source: 'https://c3x.dev/resources/aws/aws_cognito_user_pool/',
    verified: false,
    note: 'the page confirms the plan and the 10,000 free MAU, not the rate; $0.015 is the rate we know',
  },
  cognitoLiteMau: {
    usd: 0.0055,
    per: 'MAU above 10,000 free, Lite plan',
    source: 'https://aws.amazon.com/cognito/pricing/',
    verified: false,
    note: 'the stored page copies carry no figures; the rate we know',
  },
  clerkProMonth: {
    usd: 25,
    per: 'month, Pro plan (50,000 MAU included; $20 billed annually)',
    source: 'https://owostack.com/pricing-templates/clerk-mau-pricing',
    verified: true,
    note: 'snapshot of clerk.com/pricing verified there on 2026-03-09',
  },
  clerkExtraMau: {
    usd: 0.02,
    per: 'MAU above the included 50,000',
    source: 'https://owostack.com/pricing-templates/clerk-mau-pricing',
    verified: true,
  },
} as const satisfies Record<string, Price>;

/** Looked for, not found in the search corpus: listed on the page, never priced. */
export const UNPRICED = [
  {
    product: 'Stream Chat',
    source: 'https://getstream.io/chat/pricing/',
    why: 'the stored page lists 10K/25K/50K MAU tiers without figures; 250 k MAU would be a quote',
  },
  { product: 'Auth0', source: 'https://auth0.com/pricing', why: 'no figures found in the search corpus' },
] as const;
