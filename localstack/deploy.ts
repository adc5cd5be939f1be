import {
  type ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  GetApisCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  type LambdaClient,
  ResourceNotFoundException,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { publicJwksJson } from '../shared/adapters/crypto/public-jwks.js';
import {
  E2E_LIMITS,
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  HTTP_ROUTES,
  LAMBDA_ARCHITECTURE,
  LAMBDA_BASE_ENVIRONMENT,
  LAMBDA_RUNTIME,
  WEBSOCKET_ROUTE_SELECTION,
  WEBSOCKET_ROUTES,
} from '../stacks/function-specs.js';
import { lambdaHandler } from './bundle.js';

/** Every configuration key some function's spec names (stacks/function-specs.ts). */
export type ConfigKey = (typeof FUNCTIONS)[FunctionName]['environment'][number];

/** What the Lambda containers are handed; addresses as they are reached from the compose network. */
export interface DeploySettings {
  /** Prefix of every function and API name; a second deploy with it replaces the first. */
  name: string;
  region: string;
  /** LocalStack only checks that this is a well-formed role ARN (IAM is not enforced unless ENFORCE_IAM=1). */
  roleArn: string;
  databaseUrl: string;
  redisUrl: string;
  redisMode: 'standalone' | 'cluster';
  signingKeyJson: string;
  pepper: string;
  originVerifySecret: string;
  /** The management API as the functions reach it: LocalStack serves `/@connections` on its gateway port. */
  managementEndpoint: string;
}

export interface DeployClients {
  lambda: LambdaClient;
  apigw: ApiGatewayV2Client;
  /** The function's deployment package (localstack/bundle.ts; tests pass a stand-in). */
  bundle: (spec: FunctionSpec) => Promise<Uint8Array>;
  log?: (line: string) => void;
}

export interface Deployment {
  apiUrl: string;
  wsUrl: string;
  functionArns: Record<FunctionName, string>;
  migration: unknown;
}

const STAGE = '$default';
const MIGRATION_EVENT = { reason: 'deploy' };

/**
 * Deploys what the SST stacks deploy, minus the AWS-only parts (VPC, RDS, ElastiCache, CloudFront): every function
 * of stacks/function-specs.ts, the HTTP API and the WebSocket API with their integrations, routes, `$default` stage
 * and invoke permissions, then runs the migrator as `sst deploy` does.
 */
export async function deployToLocalStack(
  clients: DeployClients,
  settings: DeploySettings,
): Promise<Deployment> {
  const log = clients.log ?? (() => {});
  await removePrevious(clients, settings.name);
  const http = await createApi(clients.apigw, `${settings.name}-http`, 'HTTP');
  const ws = await createApi(clients.apigw, `${settings.name}-ws`, 'WEBSOCKET');
  log(`APIs: HTTP ${http.id} (${http.url}), WebSocket ${ws.id} (${ws.url})`);

  const config = configuration(settings, new URL(http.url).origin);
  const functionArns = {} as Record<FunctionName, string>;
  // As `sst deploy` orders it (stacks/migrate.ts): the migrator runs first, and no API function exists before
  // it succeeded, so no code ever serves on a schema older than it expects.
  functionArns.migrate = await createFunction(clients, settings, 'migrate', config);
  const migration = await invoke(clients.lambda, functionArns.migrate, MIGRATION_EVENT);
  log(`migrations: ${JSON.stringify(migration)}`);
  for (const name of (Object.keys(FUNCTIONS) as FunctionName[]).filter((name) => name !== 'migrate')) {
    functionArns[name] = await createFunction(clients, settings, name, config);
    log(`function ${name}: ${functionArns[name]}`);
  }

  await routeApi(clients, settings, http, HTTP_ROUTES, functionArns);
  await routeApi(clients, settings, ws, WEBSOCKET_ROUTES, functionArns);
  log('routes and $default stages created');
  return { apiUrl: http.url, wsUrl: ws.url, functionArns, migration };
}

/** The value of every configuration key, for this deployment. */
export function configuration(settings: DeploySettings, apiOrigin: string): Record<ConfigKey, string> {
  return {
    // The metrics' `stage` dimension (SST passes its stage name the same way, functions/resource-env.ts).
    STAGE: settings.name,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_MODE: settings.redisMode,
    JWT_SIGNING_KEY: settings.signingKeyJson,
    JWT_PREVIOUS_PUBLIC_KEYS: '[]',
    // `$connect` verifies with the public half only, as stacks/secrets.ts derives it for SST.
    JWT_PUBLIC_KEYS: publicJwksJson(settings.signingKeyJson),
    PASSWORD_PEPPER: settings.pepper,
    WS_MANAGEMENT_ENDPOINT: settings.managementEndpoint,
    // No Router here: the page origin a browser (and the e2e suite) sends is the HTTP API's own.
    ALLOWED_ORIGINS: apiOrigin,
    ORIGIN_VERIFY_SECRET: settings.originVerifySecret,
    // LocalStack's SES accepts any sender unless told otherwise; the mail is not checked there.
    MAIL_FROM: 'no-reply@localstack.invalid',
  };
}

/** A function's Lambda environment: the shared base, its spec's plain settings and keys only, and the e2e limits on HTTP. */
export function environmentOf(name: FunctionName, config: Record<ConfigKey, string>): Record<string, string> {
  const spec: FunctionSpec = FUNCTIONS[name];
  const keys = Object.fromEntries(spec.environment.map((key) => [key, config[key as ConfigKey]]));
  // This deployment exists to run the e2e suite: like an `e2e…` stage (stacks/api.ts), lift the per-IP limits.
  const limits = name === HTTP_ROUTES.$default ? E2E_LIMITS : {};
  return { ...LAMBDA_BASE_ENVIRONMENT, ...spec.settings, ...limits, ...keys };
}

async function removePrevious({ lambda, apigw }: DeployClients, prefix: string): Promise<void> {
  const { Items = [] } = await apigw.send(new GetApisCommand({}));
  for (const api of Items) {
    if (api.ApiId && (api.Name === `${prefix}-http` || api.Name === `${prefix}-ws`))
      await apigw.send(new DeleteApiCommand({ ApiId: api.ApiId }));
  }
  for (const name of Object.keys(FUNCTIONS)) {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: `${prefix}-${name}` })).catch((error) => {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    });
  }
}

