import { FUNCTIONS } from '../../stacks/function-specs.js';
import type { Deployment } from './assumptions.js';
import type { ModelResult } from './model.js';
import { SERVICES } from './monthly-cost.js';
import { OPERATION_NAMES } from './operations.js';
import { AWS_PRICES, HOSTED_PRICES, NODE_TYPES, PRICES_CHECKED_ON, type Price, REGION } from './prices.js';
import { peakFactor } from './usage.js';

// The model's results as rows of text: what both printers (render.ts) lay out.
export interface Table {
  title: string;
  intro?: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
}

const usd = (value: number): string =>
  value === 0
    ? '$0'
    : value >= 100
      ? `$${Math.round(value).toLocaleString('en-US')}`
      : value >= 1
        ? `$${value.toFixed(2)}`
        : `$${value.toFixed(4)}`;
const count = (value: number): string =>
  value >= 1e6 ? `${(value / 1e6).toFixed(1)} M` : Math.round(value).toLocaleString('en-US');
const round = (value: number, digits = 2): string => `${Number(value.toFixed(digits))}`;
/** Use of a quota: a percentage up to 10× it, then a multiple. */
const share = (ratio: number): string =>
  ratio < 10 ? `${round(100 * ratio, 0)} %` : `${round(ratio, 0)}× the quota`;
const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const checked = (price: Price): string => (price.verified ? 'yes' : '**unverified**');

function redisLine(d: Deployment, r: ModelResult['monthly']['redis']): string {
  const why =
    r.shards > r.deployedShards
      ? ` (the stack deploys ${r.deployedShards}; ${r.shardsForMemory} needed for memory, ${r.shardsForThroughput} for commands)`
      : '';
  return (
    `${d.label}: ${r.shards} shard(s)${why} × ${1 + d.redis.replicasPerShard} nodes for ${gib(r.bytesNeeded)} ` +
    `(${d.historyDaysInRedis} days of history) and ${count(r.peakCommandsPerSecond)} commands/s at peak` +
    (d.redis.engine === 'memorydb-valkey' ? ', plus data written' : '')
  );
}

function workloadInWords(r: ModelResult): string {
  const w = r.workload;
  const reads = w.connectionsPerUserPerDay * w.httpCallsPerConnection + w.otherReadsPerUserPerDay;
  return (
    `Each daily user sends ${w.messagesPerUserPerDay} messages (with ${w.typingFramesPerMessage} typing and ` +
    `${w.readMarksPerMessage} read frames per message), is connected ${w.socketMinutesPerUserPerDay} min over ` +
    `${w.connectionsPerUserPerDay} connections, pings every ${w.pingIntervalSeconds} s, refreshes every ` +
    `${w.accessTokenMinutes} min while connected (${w.socketMinutesPerUserPerDay / w.accessTokenMinutes}/day), logs in ` +
    `${w.loginsPerUserPerDay} times a day and makes ${reads} small authenticated reads; ` +
    `${w.monthlyActiveUsers.toLocaleString('en-US')} monthly users; the ${w.peakSockets.toLocaleString('en-US')}-socket ` +
    `peak is ${round(peakFactor(w), 1)}× the day's average.`
  );
}

function operationsTable(r: ModelResult): Table {
  return {
    title: 'Work per operation (production memory sizes, AWS waits added)',
    columns: [
      'Operation',
      'Function (MB)',
      'Billed ms',
      'Redis trips / cmds',
      'Pushes',
      'WS msgs',
      'Per month',
      'Basis',
    ],
    rows: OPERATION_NAMES.map((name) => {
      const op = r.operations[name];
      return [
        name,
        `${op.fn} (${FUNCTIONS[op.fn].memoryMb})`,
        `${op.billedMs}`,
        `${round(op.redisRoundTrips)} / ${round(op.redisCommands)}`,
        `${round(op.pushes)}`,
        `${round(op.webSocketMessages)}`,
        count(r.monthlyUsage.counts[name]),
        op.basis,
      ];
    }),
    notes: [
      `Billed ms = CPU measured on one core × (1,769 / function MB) + ${r.platform.redisRoundTripMs} ms per Redis ` +
        `round trip + ${r.platform.pushRoundTripMs} ms for the (parallel) pushes + ${r.platform.postgresQueryMs} ms per ` +
        'Postgres query, rounded up. INIT of the deployed bundle is billed on ' +
        `${r.platform.coldStartShare * 100} % of invocations (cold import: ` +
        `http ${round(r.measured.coldImportMs.http, 0)} ms, ws-message ${round(r.measured.coldImportMs.wsMessage, 0)} ms).`,
    ],
  };
}

function monthlyTable(r: ModelResult): Table {
  const w = r.workload;
  const deployments = [r.monthly, ...r.alternatives];
  return {
    title: `Monthly cost: ${w.dailyActiveUsers.toLocaleString('en-US')} daily users, ${w.messagesPerUserPerDay} messages each, ${w.peakSockets.toLocaleString('en-US')} peak sockets`,
    intro: workloadInWords(r),
    columns: ['Service', ...deployments.map((d) => d.deployment.label)],
    rows: [
      ...SERVICES.map((service) => [service, ...deployments.map((d) => usd(d.cost[service]))]),
      ['**Total per month**', ...deployments.map((d) => `**${usd(d.total)}**`)],
    ],
    notes: [
      ...deployments.map((d) => `${redisLine(d.deployment, d.redis)}.`),
      `Each further month of history kept in Redis adds ${gib(r.monthly.redis.historyBytesPerMonth)}: the code trims a ` +
        'conversation at 10,000 messages, not by age, so without an archive job memory (and nodes) keep growing.',
      `${count(r.monthlyUsage.counts.ping)} keep-alive pings a month (one per socket every ${w.pingIntervalSeconds} s) ` +
        `against ${count(r.monthlyUsage.counts.sendMessage)} messages.`,
    ],
  };
}

