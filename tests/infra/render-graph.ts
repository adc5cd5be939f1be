/**
 * Renders the SST app's resource graph offline: `tsx tests/infra/render-graph.ts <stage> <out.json> [dev]`.
 *
 * UNOFFICIAL: this re-enacts what the `sst` CLI (4.17.1, pkg/project/run.go + pkg/js/js.go) does before it
 * hands the program to Pulumi — bundle sst.config.ts with the `$app/$cli/$dev` defines, SST's shim and the
 * `aws`/`sst` globals — then runs it under Pulumi's mocks, with a loopback stand-in for the CLI's RPC server
 * (`Runtime.Build` bundles each real handler with esbuild the way SST's Node runtime does). It relies on SST
 * internals: re-check it after every SST upgrade (README, "Offline infrastructure checks").
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { callResult, resourceState } from './mock-state.js';

interface MockResourceArgs {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Names of the resources this one waits for (explicit `dependsOn` and the ones its inputs come from). */
  dependsOn?: string[];
}
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
}
interface MockMonitorClass {
  prototype: { registerResource(req: RegisterResourceRequest, callback: unknown): Promise<void> };
}
interface PulumiRuntime {
  setMocks(
    mocks: {
      newResource(args: MockResourceArgs): { id: string; state: Record<string, unknown> };
      call(args: { token: string; inputs: Record<string, unknown> }): Record<string, unknown>;
    },
    project: string,
    stack: string,
    preview: boolean,
  ): Promise<void>;
  runInPulumiStack(init: () => Promise<unknown>): Promise<Record<string, unknown> | undefined>;
  disconnect(): Promise<void>;
}
interface ConfigModule {
  run: (program: () => Promise<unknown>) => Promise<Record<string, unknown>>;
  mod: { app(input: { stage: string }): Record<string, unknown>; run(): Promise<unknown> };
}

const [stage = 'ci', outFile = '.sst/infra-graph.json', mode = 'deploy'] = process.argv.slice(2);
/** `dev` renders what `sst dev` deploys (`$dev` true, the CLI's `dev` command); anything else `sst deploy`. */
const isDev = mode === 'dev';
const root = process.cwd();
const platform = join(root, '.sst', 'platform');
const work = mkdtempSync(join(tmpdir(), 'sst-graph-'));
// `run()` chdirs to $cli.paths.root. A shadow root links the real sources and adds a placeholder web/dist:
// StaticSite uploads its build output (the real `npm run build:web` runs on deploy, never here).
const shadow = join(work, 'root');
mkdirSync(join(shadow, 'web', 'dist', 'assets'), { recursive: true });
for (const file of ['index.html', 'config.json', 'assets/index-0a1b2c3d.js']) {
  writeFileSync(join(shadow, 'web', 'dist', file), `placeholder ${file}`);
}
for (const entry of ['functions', 'shared', 'stacks', 'node_modules', 'package.json']) {
  symlinkSync(join(root, entry), join(shadow, entry));
}

const SST_CLI_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  'const require = topLevelCreateRequire(import.meta.url);',
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  'const __filename = topLevelFileUrlToPath(import.meta.url)',
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
].join('\n');

// The CLI prepends the provider imports to every user file outside .sst (pkg/js/js.go, InjectGlobals).
const globals = `import * as aws from "@pulumi/aws";\nimport * as sst from "${join(platform, 'src/components')}";\n`;
const injectGlobals: Plugin = {
  name: 'inject-globals',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.(js|ts)$/ }, async (args) => {
      if (args.path.startsWith(join(root, '.sst')) || args.path.includes('node_modules')) return undefined;
      return { contents: globals + (await readFile(args.path, 'utf8')), loader: 'ts' };
    });
  },
};

