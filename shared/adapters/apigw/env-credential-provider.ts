/** What the SDK's credential providers resolve to (`AwsCredentialIdentity` of `@smithy/types`). */
interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  credentialScope?: string;
  accountId?: string;
}

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the deployed bundles only (swapped in at bundle time by
 * stacks/esbuild-plugins.mjs; no source file imports it). Lambda hands every function its role's credentials
 * in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so of the SDK's default chain only the
 * first link, `fromEnv` of `@aws-sdk/credential-provider-env`, ever answers there: this reads the same
 * variables the same way. The other links (SSO, ini files, credential_process, web identity, ECS/IMDS) and the
 * STS/SSO clients nested in them would be parsed at every cold start for nothing. Unbundled runs (`npm start`,
 * tests) keep the SDK's full chain.
 */
export const defaultProvider = (_init?: unknown) => async (): Promise<EnvCredentials> => {
  // Read at call time, as the SDK's own provider does; deliberately not through shared/config, so the role's
  // credentials never enter the app's configuration object.
  const env = process.env;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'Unable to find environment variable credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    ...(env.AWS_CREDENTIAL_EXPIRATION && { expiration: new Date(env.AWS_CREDENTIAL_EXPIRATION) }),
    ...(env.AWS_CREDENTIAL_SCOPE && { credentialScope: env.AWS_CREDENTIAL_SCOPE }),
    ...(env.AWS_ACCOUNT_ID && { accountId: env.AWS_ACCOUNT_ID }),
  };
};
