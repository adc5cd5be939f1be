/**
 * `npm run test:localstack`: checks for a Docker engine and LOCALSTACK_AUTH_TOKEN (missing either: says which and
 * exits 78, "skipped"), then starts the compose `localstack` profile, waits for its health, deploys with
 * localstack/deploy.ts, runs the e2e suite against the LocalStack URLs and tears everything down, also on failure.
 * `npm run localstack:up` deploys and leaves it running (prints API_URL/WS_URL); `npm run localstack:down` removes it.
 * LOCALSTACK_REDIS_MODE=cluster puts the functions on the compose `cluster` profile's cluster-mode Valkey.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { generateSigningKeyJson } from '../shared/adapters/crypto/generate-signing-key.js';
import { bundleFunction } from './bundle.js';
import { type Deployment, type DeploySettings, deployToLocalStack } from './deploy.js';
import { missingPrerequisites, SKIPPED_EXIT_CODE, skipMessage } from './preflight.js';

const ROOT = resolve(import.meta.dirname, '..');
const PROJECT = 'serverless-auth-chat-localstack';
const ENDPOINT = process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566';
const REGION = 'us-east-1';
const isCluster = process.env.LOCALSTACK_REDIS_MODE === 'cluster';
const HEALTH_DEADLINE_MS = 180_000;

// Its own compose project and network: a developer's `docker compose up` (and its data) is left alone, and empty
// host ports let Docker pick free ones (the Lambdas reach Postgres and Valkey by service name, not through the host).
const COMPOSE_ENV = {
  ...process.env,
  CHAT_NETWORK: PROJECT,
  POSTGRES_HOST_PORT: '',
  REDIS_HOST_PORT: '',
  REDIS_CLUSTER_HOST_PORT: '',
  REDIS_CLUSTER_ANNOUNCE: 'redis-cluster',
};
const compose = (profiles: string[], ...args: string[]) => [
  'compose',
  '-f',
  'docker-compose.yml',
  '-p',
  PROJECT,
  ...profiles.flatMap((profile) => ['--profile', profile]),
  ...args,
];

let current: ChildProcess | undefined;
let interrupted = false;

/** Runs a command in the repository with inherited output; resolves its exit code. */
function sh(command: string, args: string[], env: NodeJS.ProcessEnv = COMPOSE_ENV): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    current = child;
    child.once('error', () => done(127));
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    current = undefined;
  }) as Promise<number>;
}

async function must(command: string, args: string[]): Promise<void> {
  const code = await sh(command, args);
  if (code !== 0) throw new Error(`\`${command} ${args.join(' ')}\` exited ${code}`);
}

/** LocalStack's own health endpoint: Lambda and API Gateway v2 must be offered (v2 needs a paid licence). */
async function waitForLocalStack(): Promise<void> {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  let last = '';
  while (Date.now() < deadline && !interrupted) {
    const health = await fetch(`${ENDPOINT}/_localstack/health`, { signal: AbortSignal.timeout(5_000) })
      .then((res) => res.json() as Promise<{ services?: Record<string, string>; version?: string }>)
      .catch((error: unknown) => ({ error: String(error) }));
    const services = 'services' in health ? (health.services ?? {}) : {};
    const missing = ['lambda', 'apigatewayv2'].filter(
      (s) => !['available', 'running'].includes(services[s] ?? ''),
    );
    if ('services' in health && missing.length === 0) return;
    last = 'services' in health ? `not offered: ${missing.join(', ')}` : JSON.stringify(health);
    await sleep(2_000);
  }
  throw new Error(`LocalStack at ${ENDPOINT} is not ready (${last}); is the licence a Base plan or higher?`);
}

async function settings(): Promise<DeploySettings> {
  return {
    name: PROJECT,
    region: REGION,
    roleArn: 'arn:aws:iam::000000000000:role/serverless-auth-chat-lambda',
    // Compose service names: the Lambda containers run on the project's network (LAMBDA_DOCKER_NETWORK).
    databaseUrl: 'postgres://postgres@postgres:5432/chat_dev',
    redisUrl: isCluster ? 'redis://redis-cluster:7000' : 'redis://redis:6379',
    redisMode: isCluster ? 'cluster' : 'standalone',
    signingKeyJson: await generateSigningKeyJson('localstack-1'),
    pepper: randomBytes(48).toString('base64'),
    originVerifySecret: randomBytes(36).toString('base64url'),
    managementEndpoint: 'http://localstack:4566',
  };
}

async function up(): Promise<Deployment> {
  await must('docker', compose(['localstack', ...(isCluster ? ['cluster'] : [])], 'up', '-d', '--wait'));
  await waitForLocalStack();
  const options = {
    endpoint: ENDPOINT,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const deployment = await deployToLocalStack(
    {
      lambda: new LambdaClient(options),
      apigw: new ApiGatewayV2Client(options),
      bundle: (spec) => bundleFunction(spec),
      log: (line) => console.log(`[deploy] ${line}`),
    },
    await settings(),
  );
  console.log(`API_URL=${deployment.apiUrl}\nWS_URL=${deployment.wsUrl}`);
  return deployment;
}

/** Everything of the project, then any Lambda container LocalStack left on its network. */
async function down(): Promise<void> {
  const code = await sh('docker', compose(['localstack', 'cluster'], 'down', '-v', '--remove-orphans'));
  if (code !== 0) console.error(`docker compose down exited ${code}`);
  const leftovers = await new Promise<string[]>((done) => {
    const child = spawn('docker', ['ps', '-aq', '--filter', `network=${PROJECT}`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', () => done([]));
    child.once('exit', () => done(out.split('\n').filter(Boolean)));
  });
  if (leftovers.length > 0) {
    await sh('docker', ['rm', '-f', ...leftovers]);
    await sh('docker', ['network', 'rm', PROJECT]);
  }
}

async function test(): Promise<number> {
  try {
    const { apiUrl, wsUrl } = await up();
    if (interrupted) return 130;
    return await sh('npm', ['run', 'test:e2e'], { ...process.env, API_URL: apiUrl, WS_URL: wsUrl });
  } catch (error) {
    console.error(`test:localstack failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await down();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    current?.kill('SIGINT');
  });
}

const command = process.argv[2] ?? 'test';
if (command === 'down') {
  await down();
} else {
  const missing = await missingPrerequisites(process.env);
  if (missing.length > 0) {
    console.error(skipMessage(missing));
    process.exit(SKIPPED_EXIT_CODE);
  }
  process.exitCode =
    command === 'up'
      ? await up().then(
          () => 0,
          (error: unknown) => {
            console.error(
              `localstack:up failed (npm run localstack:down removes what started): ${String(error)}`,
            );
            return 1;
          },
        )
      : await test();
}