function whatIfTable(r: ModelResult): Table {
  return {
    title: `What moves the bill (${r.monthly.deployment.label}, one change at a time)`,
    columns: ['Change', 'Per month', 'Difference'],
    rows: r.whatIf.map(({ label, total }) => [
      label,
      usd(total),
      label === 'as built'
        ? '—'
        : `${total >= r.monthly.total ? '+' : '−'}${usd(Math.abs(total - r.monthly.total))}`,
    ]),
  };
}

function unitTable(r: ModelResult): Table {
  return {
    title: 'Unit costs (marginal: no standing charges)',
    columns: ['Unit', 'Total', 'Lambda', 'WebSocket API', 'HTTP API', 'Everything else'],
    rows: r.unit.map(({ label, priced }) => {
      const { cost } = priced;
      const main = cost.Lambda + cost['API Gateway WebSocket'] + cost['API Gateway HTTP API'];
      return [
        label,
        usd(priced.total),
        usd(cost.Lambda),
        usd(cost['API Gateway WebSocket']),
        usd(cost['API Gateway HTTP API']),
        usd(priced.total - main),
      ];
    }),
  };
}

function limitsTable(r: ModelResult): Table {
  return {
    title: 'First limits on the way to 1 M sockets and 10,000 messages/s (in the order they are hit)',
    columns: ['#', 'Limit', 'Quota', 'Hit at', 'Use at the target', 'What lifts it', 'Source'],
    rows: r.limits.map((hit, i) => [
      `${i + 1}`,
      hit.limit.name,
      `${count(hit.limit.unit === 'bytes' ? hit.limit.capacity / 1024 ** 3 : hit.limit.capacity)} ${hit.limit.unit === 'bytes' ? 'GiB' : hit.limit.unit}`,
      hit.fraction === 0
        ? "already at today's peak"
        : hit.at
          ? `${count(hit.at.sockets)} sockets, ${count(hit.at.messagesPerSecond)} msg/s`
          : 'not hit',
      share(hit.usageAtTarget / hit.limit.capacity),
      hit.limit.lift,
      `${hit.limit.source}${hit.limit.verified ? '' : ' (**unverified**)'}`,
    ]),
    notes: [
      "Redis memory is sized for 30 days of history at today's rate, so it is the first thing to need more shards " +
        'as messages grow.',
      'The requests-per-second row counts inbound frames, connects, disconnects and HTTP calls, not the pushes ' +
        '(@connections POSTs, one per pong and two per message): whether AWS counts those against the same ' +
        'account throttle was not found; if it does, that limit comes about twice as early.',
      "Sockets and messages grow together from today's peak (log scale). Fixed, not quotas: API Gateway closes " +
        'every socket at 2 h and idle ones at 10 min, so 1 M sockets reconnect at ≥ 139/s even if nobody leaves, and ' +
        'clients must ping more often than every 10 min.',
    ],
  };
}

function hostedTable(r: ModelResult): Table {
  return {
    title: `Hosted alternatives at this workload (list prices, checked ${PRICES_CHECKED_ON})`,
    columns: ['Product', 'Replaces', 'Per month', 'Basis', 'Prices verified'],
    rows: [
      [
        'This stack: realtime path (variable)',
        'realtime messaging',
        usd(r.slices.realtime),
        'Lambda, WebSocket API, NAT, logs for frames and pushes',
        '—',
      ],
      ['This stack: auth (variable)', 'auth', usd(r.slices.auth), 'logins, refreshes, sign-ups, resets', '—'],
      ...r.hosted.map((quote) => [
        quote.product,
        quote.replaces,
        quote.monthlyUsd === null ? 'quote' : usd(quote.monthlyUsd),
        quote.basis,
        quote.prices.length === 0
          ? '—'
          : quote.prices.every((p) => p.verified)
            ? 'yes'
            : '**partly unverified**',
      ]),
    ],
    notes: [
      'Hosted messaging replaces the WebSocket API and the ws-* functions, not the history store, the auth or the ' +
        "standing charges; hosted auth replaces the login/refresh code, not the app's Redis sessions for chat.",
    ],
  };
}

/** Every table of the model, in page order (the price list comes last, from `priceTable`). */
export const modelTables = (r: ModelResult): Table[] =>
  [operationsTable, monthlyTable, whatIfTable, unitTable, limitsTable, hostedTable].map((build) => build(r));

export function priceTable(): Table {
  const row = (name: string, p: Price) => [name, `$${p.usd}`, p.per, p.source, checked(p), p.note ?? ''];
  return {
    title: `Prices (${REGION}, checked ${PRICES_CHECKED_ON})`,
    columns: ['Item', 'USD', 'Per', 'Source', 'Verified', 'Note'],
    rows: [
      ...Object.entries(AWS_PRICES).map(([name, p]) => row(name, p)),
      ...NODE_TYPES.map((node) => row(`${node.engine} ${node.name} (${node.memoryGiB} GiB)`, node.hourly)),
      ...Object.entries(HOSTED_PRICES).map(([name, p]) => row(name, p)),
    ],
  };
}
