import { LAMBDA_ARCHITECTURE, LAMBDA_BASE_ENVIRONMENT, LAMBDA_RUNTIME } from './function-specs';

/** The settings every Lambda of this app shares; memory and timeout are chosen per function (function-specs.ts). */
export function lambdaDefaults(vpc: sst.aws.Vpc | undefined) {
  return {
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    // Private subnets: Postgres and Redis are only reachable from inside the VPC; egress goes through NAT.
    // None under `sst dev`: the functions run on the developer's machine, the deployed stubs need no VPC.
    vpc,
    logging: { retention: $app.stage === 'production' ? '3 months' : '2 weeks' },
    nodejs: { format: 'esm', minify: true },
    // The Amazon RDS CAs for Postgres TLS (stacks/function-specs.ts).
    environment: { ...LAMBDA_BASE_ENVIRONMENT },
  } satisfies Partial<sst.aws.FunctionArgs>;
}
