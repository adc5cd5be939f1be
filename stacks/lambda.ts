import { LAMBDA_ARCHITECTURE, LAMBDA_BASE_ENVIRONMENT, LAMBDA_RUNTIME } from './function-specs';
import { isProductionStage } from './stage';

export interface LambdaOptions {
  /** Undefined under `sst dev` (sst.config.ts). */
  vpc: sst.aws.Vpc | undefined;
  /** Resources this function's code must not go live before (the migration invocation: stacks/migrate.ts). */
  after?: $util.Resource[];
  /** Applied in production only (stacks/stage.ts); README, "Running in production", says why and how much. */
  reservedConcurrency?: number;
}

/** What X-Ray's active tracing needs: the runtime sends segments itself, no SDK in the bundle. */
const XRAY_WRITE = { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] };

/** The settings every Lambda of this app shares; memory and timeout are chosen per function (function-specs.ts). */
export function lambdaDefaults({ vpc, after = [], reservedConcurrency }: LambdaOptions) {
  const isProduction = isProductionStage();
  return {
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    // Private subnets: Postgres and Redis are only reachable from inside the VPC; egress goes through NAT.
    // None under `sst dev`: the functions run on the developer's machine, the deployed stubs need no VPC.
    vpc,
    logging: { retention: isProduction ? '3 months' : '2 weeks' },
    nodejs: { format: 'esm', minify: true },
    // The Amazon RDS CAs for Postgres TLS (stacks/function-specs.ts).
    environment: { ...LAMBDA_BASE_ENVIRONMENT },
    ...(isProduction && {
      permissions: [XRAY_WRITE],
      ...(reservedConcurrency !== undefined && { concurrency: { reserved: reservedConcurrency } }),
    }),
    transform: {
      function: (args: aws.lambda.FunctionArgs, opts: $util.CustomResourceOptions) => {
        // Active tracing: the Lambda service records each invocation (init, duration, errors) in X-Ray.
        if (isProduction) args.tracingConfig = { mode: 'Active' };
        if (after.length > 0) opts.dependsOn = after;
        return undefined;
      },
    },
  } satisfies Partial<sst.aws.FunctionArgs>;
}
