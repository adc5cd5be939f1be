import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the deployed bundles only (swapped in at bundle time by
 * stacks/esbuild-plugins.mjs; no source file imports it). Lambda hands every function its role's credentials
 * in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so of the SDK's default chain only its
 * first link, `fromEnv`, ever answers there. The other links (SSO, ini files, credential_process, web
 * identity, ECS/IMDS) and the STS/SSO clients nested in them would be parsed at every cold start for nothing.
 * Unbundled runs (`npm start`, tests) keep the SDK's full chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
