import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * Lambda runs one invocation per environment at a time, so Powertools keeps an invocation's log keys in
 * module state. This one process runs every invocation at once, like a Lambda Managed Instance;
 * with `AWS_LAMBDA_MAX_CONCURRENCY` set and the runtime's InvokeStore installed, Powertools scopes that state
 * to each invocation (AsyncLocalStorage), so concurrent requests never swap request ids or user ids.
 * Call before the handlers are imported; the gateways then run each invocation in its own scope.
 */
export async function enableConcurrentInvocations(env: NodeJS.ProcessEnv): Promise<void> {
  env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  await InvokeStore.getInstanceAsync(true);
}

/** Runs one invocation in its own InvokeStore scope, as the Lambda runtime does; unscoped if none is installed. */
export function runInvocation<T>(requestId: string, invoke: () => T): T {
  const store = globalThis.awslambda?.InvokeStore;
  if (!store) return invoke();
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, invoke);
}
