/** The settings every Lambda of this app shares; memory and timeout are chosen per function. */
export function lambdaDefaults(vpc: sst.aws.Vpc) {
  return {
    // Pinned rather than SST's default (nodejs24.x in 4.17.1): the handlers are tested on Node 20/22.
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    // Private subnets: Postgres and Redis are only reachable from inside the VPC; egress goes through NAT.
    vpc,
    logging: { retention: $app.stage === 'production' ? '3 months' : '2 weeks' },
    nodejs: { format: 'esm', minify: true },
    // Node 20+ Lambda runtimes no longer trust the Amazon RDS CAs by default; the bundle ships in the runtime.
    environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
  } satisfies Partial<sst.aws.FunctionArgs>;
}
