import {
  ApiGatewayV2Client,
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
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type DeploySettings, deployToLocalStack } from '../../../localstack/deploy.js';
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
} from '../../../stacks/function-specs.js';

// The deployer driven against the SDK clients mocked at command level: what it would create on LocalStack.
const lambda = mockClient(LambdaClient);
const apigw = mockClient(ApiGatewayV2Client);

const SIGNING_KEY = JSON.stringify({
  kty: 'OKP',
  crv: 'Ed25519',
  x: 'public-x',
  d: 'PRIVATE-d-never-outside-http',
  kid: 'ls-1',
});
const settings: DeploySettings = {
  name: 'chat-ls',
  region: 'us-east-1',
  roleArn: 'arn:aws:iam::000000000000:role/chat-ls-lambda',
  databaseUrl: 'postgres://postgres@postgres:5432/chat_dev',
  redisUrl: 'redis://redis:6379',
  redisMode: 'standalone',
  signingKeyJson: SIGNING_KEY,
  pepper: 'pepper-0123456789abcdef0123456789abcdef',
  originVerifySecret: 'origin-verify-0123456789abcdef0123456789ab',
  managementEndpoint: 'http://localstack:4566',
};
const HTTP_ENDPOINT = 'httpid.execute-api.localhost.localstack.cloud:4566';
const API_ORIGIN = `http://${HTTP_ENDPOINT}`;
const arnOf = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:chat-ls-${name}`;
/** A stand-in package per function, so the test can tell which bytes went where. */
const packageOf = (spec: FunctionSpec) => new TextEncoder().encode(`zip of ${spec.handler}`);
const names = Object.keys(FUNCTIONS) as FunctionName[];

beforeEach(() => {
  lambda.reset();
  apigw.reset();
  apigw.on(GetApisCommand).resolves({
    Items: [
      { ApiId: 'old-http', Name: 'chat-ls-http', ProtocolType: 'HTTP', RouteSelectionExpression: '' },
      { ApiId: 'not-ours', Name: 'someone-else', ProtocolType: 'HTTP', RouteSelectionExpression: '' },
    ],
  });
  apigw.on(DeleteApiCommand).resolves({});
  apigw
    .on(CreateApiCommand, { ProtocolType: 'HTTP' })
    .resolves({ ApiId: 'httpid', ApiEndpoint: HTTP_ENDPOINT });
  apigw
    .on(CreateApiCommand, { ProtocolType: 'WEBSOCKET' })
    .resolves({ ApiId: 'wsid', ApiEndpoint: 'ws://localhost:4510' });
  let integrations = 0;
  apigw.on(CreateIntegrationCommand).callsFake(() => ({ IntegrationId: `int-${++integrations}` }));
  apigw.on(CreateRouteCommand).resolves({});
  apigw.on(CreateStageCommand).resolves({});
  lambda
    .on(DeleteFunctionCommand)
    .rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
  lambda
    .on(CreateFunctionCommand)
    .callsFake((input: { FunctionName: string }) => ({ FunctionArn: arnOf(input.FunctionName.slice(8)) }));
  lambda.on(GetFunctionCommand).resolves({ Configuration: { State: 'Active' } });
  lambda.on(AddPermissionCommand).resolves({});
  lambda.on(InvokeCommand).resolves({
    StatusCode: 200,
    Payload: new TextEncoder().encode(JSON.stringify({ status: 'migrated', directoryEntries: 0 })) as never,
  });
});

const deploy = () =>
  deployToLocalStack(
    {
      lambda: lambda as unknown as LambdaClient,
      apigw: apigw as unknown as ApiGatewayV2Client,
      bundle: async (spec) => packageOf(spec),
    },
    settings,
  );
const created = () =>
  new Map(
    lambda
      .commandCalls(CreateFunctionCommand)
      .map((call) => [call.args[0].input.FunctionName, call.args[0].input]),
  );

describe('deployToLocalStack', () => {
  it('creates every function of the specs with its handler, runtime, memory, timeout, role and package', async () => {
    await deploy();

    const functions = created();
    expect([...functions.keys()].sort()).toEqual(names.map((name) => `chat-ls-${name}`).sort());
    for (const name of names) {
      const spec: FunctionSpec = FUNCTIONS[name];
      const export_ = spec.handler.split('.').pop();
      expect(functions.get(`chat-ls-${name}`), name).toMatchObject({
        Handler: `bundle.${export_}`,
        Runtime: LAMBDA_RUNTIME,
        Architectures: [LAMBDA_ARCHITECTURE],
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        Role: settings.roleArn,
        Code: { ZipFile: packageOf(spec) },
      });
    }
    // Each function is waited on until Active before anything routes to it.
    expect(lambda.commandCalls(GetFunctionCommand)).toHaveLength(names.length);
  });

  it('hands each function exactly the configuration keys its spec names, with the LocalStack values', async () => {
    await deploy();

    const functions = created();
    const env = (name: FunctionName) => functions.get(`chat-ls-${name}`)?.Environment?.Variables ?? {};
    for (const name of names) {
      const expected = [
        ...Object.keys(LAMBDA_BASE_ENVIRONMENT),
        ...Object.keys((FUNCTIONS[name] as FunctionSpec).settings ?? {}),
        ...FUNCTIONS[name].environment,
        ...(name === 'http' ? Object.keys(E2E_LIMITS) : []),
      ];
      expect(Object.keys(env(name)).sort(), name).toEqual(expected.sort());
    }
    expect(env('http')).toMatchObject({
      DATABASE_URL: settings.databaseUrl,
      REDIS_URL: settings.redisUrl,
      REDIS_MODE: 'standalone',
      JWT_SIGNING_KEY: SIGNING_KEY,
      PASSWORD_PEPPER: settings.pepper,
      WS_MANAGEMENT_ENDPOINT: 'http://localstack:4566',
      ALLOWED_ORIGINS: API_ORIGIN,
      ...E2E_LIMITS,
    });
    expect(env('wsConnect').ALLOWED_ORIGINS).toBe(API_ORIGIN);
    expect(JSON.parse(env('wsConnect').JWT_PUBLIC_KEYS ?? '[]')).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: 'public-x', kid: 'ls-1', alg: 'EdDSA', use: 'sig' },
    ]);
    // No function but HTTP sees the private key or the pepper.
    for (const name of names.filter((n) => n !== 'http'))
      expect(JSON.stringify(env(name)), name).not.toMatch(/PRIVATE-d|pepper-/);
  });

  it('creates the HTTP and WebSocket APIs with the specs’ route tables, proxy integrations and $default stages', async () => {
    const deployment = await deploy();

    const apis = apigw.commandCalls(CreateApiCommand).map((call) => call.args[0].input);
    expect(apis).toEqual([
      { Name: 'chat-ls-http', ProtocolType: 'HTTP' },
      { Name: 'chat-ls-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: WEBSOCKET_ROUTE_SELECTION },
    ]);
    const integrations = apigw.commandCalls(CreateIntegrationCommand).map((call, i) => ({
      id: `int-${i + 1}`,
      ...call.args[0].input,
    }));
    /** Route key → the function its integration invokes, for one API. */
    const routeTable = (apiId: string) =>
      Object.fromEntries(
        apigw
          .commandCalls(CreateRouteCommand)
          .map((call) => call.args[0].input)
          .filter((route) => route.ApiId === apiId)
          .map((route) => {
            const integration = integrations.find((i) => route.Target === `integrations/${i.id}`);
            const name = names.find((n) => integration?.IntegrationUri?.includes(arnOf(n)));
            return [route.RouteKey, name];
          }),
      );
    expect(routeTable('httpid')).toEqual(HTTP_ROUTES);
    expect(routeTable('wsid')).toEqual(WEBSOCKET_ROUTES);
    for (const integration of integrations) {
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      if (integration.ApiId === 'httpid') {
        expect(integration).toMatchObject({ IntegrationUri: arnOf('http'), PayloadFormatVersion: '2.0' });
      } else {
        expect(integration.IntegrationUri).toMatch(
          /^arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:.+\/invocations$/,
        );
      }
    }
    expect(apigw.commandCalls(CreateStageCommand).map((call) => call.args[0].input)).toEqual([
      { ApiId: 'httpid', StageName: '$default', AutoDeploy: true },
      { ApiId: 'wsid', StageName: '$default', AutoDeploy: true },
    ]);
    // Each stage is created after its API's routes, so auto-deploy publishes them.
    const order = apigw.calls().map((call) => call.args[0].constructor.name);
    expect(order.lastIndexOf('CreateRouteCommand')).toBeLessThan(order.lastIndexOf('CreateStageCommand'));
    expect(deployment).toMatchObject({ apiUrl: API_ORIGIN, wsUrl: 'ws://localhost:4510' });
  });

  it('lets API Gateway invoke each routed function of that API only', async () => {
    await deploy();

    const permissions = lambda.commandCalls(AddPermissionCommand).map((call) => call.args[0].input);
    const expected = [
      ...Object.values(HTTP_ROUTES).map((name) => [arnOf(name), 'httpid']),
      ...Object.values(WEBSOCKET_ROUTES).map((name) => [arnOf(name), 'wsid']),
    ];
    expect(permissions.map((p) => [p.FunctionName, p.SourceArn?.split(':')[5]?.split('/')[0]])).toEqual(
      expected,
    );
    for (const permission of permissions) {
      expect(permission).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: expect.stringMatching(/^arn:aws:execute-api:us-east-1:000000000000:(httpid|wsid)\/\*$/),
      });
    }
    expect(permissions.some((p) => p.FunctionName === arnOf('migrate'))).toBe(false);
  });

  it('runs the migrator once, before any API function exists, as `sst deploy` does, and fails the deploy when it fails', async () => {
    const deployment = await deploy();

    const invocations = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(invocations.map((i) => i.FunctionName)).toEqual([arnOf('migrate')]);
    expect(JSON.parse(new TextDecoder().decode(invocations[0]?.Payload as Uint8Array))).toEqual({
      reason: 'deploy',
    });
    // Created, invoked, and only then the functions the APIs route to.
    const commands = lambda.calls().map((call) => call.args[0]);
    const invokedAt = commands.findIndex((command) => command instanceof InvokeCommand);
    const created = commands.flatMap((command, index) =>
      command instanceof CreateFunctionCommand ? [[index, command.input.FunctionName]] : [],
    );
    expect(created.filter(([index]) => Number(index) < invokedAt).map(([, name]) => name)).toEqual([
      'chat-ls-migrate',
    ]);
    expect(created).toHaveLength(names.length);
    expect(deployment.migration).toEqual({ status: 'migrated', directoryEntries: 0 });

    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode('{"errorMessage":"relation exists"}') as never,
    });
    await expect(deploy()).rejects.toThrow(/Unhandled.*relation exists/);
  });

  it('replaces an earlier deployment of the same name and nothing else', async () => {
    await deploy();

    expect(apigw.commandCalls(DeleteApiCommand).map((call) => call.args[0].input)).toEqual([
      { ApiId: 'old-http' },
    ]);
    expect(lambda.commandCalls(DeleteFunctionCommand).map((call) => call.args[0].input.FunctionName)).toEqual(
      names.map((name) => `chat-ls-${name}`),
    );
  });
});
