import { join, resolve } from 'node:path';
import { type Bundle, bundle, deployedPlugins, type Source } from './bundles.js';
import { type ColdSample, type ColdVariant, coldRounds, startGoneApi } from './cold-start-bench.js';
import {
  ENTRIES,
  FLOOR_LIBRARIES,
  FLOOR_OF,
  FLOORS,
  type FloorName,
  FUNCTION_NAMES,
  type FunctionName,
  floorSource,
  HELLO_WORLD,
  PUSHING,
  REDIS_JOSE,
  REDIS_JOSE_SDK,
  SPLITTING_AS_DEPLOYED,
} from './function-sources.js';
import { previousTree } from './previous-tree.js';
import { check, type FigureResult, kb, ms, type Row, times } from './report.js';
import { type Summary, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.data', 'bench', 'bundles');
const WS_FUNCTIONS = ['ws-connect', 'ws-message', 'ws-disconnect'] as const;
const FLOOR_TARGET = 1.25;
const PREVIOUS_TARGET = 0.6;

type Mode = 'single' | 'split';
const MODES: Mode[] = ['single', 'split'];
const modeLabel = (mode: Mode): string => (mode === 'single' ? 'single file' : 'splitting: true');

/** Every bundle of figures 4–5, built before any timing starts. */
async function buildAll() {
  const plugins = await deployedPlugins();
  const make = (name: string, source: Source, splitting: boolean, options: { plain?: boolean } = {}) =>
    bundle({ name, source, splitting, plugins: options.plain ? [] : plugins, outRoot: OUT });
  const functions = {} as Record<FunctionName, Record<Mode, Bundle>>;
  for (const name of FUNCTION_NAMES) {
    const source = { entry: ENTRIES[name] };
    functions[name] = {
      single: await make(name, source, false),
      split: await make(`${name}-split`, source, true),
    };
  }
  const floors = {} as Record<FloorName, Record<Mode, Bundle>>;
  for (const name of Object.keys(FLOORS) as FloorName[]) {
    const source = { code: floorSource(name) };
    floors[name] = {
      single: await make(`floor-${name}`, source, false),
      split: await make(`floor-${name}-split`, source, true),
    };
  }
  const previous = await previousTree();
  const before = {} as Record<(typeof WS_FUNCTIONS)[number], Bundle>;
  for (const name of WS_FUNCTIONS) {
    // As deployed then: one file, no plugins (stacks/lambda.ts at that commit).
    before[name] = await bundle({
      name: `previous-${name}`,
      source: { entry: ENTRIES[name] },
      splitting: false,
      plugins: [],
      outRoot: OUT,
      root: previous.root,
    });
  }
  const slimming = {
    messagePlain: await make('ws-message-no-alias', { entry: ENTRIES['ws-message'] }, false, { plain: true }),
    messagePlainSplit: await make('ws-message-no-alias-split', { entry: ENTRIES['ws-message'] }, true, {
      plain: true,
    }),
    redisJose: await make('redis-jose', { code: REDIS_JOSE }, false),
    redisJoseSdkPlain: await make('redis-jose-sdk-no-alias', { code: REDIS_JOSE_SDK }, false, {
      plain: true,
    }),
    redisJoseSdk: await make('redis-jose-sdk', { code: REDIS_JOSE_SDK }, false),
  };
  const hello = await make('hello-world', { code: HELLO_WORLD }, false);
  return { functions, floors, before, previousCommit: previous.commit, slimming, hello };
}

const sizes = (b: Bundle): string =>
  b.lazyBytes > 0
    ? `${kb(b.initBytes)} (gz ${kb(b.initGzipBytes)}) + 1st push ${kb(b.firstUseBytes)} (gz ${kb(b.firstUseGzipBytes)})` +
      (b.lazyBytes > b.firstUseBytes ? ` + nested lazy ${kb(b.lazyBytes - b.firstUseBytes)}` : '')
    : `${kb(b.initBytes)} (gz ${kb(b.initGzipBytes)})`;

/**
 * Figures 4 and 5: every function bundled as SST deploys it (with the deployed esbuild plugins), one file and
 * with splitting; each cold-imported in a fresh node beside hello-world Hono, its floor and, for the WebSocket
 * functions, the same function built from the previous commit; plus the SDK-slimming what-ifs.
 */
export async function benchHandlerInit(options: {
  rounds: number;
  budgetMs: number;
  lambdaEnv: Record<string, string>;
}): Promise<FigureResult & { deployedImportMs: Record<FunctionName, number> }> {
  const built = await buildAll();
  const gone = await startGoneApi();
  try {
    const variants: Record<string, ColdVariant> = { hello: { file: built.hello.entry } };
    for (const name of FUNCTION_NAMES) {
      for (const mode of MODES) {
        if (mode === 'split' && !PUSHING.includes(name)) continue;
        variants[`${name}/${mode}`] = {
          file: built.functions[name][mode].entry,
          firstFrame: name === 'ws-message',
        };
      }
    }
    for (const name of Object.keys(FLOORS) as FloorName[]) {
      for (const mode of MODES) {
        if (mode === 'split' && name === 'migrate') continue;
        variants[`floor:${name}/${mode}`] = { file: built.floors[name][mode].entry };
      }
    }
    for (const name of WS_FUNCTIONS)
      variants[`previous:${name}`] = { file: built.before[name].entry, firstFrame: name === 'ws-message' };
    variants['slim:ws-message-no-alias'] = { file: built.slimming.messagePlain.entry, firstFrame: true };
    variants['slim:ws-message-no-alias/split'] = {
      file: built.slimming.messagePlainSplit.entry,
      firstFrame: true,
    };
    variants['slim:redis-jose'] = { file: built.slimming.redisJose.entry };
    variants['slim:redis-jose-sdk-no-alias'] = { file: built.slimming.redisJoseSdkPlain.entry };
    variants['slim:redis-jose-sdk'] = { file: built.slimming.redisJoseSdk.entry };

    const env = {
      PATH: process.env.PATH ?? '',
      ...options.lambdaEnv,
      // As on Lambda: the role's credentials in the environment, and the linked WebSocket API (a 410 stub here).
      WS_MANAGEMENT_ENDPOINT: gone.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIABENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
    };
    const samples = await coldRounds(variants, { rounds: options.rounds, budgetMs: options.budgetMs, env });
    const deployedImportMs = Object.fromEntries(
      FUNCTION_NAMES.map((name) => {
        const key = `${name}/${SPLITTING_AS_DEPLOYED[name] ? 'split' : 'single'}`;
        return [name, summarize((samples[key] ?? []).map((s) => s.importMs)).p50];
      }),
    ) as Record<FunctionName, number>;
    return { ...report(built, samples), deployedImportMs };
  } finally {
    await gone.close();
  }
}

type Built = Awaited<ReturnType<typeof buildAll>>;

function report(built: Built, samples: Record<string, ColdSample[]>): FigureResult {
  const of = (key: string, pick: (s: ColdSample) => number | undefined = (s) => s.importMs): Summary =>
    summarize((samples[key] ?? []).map(pick).filter((v): v is number => v !== undefined));
  const cpu = (key: string) => of(key, (s) => s.importCpuMs);
  const hello = of('hello');
  const rows: Row[] = [];
  const fig4 = '4 bundle (as SST builds)';
  rows.push({
    figure: fig4,
    measurement: 'hello-world Hono, single file',
    value: sizes(built.hello),
    reference: '—',
    ratio: '—',
    target: '—',
    status: 'info',
  });
  for (const name of FUNCTION_NAMES) {
    for (const mode of MODES) {
      if (mode === 'split' && !PUSHING.includes(name)) continue;
      const b = built.functions[name][mode];
      const floor = built.floors[FLOOR_OF[name]][mode];
      rows.push({
        figure: fig4,
        measurement: `${name}, ${modeLabel(mode)}${SPLITTING_AS_DEPLOYED[name] === (mode === 'split') ? ' (deployed)' : ''}`,
        value: sizes(b),
        reference: `floor ${sizes(floor)}`,
        ratio: times(b.initBytes / floor.initBytes),
        target: '—',
        status: 'info',
      });
    }
  }
  for (const name of WS_FUNCTIONS) {
    const b = built.before[name];
    const now = built.functions[name][SPLITTING_AS_DEPLOYED[name] ? 'split' : 'single'];
    rows.push({
      figure: fig4,
      measurement: `${name}: deployed now vs previous (${built.previousCommit}, single file)`,
      value: sizes(now),
      reference: `previous ${sizes(b)}`,
      ratio: times(now.initBytes / b.initBytes),
      target: '—',
      status: 'info',
    });
  }

  const fig5 = '5 cold import (fresh node)';
  for (const name of FUNCTION_NAMES) {
    for (const mode of MODES) {
      if (mode === 'split' && !PUSHING.includes(name)) continue;
      const key = `${name}/${mode}`;
      const floorKey = `floor:${FLOOR_OF[name]}/${mode === 'split' && FLOOR_OF[name] !== 'migrate' ? 'split' : 'single'}`;
      const value = of(key);
      const floor = of(floorKey);
      const ratio = value.p50 / floor.p50;
      // The target is for the build that is deployed; the other one is shown for the choice between them.
      const deployed = SPLITTING_AS_DEPLOYED[name] === (mode === 'split');
      rows.push({
        figure: fig5,
        measurement: `${name}, ${modeLabel(mode)}${deployed ? ' (deployed)' : ''} p50 (n=${value.n})`,
        value: ms(value.p50),
        reference: `floor ${ms(floor.p50)} · hello ${ms(hello.p50)} · CPU ${times(cpu(key).p50 / cpu(floorKey).p50)} floor's`,
        ratio: times(ratio),
        target: deployed ? `≤ ${FLOOR_TARGET}× floor` : '— (not deployed)',
        status: deployed ? check(ratio <= FLOOR_TARGET) : 'info',
      });
    }
  }
  for (const name of WS_FUNCTIONS) {
    const mode = SPLITTING_AS_DEPLOYED[name] ? 'split' : 'single';
    const value = of(`${name}/${mode}`);
    const before = of(`previous:${name}`);
    const ratio = value.p50 / before.p50;
    rows.push({
      figure: fig5,
      measurement: `${name} deployed vs previous (${built.previousCommit}) p50`,
      value: ms(value.p50),
      reference: `previous ${ms(before.p50)} (n=${before.n})`,
      ratio: times(ratio),
      target: `≤ ${PREVIOUS_TARGET}× previous`,
      status: check(ratio <= PREVIOUS_TARGET),
    });
  }
  const frame = (key: string) => of(key, (s) => s.firstFrameMs);
  const total = (key: string) =>
    of(key, (s) => (s.firstFrameMs === undefined ? undefined : s.importMs + s.firstFrameMs));
  const deployedMessage = `ws-message/${SPLITTING_AS_DEPLOYED['ws-message'] ? 'split' : 'single'}`;
  const otherMessage = `ws-message/${SPLITTING_AS_DEPLOYED['ws-message'] ? 'single' : 'split'}`;
  rows.push({
    figure: fig5,
    measurement: 'ws-message init + first frame (loads the SDK), deployed p50',
    value: ms(total(deployedMessage).p50),
    reference: `${SPLITTING_AS_DEPLOYED['ws-message'] ? 'single file' : 'splitting'} ${ms(total(otherMessage).p50)}; previous ${ms(total('previous:ws-message').p50)}`,
    ratio: times(total(deployedMessage).p50 / total('previous:ws-message').p50),
    target: '— (ratio vs previous)',
    status: 'info',
  });

  const fig5b = '5b SDK slimming';
  const s = built.slimming;
  const message = built.functions['ws-message'];
  rows.push(
    {
      figure: fig5b,
      measurement: 'ws-message single file, env-only credentials: import p50',
      value: ms(of('ws-message/single').p50),
      reference: `SDK default chain ${ms(of('slim:ws-message-no-alias').p50)}`,
      ratio: times(of('ws-message/single').p50 / of('slim:ws-message-no-alias').p50),
      target: '—',
      status: 'info',
    },
    {
      figure: fig5b,
      measurement: 'ws-message single file, env-only credentials: raw (gzip)',
      value: `${kb(message.single.initBytes)} (gz ${kb(message.single.initGzipBytes)})`,
      reference: `SDK default chain ${kb(s.messagePlain.initBytes)} (gz ${kb(s.messagePlain.initGzipBytes)})`,
      ratio: times(message.single.initBytes / s.messagePlain.initBytes),
      target: '—',
      status: 'info',
    },
    {
      figure: fig5b,
      measurement: 'splitting: chunks loaded by the first push, env-only credentials',
      value: `${kb(message.split.firstUseBytes)} (gz ${kb(message.split.firstUseGzipBytes)})`,
      reference: `SDK default chain ${kb(s.messagePlainSplit.firstUseBytes)} (gz ${kb(s.messagePlainSplit.firstUseGzipBytes)})`,
      ratio: times(message.split.firstUseBytes / s.messagePlainSplit.firstUseBytes),
      target: '—',
      status: 'info',
    },
    {
      figure: fig5b,
      measurement: 'splitting: every lazy chunk in the package, env-only credentials',
      value: `${kb(message.split.lazyBytes)} (gz ${kb(message.split.lazyGzipBytes)})`,
      reference: `SDK default chain ${kb(s.messagePlainSplit.lazyBytes)} (gz ${kb(s.messagePlainSplit.lazyGzipBytes)})`,
      ratio: times(message.split.lazyBytes / s.messagePlainSplit.lazyBytes),
      target: '—',
      status: 'info',
    },
    {
      figure: fig5b,
      measurement: 'ws-message first frame (SDK evaluated), single file p50',
      value: ms(frame('ws-message/single').p50),
      reference: `SDK default chain ${ms(frame('slim:ws-message-no-alias').p50)}`,
      ratio: times(frame('ws-message/single').p50 / frame('slim:ws-message-no-alias').p50),
      target: '—',
      status: 'info',
    },
    {
      figure: fig5b,
      measurement: 'ws-message first frame (loads the SDK chunk), splitting p50',
      value: ms(frame('ws-message/split').p50),
      reference: `SDK default chain ${ms(frame('slim:ws-message-no-alias/split').p50)}`,
      ratio: times(frame('ws-message/split').p50 / frame('slim:ws-message-no-alias/split').p50),
      target: '—',
      status: 'info',
    },
  );
  const redisJose = of('slim:redis-jose');
  for (const [label, key, b] of [
    ['ioredis + jose', 'slim:redis-jose', s.redisJose],
    ['ioredis + jose + mgmt API, SDK default chain', 'slim:redis-jose-sdk-no-alias', s.redisJoseSdkPlain],
    ['ioredis + jose + mgmt API, env-only credentials', 'slim:redis-jose-sdk', s.redisJoseSdk],
  ] as const) {
    rows.push({
      figure: fig5b,
      measurement: `${label} (eager) import p50`,
      value: ms(of(key).p50),
      reference: `${kb(b.initBytes)}; ioredis + jose ${ms(redisJose.p50)}`,
      ratio: times(of(key).p50 / redisJose.p50),
      target: '—',
      status: 'info',
    });
  }

  const packages = (b: Bundle) => new Set(b.contributors.filter(([, bytes]) => bytes > 0).map(([n]) => n));
  const kept = packages(message.single);
  const dropped = s.messagePlain.contributors
    .filter(([name, bytes]) => bytes > 0 && !kept.has(name))
    .map(([name, bytes]) => `${name} ${kb(bytes)}`);
  const top = (b: Bundle) =>
    b.contributors
      .slice(0, 6)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ');
  const notes = [
    `Floors (figure 5): ${Object.entries(FLOOR_LIBRARIES)
      .map(([name, libs]) => `${name}: ${libs}`)
      .join('; ')}. Built with the same options and plugins; ws-message and ws-disconnect share one.`,
    `Env-only credentials leave out of every pushing bundle: ${dropped.join(', ')}.`,
    `Largest inputs, http single file: ${top(built.functions.http.single)}; ws-message: ${top(message.single)}.`,
    `Management API chunk of the ws-message split build: ${message.split.contributors
      .filter(([name]) => /^@(aws-sdk|smithy|aws)\//.test(name))
      .slice(0, 5)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ')}.`,
    'First frame: a $default frame from an unknown connection (Redis GET, error push and disconnect answered 410 ' +
      'by a stub), invoked right after the import in the same child.',
  ];
  return { rows, raw: { samples, bundles: built }, notes };
}