interface CreatedApi {
  id: string;
  url: string;
  protocol: 'HTTP' | 'WEBSOCKET';
}

async function createApi(apigw: ApiGatewayV2Client, name: string, protocol: 'HTTP' | 'WEBSOCKET') {
  const created = await apigw.send(
    new CreateApiCommand({
      Name: name,
      ProtocolType: protocol,
      ...(protocol === 'WEBSOCKET' && { RouteSelectionExpression: WEBSOCKET_ROUTE_SELECTION }),
    }),
  );
  if (!created.ApiId || !created.ApiEndpoint) throw new Error(`CreateApi ${name} returned no id or endpoint`);
  // LocalStack answers HTTP APIs with a bare host (`<id>.execute-api.localhost.localstack.cloud:4566`).
  const scheme = protocol === 'HTTP' ? 'http://' : 'ws://';
  const url = /^[a-z]+:\/\//.test(created.ApiEndpoint)
    ? created.ApiEndpoint
    : `${scheme}${created.ApiEndpoint}`;
  return { id: created.ApiId, url: url.replace(/\/+$/, ''), protocol } satisfies CreatedApi;
}

async function createFunction(
  { lambda, bundle }: DeployClients,
  settings: DeploySettings,
  name: FunctionName,
  config: Record<ConfigKey, string>,
): Promise<string> {
  const spec: FunctionSpec = FUNCTIONS[name];
  const functionName = `${settings.name}-${name}`;
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Role: settings.roleArn,
      Runtime: LAMBDA_RUNTIME,
      Architectures: [LAMBDA_ARCHITECTURE],
      Handler: lambdaHandler(spec),
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutSeconds,
      Environment: { Variables: environmentOf(name, config) },
      Code: { ZipFile: await bundle(spec) },
    }),
  );
  if (!created.FunctionArn) throw new Error(`CreateFunction ${functionName} returned no ARN`);
  // LocalStack starts the runtime container while the function is Pending; invocations wait for Active.
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 180 }, { FunctionName: functionName });
  return created.FunctionArn;
}

/** Integration per route (AWS_PROXY, as SST's route components), the route, invoke permission, `$default` stage. */
async function routeApi(
  { lambda, apigw }: DeployClients,
  settings: DeploySettings,
  api: CreatedApi,
  routeTable: Record<string, FunctionName>,
  functionArns: Record<FunctionName, string>,
): Promise<void> {
  const isWebSocket = api.protocol === 'WEBSOCKET';
  for (const [routeKey, name] of Object.entries(routeTable)) {
    const functionArn = functionArns[name];
    const account = functionArn.split(':')[4];
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: functionArn,
        StatementId: `${api.id}-${name}`,
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${settings.region}:${account}:${api.id}/*`,
      }),
    );
    const integration = await apigw.send(
      new CreateIntegrationCommand({
        ApiId: api.id,
        IntegrationType: 'AWS_PROXY',
        // WebSocket APIs take the Lambda invocation URI, HTTP APIs the function ARN with payload 2.0 (as SST does).
        ...(isWebSocket
          ? {
              IntegrationUri: `arn:aws:apigateway:${settings.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
            }
          : { IntegrationUri: functionArn, PayloadFormatVersion: '2.0' }),
      }),
    );
    if (!integration.IntegrationId) throw new Error(`CreateIntegration for ${routeKey} returned no id`);
    await apigw.send(
      new CreateRouteCommand({
        ApiId: api.id,
        RouteKey: routeKey,
        Target: `integrations/${integration.IntegrationId}`,
      }),
    );
  }
  // Last: an auto-deploying stage created after the routes deploys them at once.
  await apigw.send(new CreateStageCommand({ ApiId: api.id, StageName: STAGE, AutoDeploy: true }));
}

async function invoke(lambda: LambdaClient, functionArn: string, event: unknown): Promise<unknown> {
  const result = await lambda.send(
    new InvokeCommand({
      FunctionName: functionArn,
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  const text = new TextDecoder().decode(result.Payload ?? new Uint8Array());
  if (result.FunctionError) throw new Error(`${functionArn} failed (${result.FunctionError}): ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}