/** Stand-in for SST's `Runtime.Build` (pkg/runtime/node/build.go): one ESM bundle.mjs per function. */
const builds: Record<string, unknown>[] = [];
const targets: Record<string, unknown>[] = [];
async function buildFunction(input: Record<string, unknown>) {
  const handler = String(input.handler);
  const entry = resolve(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
  const out = join(work, 'artifacts', `${String(input.functionID)}-src`);
  const result = await build({
    entryPoints: [entry],
    outfile: join(out, 'bundle.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2023',
    minify: true,
    external: ['sharp', 'pg-native'],
    mainFields: ['module', 'main'],
    banner: { js: SST_CLI_BANNER },
    logLevel: 'silent',
  }).catch((error: { errors?: { text: string }[] }) => ({
    errors: error.errors ?? [{ text: String(error) }],
  }));
  const links = input.links as Record<string, Record<string, unknown>>;
  builds.push({ functionID: input.functionID, handler, links, copyFiles: input.copyFiles, entry });
  return { handler: 'bundle.handler', out, errors: result.errors.map((e) => e.text), sourcemaps: [] };
}

/** File names in a zip's central directory (enough to check what a Lambda package contains). */
function zipEntries(file: string): string[] {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const names: string[] = [];
  let offset = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return names;
}

const rpc: Record<string, (args: Record<string, unknown>) => unknown> = {
  'Runtime.Build': buildFunction,
  // `sst dev` registers each function to run locally instead of building it: what it would run, with its links.
  'Runtime.AddTarget': (input) => {
    targets.push({ functionID: input.functionID, handler: input.handler, links: input.links });
    return null;
  },
  'Provider.Aws.Bootstrap': () => ({ asset: 'sst-asset-mock', state: 'sst-state-mock', assetEcrUrl: '' }),
  'Provider.Aws.Appsync': () => ({ http: '', realtime: '' }),
};
const readBody = async (req: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
};
const server = createServer(async (req, res) => {
  const { method, params } = JSON.parse(await readBody(req)) as {
    method: string;
    params: [Record<string, unknown>];
  };
  debug('rpc', method);
  const fn = rpc[method];
  const reply = fn
    ? { result: await fn(params[0]), error: null }
    : { result: null, error: `rpc: can't find ${method}` };
  res.end(JSON.stringify(reply));
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
process.env.SST_SERVER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const requirePlatform = createRequire(join(platform, 'package.json'));
const pulumi = requirePlatform('@pulumi/pulumi') as { runtime: PulumiRuntime };
// The mocks' newResource sees no dependencies; the monitor's request does. Note them per resource (the URN's
// last `::` segment is the resource name), so tests can check ordering such as "API functions after migrations".
const { MockMonitor } = requirePlatform('@pulumi/pulumi/runtime/mocks') as { MockMonitor: MockMonitorClass };
const dependencies = new Map<string, string[]>();
const registerResource = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (req, callback) {
  const names = req.getDependenciesList().map((urn) => urn.slice(urn.lastIndexOf('::') + 2));
  dependencies.set(`${req.getType()}::${req.getName()}`, names);
  return registerResource.call(this, req, callback);
};
const resources: MockResourceArgs[] = [];
const unknownCalls = new Set<string>();
await pulumi.runtime.setMocks(
  {
    newResource(args) {
      debug('resource', args.type, args.name);
      // Dynamic providers carry their serialized code; it says nothing about the graph.
      const { __provider: _code, ...inputs } = args.inputs;
      const dependsOn = dependencies.get(`${args.type}::${args.name}`) ?? [];
      resources.push({ type: args.type, name: args.name, inputs, dependsOn });
      const state = resourceState(args.type, args.name, args.inputs);
      return { id: String(state.id), state };
    },
    call({ token, inputs }) {
      debug('call', token);
      const result = callResult(token, inputs);
      if (!result) unknownCalls.add(token);
      return result ?? {};
    },
  },
  'serverless-auth-chat',
  stage,
  false,
);

const outfile = join(platform, `infra-graph.${process.pid}.mjs`);
const runTs = join(platform, 'src/auto/run.ts');
await build({
  stdin: {
    contents: `import { run } from ${JSON.stringify(runTs)};\nimport mod from ${JSON.stringify(join(root, 'sst.config.ts'))};\nexport { run, mod };`,
    resolveDir: root,
    sourcefile: 'eval.ts',
    loader: 'ts',
  },
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  nodePaths: [join(platform, 'node_modules')],
  external: [
    '@pulumi/*',
    'undici',
    '@pulumiverse/*',
    '@sst-provider/*',
    '@aws-sdk/*',
    'esbuild',
    'archiver',
    'glob',
    'vite',
  ],
  define: { $app: 'globalThis.__sstApp', $cli: 'globalThis.__sstCli', $dev: String(isDev) },
  inject: [join(platform, 'src/shim/run.js')],
  banner: { js: SST_CLI_BANNER },
  plugins: [injectGlobals],
  logLevel: 'silent',
});

const debug = (...parts: unknown[]): void => {
  if (process.env.DEBUG_GRAPH) console.error('[graph]', ...parts);
};
// A program that never settles (an RPC the stand-in does not answer, a pending Output) must fail, not hang CI.
const watchdog = setTimeout(() => {
  console.error(`render-graph: no result after 120 s (${resources.length} resources registered)`);
  for (const failure of failures) console.error(failure);
  process.exit(2);
}, 120_000);
watchdog.unref();
const failures: string[] = [];
process.on('unhandledRejection', (reason) => failures.push(String((reason as Error)?.stack ?? reason)));
try {
  const config = (await import(pathToFileURL(outfile).href)) as ConfigModule;
  const app = { ...config.mod.app({ stage }), stage };
  Object.assign(globalThis, {
    __sstApp: app,
    __sstCli: {
      command: isDev ? 'dev' : 'deploy',
      dev: isDev,
      paths: { home: join(work, 'home'), root: shadow, work: join(work, 'sst'), platform },
      state: { version: {} },
    },
  });
  debug('program start');
  const outputs = await pulumi.runtime.runInPulumiStack(() => config.run(config.mod.run));
  debug('program returned');
  await pulumi.runtime.disconnect();
  debug('rpcs drained');
  // SST zips each function itself ($cli.paths.work/artifacts/<name>/code.zip): record what the package holds.
  for (const fn of builds) {
    const zip = join(work, 'sst', 'artifacts', String(fn.functionID), 'code.zip');
    fn.zipEntries = existsSync(zip) ? zipEntries(zip) : [];
    fn.bundleBytes = statSync(join(work, 'artifacts', `${String(fn.functionID)}-src`, 'bundle.mjs')).size;
  }
  writeFileSync(
    resolve(root, outFile),
    JSON.stringify(
      { stage, app, outputs, resources, builds, targets, unknownCalls: [...unknownCalls], failures },
      null,
      2,
    ),
  );
} finally {
  server.close();
  rmSync(outfile, { force: true });
  rmSync(work, { recursive: true, force: true });
}
