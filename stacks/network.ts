import { isProductionStage } from './stage';

/**
 * One VPC for the Lambdas, RDS and ElastiCache: 2 AZs, a public and a private subnet in each, and NAT.
 * NAT is required: the Lambdas run in the private subnets (to reach Postgres and Redis), and their pushes go to
 * the WebSocket management API, a public AWS endpoint with no VPC endpoint in the path.
 */
export function createNetwork() {
  const vpc = new sst.aws.Vpc('Vpc', {
    // fck-nat on t4g.nano EC2 (~$6/month for 2 AZs) outside production; managed NAT Gateways (~$65/month) in it.
    nat: isProductionStage() ? 'managed' : 'ec2',
  });
  return { vpc };
}
