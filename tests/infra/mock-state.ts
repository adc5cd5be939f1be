/**
 * What the Pulumi mocks answer for the rendered graph (tests/infra/render-graph.ts): every resource echoes its
 * inputs plus the few provider-computed outputs SST's components read (endpoints, ARNs, random values).
 */
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

type State = Record<string, unknown>;

const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const computed: Record<string, (name: string, inputs: State, id: string) => State> = {
  'aws:rds/instance:Instance': (name, inputs) => ({
    address: `${slug(name)}.mock.${REGION}.rds.amazonaws.com`,
    endpoint: `${slug(name)}.mock.${REGION}.rds.amazonaws.com:5432`,
    port: 5432,
    identifier: inputs.identifier ?? slug(name),
  }),
  'aws:rds/proxy:Proxy': (name) => ({ endpoint: `${slug(name)}.proxy-mock.${REGION}.rds.amazonaws.com` }),
  'aws:elasticache/replicationGroup:ReplicationGroup': (name, inputs) => ({
    configurationEndpointAddress: `clustercfg.${slug(name)}.mock.use1.cache.amazonaws.com`,
    primaryEndpointAddress: `master.${slug(name)}.mock.use1.cache.amazonaws.com`,
    port: 6379,
    clusterEnabled: inputs.clusterMode === 'enabled',
  }),
  'aws:memorydb/cluster:Cluster': (name) => ({
    clusterEndpoints: [
      { address: `clustercfg.${slug(name)}.mock.memorydb.${REGION}.amazonaws.com`, port: 6379 },
    ],
  }),
  'aws:apigatewayv2/api:Api': (_name, inputs, id) => ({
    apiEndpoint: `${inputs.protocolType === 'WEBSOCKET' ? 'wss' : 'https'}://${id}.execute-api.${REGION}.amazonaws.com`,
    executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}`,
  }),
  'aws:cloudfront/distribution:Distribution': () => ({ domainName: 'd111111abcdef8.cloudfront.net' }),
  'aws:ec2/instance:Instance': () => ({ primaryNetworkInterfaceId: 'eni-mock' }),
  'random:index/randomBytes:RandomBytes': () => ({
    base64: Buffer.alloc(32, 7).toString('base64'),
    hex: Buffer.alloc(32, 7).toString('hex'),
  }),
  // Distinct per resource, so a test can tell where each generated value ends up.
  'random:index/randomPassword:RandomPassword': (name, inputs) => ({
    result: `MockRandomPassword${slug(name)}0123456789abcdef`.slice(0, Number(inputs.length ?? 32)),
  }),
};

export function resourceState(type: string, name: string, inputs: State): State {
  const id = `${slug(name).slice(0, 20)}mockid`;
  const service = type.split(':')[1]?.split('/')[0] ?? 'mock';
  return {
    name: name,
    arn: `arn:aws:${service}:${REGION}:${ACCOUNT}:${slug(name)}`,
    ...inputs,
    id,
    ...computed[type]?.(name, inputs, id),
  };
}

export function callResult(token: string, inputs: State): State | undefined {
  switch (token) {
    case 'aws:index/getRegion:getRegion':
      return { name: REGION, region: REGION, id: REGION };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, userId: 'mock', id: ACCOUNT };
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return {
        names: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
        zoneIds: ['use1-az1', 'use1-az2', 'use1-az3'],
      };
    case 'aws:iam/getPolicyDocument:getPolicyDocument': {
      const statements = (inputs.statements as State[] | undefined) ?? [];
      return { json: JSON.stringify({ Version: '2012-10-17', Statement: statements }), statements };
    }
    case 'aws:ec2/getAmi:getAmi':
      return { id: 'ami-0mock', architecture: 'arm64' };
    default:
      return undefined;
  }
}
