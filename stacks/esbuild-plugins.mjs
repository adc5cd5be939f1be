import { fileURLToPath } from 'node:url';

// SST v4 passes only target, sourcemap, keepNames, define, external, nodePaths, mainFields and conditions from
// `nodejs.esbuild` to esbuild (pkg/runtime/node, ESBuildOptions): no `alias`. Plugins are its way to swap a module:
// `nodejs.plugins` names this file, which the CLI imports in a Node child and calls over a JSON bridge.
const ENV_CREDENTIALS = fileURLToPath(
  new URL('../shared/adapters/apigw/env-credential-provider.ts', import.meta.url),
);

/**
 * The AWS SDK's default credential chain replaced by its environment-variable link (see the module swapped
 * in). The filter matches everything on purpose: SST's bridge (.sst/platform/functions/nodejs-runtime/plugin.mjs)
 * tests each filter against a field that is always undefined, so a narrower filter would silently never run
 * there; the real test is the comparison inside.
 */
export const envCredentialsOnly = {
  name: 'env-credentials-only',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.path === '@aws-sdk/credential-provider-node'
        ? { path: ENV_CREDENTIALS, namespace: 'file' }
        : undefined,
    );
  },
};

/** What SST's `nodejs.plugins` loads (stacks/api.ts, stacks/realtime.ts); bench/ and the bundle test use it too. */
export default [envCredentialsOnly];
